"""Read a folder of raw documents into a ``documents`` frame and a ``rejects`` frame.

Formats (each also gzip-compressed, ``name.ext.gz``):

========================  =====================================================================
``.txt``, ``.md``         one document per file: the first non-empty line is the title, the
                          rest is the body
``.jsonl``, ``.ndjson``   one JSON object per line (blank lines are skipped)
``.json``                 one JSON object, or an array of objects
``.csv``                  a header row, then one document per row (fields may be huge and span
                          lines)
``.parquet``              one document per row
========================  =====================================================================

Field and column names for the id, the title and the text come from
:class:`~cleaners.settings.IngestSettings` (the first one present wins).

Nothing is dropped silently: whatever cannot become a document (a binary file, undecodable
bytes, a malformed JSON line, a CSV without a text column, an empty file, a record over the size
limit, an unsupported file type) becomes a row of ``rejects`` with the source, the record, a
short ``reason`` code and a human ``detail``, and ingestion goes on with the next record.

Every document gets a ``doc_id`` that depends only on its file's path relative to the input
folder and its record key (its own id if it has one, else its 1-based row/line number), so the
same input gives the same ids on any machine and in any file order.
"""

from __future__ import annotations

import gzip
import io
import json
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from cleaners.decoding import DecodeFailure, decode_bytes
from cleaners.hashing import file_digest, stable_hex
from cleaners.settings import IngestSettings

RAW_DOCUMENT_SCHEMA = {
    "doc_id": pl.String,
    "source": pl.String,
    "record": pl.String,
    "row": pl.Int64,
    "format": pl.String,
    "encoding": pl.String,
    "title": pl.String,
    "body": pl.String,
}
REJECT_SCHEMA = {"source": pl.String, "record": pl.String, "reason": pl.String, "detail": pl.String}
FILE_SCHEMA = {
    "source": pl.String,
    "format": pl.String,
    "bytes": pl.Int64,
    "digest": pl.String,
    "encoding": pl.String,
    "n_documents": pl.Int64,
    "n_rejects": pl.Int64,
}


@dataclass
class IngestResult:
    """What ingestion produced: raw documents, rejects, and one row per input file."""

    documents: pl.DataFrame
    rejects: pl.DataFrame
    files: pl.DataFrame


@dataclass
class _Records:
    """Records parsed from one file, before the checks common to every format."""

    record_ids: list[str | None] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)
    titles: list[str | None] = field(default_factory=list)
    bodies: list[Any] = field(default_factory=list)


class _FileRejected(Exception):
    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


def file_format(path: Path) -> tuple[str, bool]:
    """``(".jsonl", True)`` for ``x.jsonl.gz``; the format is the ending without ``.gz``."""
    name = path.name.lower()
    compressed = name.endswith(".gz")
    if compressed:
        name = name[:-3]
    suffix = Path(name).suffix
    if suffix == ".ndjson":
        suffix = ".jsonl"
    if suffix == ".md":
        suffix = ".txt"
    return suffix, compressed


def discover(input_dir: str | Path) -> list[str]:
    """Every file below ``input_dir``, as sorted POSIX paths relative to it.

    Dotfiles and dot-folders (``.gitkeep``, ``.git/``) are not input and are not listed.
    """
    root = Path(input_dir)
    if not root.is_dir():
        raise FileNotFoundError(f"input folder {root} does not exist or is not a folder")
    found = []
    for path in root.rglob("*"):
        relative = path.relative_to(root)
        if any(part.startswith(".") for part in relative.parts) or not path.is_file():
            continue
        found.append(relative.as_posix())
    return sorted(found)


def ingest_files(root: str | Path, sources: list[str], settings: IngestSettings) -> IngestResult:
    """Read ``sources`` (paths relative to ``root``) into documents and rejects."""
    root = Path(root)
    documents: list[pl.DataFrame] = []
    rejects: list[dict[str, Any]] = []
    files: list[dict[str, Any]] = []
    allowed = {ext if ext != ".ndjson" else ".jsonl" for ext in settings.extensions}
    allowed = {".txt" if ext == ".md" else ext for ext in allowed}

    for source in sorted(sources):
        fmt, compressed = file_format(Path(source))
        file_row: dict[str, Any] = {
            "source": source, "format": fmt.lstrip("."), "bytes": None, "digest": None,
            "encoding": None, "n_documents": 0, "n_rejects": 0,
        }
        files.append(file_row)
        file_rejects: list[dict[str, Any]] = []
        try:
            if fmt not in allowed:
                raise _FileRejected("unsupported_format", f"files ending in {fmt or '(none)'} are not read")
            data = _read_bytes(root / source, compressed)
            file_row["bytes"] = len(data)
            file_row["digest"] = file_digest(data)
            if not data.strip():
                raise _FileRejected("empty", "the file is empty")
            records, encoding = _parse(data, fmt, settings, file_rejects)
            file_row["encoding"] = encoding
            frame = _validate(records, source, fmt, encoding, settings, file_rejects)
        except _FileRejected as error:
            file_rejects.append({"source": source, "record": None, "reason": error.reason, "detail": error.detail})
            frame = None
        for reject in file_rejects:
            reject["source"] = source
        rejects.extend(file_rejects)
        file_row["n_rejects"] = len(file_rejects)
        if frame is not None and frame.height:
            file_row["n_documents"] = frame.height
            documents.append(frame)

    return IngestResult(
        documents=pl.concat(documents) if documents else pl.DataFrame(schema=RAW_DOCUMENT_SCHEMA),
        rejects=pl.DataFrame(rejects, schema=REJECT_SCHEMA),
        files=pl.DataFrame(files, schema=FILE_SCHEMA),
    )


def _read_bytes(path: Path, compressed: bool) -> bytes:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise _FileRejected("unreadable", f"cannot read the file: {error.strerror or error}") from None
    if not compressed:
        return data
    try:
        return gzip.decompress(data)
    except (OSError, EOFError, zlib.error) as error:
        raise _FileRejected("unreadable", f"not valid gzip: {error}") from None


def _decode(data: bytes, settings: IngestSettings) -> tuple[str, str]:
    try:
        return decode_bytes(data, settings.encodings)
    except DecodeFailure as failure:
        raise _FileRejected(failure.reason, failure.detail) from None


def _parse(data: bytes, fmt: str, settings: IngestSettings, rejects: list[dict[str, Any]]) -> tuple[_Records, str]:
    if fmt == ".parquet":
        return _parse_table(_read_parquet(data), settings), "parquet"
    text, encoding = _decode(data, settings)
    if fmt == ".txt":
        return _parse_txt(text), encoding
    if fmt == ".jsonl":
        return _parse_jsonl(text, settings, rejects), encoding
    if fmt == ".json":
        return _parse_json(text, settings, rejects), encoding
    if fmt == ".csv":
        return _parse_table(_read_csv(text), settings), encoding
    raise _FileRejected("unsupported_format", f"files ending in {fmt} are not read")  # pragma: no cover


def _parse_txt(text: str) -> _Records:
    """Title = first non-empty line; body = everything after that line."""
    records = _Records()
    lines = text.split("\n")
    for index, line in enumerate(lines):
        if line.strip():
            records.record_ids.append(None)
            records.rows.append(1)
            records.titles.append(line.strip())
            records.bodies.append("\n".join(lines[index + 1 :]))
            break
    return records


def _first_present(record: dict[str, Any], names: list[str]) -> Any:
    for name in names:
        value = record.get(name)
        if value is not None:
            return value
    return None


def _add_object(records: _Records, record: Any, row: int, settings: IngestSettings, rejects: list[dict[str, Any]]) -> None:
    if not isinstance(record, dict):
        rejects.append({"record": str(row), "reason": "not_an_object",
                        "detail": f"record {row} is a JSON {type(record).__name__}, not an object"})
        return
    record_id = _first_present(record, settings.id_fields)
    title = _first_present(record, settings.title_fields)
    records.record_ids.append(None if record_id is None else str(record_id))
    records.rows.append(row)
    records.titles.append(None if title is None else str(title))
    records.bodies.append(_first_present(record, settings.text_fields))


def _parse_jsonl(text: str, settings: IngestSettings, rejects: list[dict[str, Any]]) -> _Records:
    # Split on "\n" only: JSON strings may hold a raw U+2028, which str.splitlines would cut.
    records = _Records()
    for line_no, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            rejects.append({"record": str(line_no), "reason": "malformed_json",
                            "detail": f"line {line_no}: {error}"})
            continue
        _add_object(records, record, line_no, settings, rejects)
    return records


def _parse_json(text: str, settings: IngestSettings, rejects: list[dict[str, Any]]) -> _Records:
    try:
        loaded = json.loads(text)
    except json.JSONDecodeError as error:
        raise _FileRejected("malformed_json", str(error)) from None
    records = _Records()
    items = loaded if isinstance(loaded, list) else [loaded]
    for row, item in enumerate(items, start=1):
        _add_object(records, item, row, settings, rejects)
    return records


def _read_csv(text: str) -> pl.DataFrame:
    try:
        return pl.read_csv(io.BytesIO(text.encode("utf-8")), infer_schema=False, raise_if_empty=True)
    except Exception as error:  # polars raises several error types for malformed CSV
        raise _FileRejected("malformed_csv", f"{type(error).__name__}: {error}".splitlines()[0]) from None


def _read_parquet(data: bytes) -> pl.DataFrame:
    try:
        return pl.read_parquet(io.BytesIO(data))
    except Exception as error:
        raise _FileRejected("malformed_parquet", f"{type(error).__name__}: {error}".splitlines()[0]) from None


def _parse_table(table: pl.DataFrame, settings: IngestSettings) -> _Records:
    text_column = next((name for name in settings.text_fields if name in table.columns), None)
    if text_column is None:
        raise _FileRejected("missing_text_column",
                            f"none of the text columns {settings.text_fields} is in {table.columns[:20]}")
    id_column = next((name for name in settings.id_fields if name in table.columns), None)
    title_column = next((name for name in settings.title_fields if name in table.columns), None)

    def column(name: str | None) -> list[Any]:
        if name is None:
            return [None] * table.height
        return table.get_column(name).cast(pl.String).to_list()

    return _Records(
        record_ids=column(id_column),
        rows=list(range(1, table.height + 1)),
        titles=column(title_column),
        bodies=table.get_column(text_column).cast(pl.String).to_list(),
    )


def _validate(records: _Records, source: str, fmt: str, encoding: str, settings: IngestSettings,
              rejects: list[dict[str, Any]]) -> pl.DataFrame:
    """Checks common to all formats; returns the accepted records as a raw-documents frame."""
    keep: dict[str, list[Any]] = {name: [] for name in RAW_DOCUMENT_SCHEMA}
    seen_keys: set[str] = set()
    for record_id, row, title, body in zip(records.record_ids, records.rows, records.titles, records.bodies):
        record = record_id if record_id is not None else str(row)
        if body is None:
            rejects.append({"record": record, "reason": "missing_text_field",
                            "detail": f"none of the text fields {settings.text_fields} is present"})
            continue
        if not isinstance(body, str):
            body = json.dumps(body, ensure_ascii=False) if isinstance(body, (list, dict)) else str(body)
        if len(body) > settings.max_record_chars:
            rejects.append({"record": record, "reason": "too_large",
                            "detail": f"body has {len(body):,} characters; max_record_chars is {settings.max_record_chars:,}"})
            continue
        if len(body) > settings.max_line_chars:
            longest = max(len(line) for line in body.split("\n"))
            if longest > settings.max_line_chars:
                rejects.append({"record": record, "reason": "line_too_long",
                                "detail": f"a line has {longest:,} characters; max_line_chars is {settings.max_line_chars:,}"})
                continue
        if not body.strip() and not (title or "").strip():
            rejects.append({"record": record, "reason": "empty", "detail": "no title and no text"})
            continue
        key = record_id if record_id is not None else f"#{row}"
        if key in seen_keys:  # a repeated id inside one file: keep both, tell them apart by row
            key = f"{key}#{row}"
        seen_keys.add(key)
        keep["doc_id"].append(stable_hex(source, key))
        keep["source"].append(source)
        keep["record"].append(record)
        keep["row"].append(row)
        keep["format"].append(fmt.lstrip("."))
        keep["encoding"].append(encoding)
        keep["title"].append(title or "")
        keep["body"].append(body)
    return pl.DataFrame(keep, schema=RAW_DOCUMENT_SCHEMA)
