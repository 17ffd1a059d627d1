"""Fuzz: random and mutated bytes in every supported format through ingest never raise, and every
input file ends up as documents or rejects (hypothesis; the seeds are real-looking files)."""

from __future__ import annotations

import gzip
import io
import json
import tempfile
from pathlib import Path

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cleaners.ingest import ingest_files
from cleaners.settings import IngestSettings


def _parquet_bytes() -> bytes:
    buffer = io.BytesIO()
    pl.DataFrame({"id": ["a", "b"], "title": ["T", "U"], "text": ["Body one.", "Body two."]}).write_parquet(buffer)
    return buffer.getvalue()


SEEDS = {
    ".txt": b"Title\nA body line.\n\nAnother line.\n",
    ".jsonl": (json.dumps({"id": 1, "title": "T", "text": "Body"}) + "\n" + json.dumps({"text": "x"}) + "\n").encode(),
    ".json": json.dumps([{"id": "a", "text": "Body"}, {"id": "b", "title": "T", "text": "More"}]).encode(),
    ".csv": b"id,title,text\n1,T,Body one\n2,U,\"Body, two\"\n",
    ".parquet": _parquet_bytes(),
}


def _mutate(data: bytes, edits: list[tuple[int, int, int]]) -> bytes:
    """Apply (kind, position, value) edits: flip a byte, insert one, delete a stretch."""
    buffer = bytearray(data)
    for kind, position, value in edits:
        if not buffer:
            buffer.append(value)
            continue
        where = position % len(buffer)
        if kind == 0:
            buffer[where] = value
        elif kind == 1:
            buffer.insert(where, value)
        else:
            del buffer[where:where + 1 + value % 8]
    return bytes(buffer)


edits = st.lists(st.tuples(st.integers(0, 2), st.integers(0, 10_000), st.integers(0, 255)), max_size=12)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(fmt=st.sampled_from(sorted(SEEDS)), mutation=edits, raw=st.binary(max_size=300), use_raw=st.booleans(),
       compress=st.booleans())
def test_ingest_never_raises_and_accounts_for_every_file(fmt, mutation, raw, use_raw, compress):
    data = raw if use_raw else _mutate(SEEDS[fmt], mutation)
    name = f"input{fmt}" + (".gz" if compress else "")
    if compress:
        data = gzip.compress(data) if len(data) % 3 else _mutate(gzip.compress(data), mutation)
    with tempfile.TemporaryDirectory() as folder:
        Path(folder, name).write_bytes(data)
        result = ingest_files(folder, [name], IngestSettings())
    sources = set(result.documents["source"]) | set(result.rejects["source"])
    assert sources == {name}  # a document, a reject, or both (good and bad records): never nothing
    assert result.files["source"].to_list() == [name]
    for column in ("title", "body"):
        if column in result.documents.columns:
            for value in result.documents[column].drop_nulls():
                value.encode("utf-8")  # every accepted string is real text
