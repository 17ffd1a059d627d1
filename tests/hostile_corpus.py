"""A crafted corpus of hostile and broken input, generated (no bombs are checked in).

``build(folder, outside)`` writes every case into ``folder`` (and the targets of links that lead
out of it into ``outside``) and returns what each source must become: ``("reject", reason)`` or
``("document", check)``. ``tests/test_hostile_input.py`` runs it through ``textwash run`` under a
memory limit. Run ``python -m tests.hostile_corpus FOLDER`` to get the corpus for trying by hand.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import random
import sys
from pathlib import Path
from typing import Any

import polars as pl

SECRET = "TEXTWASH-SECRET-7f3a: this must never reach the output"


def _write(path: Path, data: str | bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)


def _parquet(path: Path, frame: pl.DataFrame) -> None:
    buffer = io.BytesIO()
    frame.write_parquet(buffer)
    _write(path, buffer.getvalue())


def _gzip_bomb(path: Path, expanded: int) -> None:
    block = b"\0" * (1 << 20)
    with gzip.open(path, "wb", compresslevel=1) as handle:
        for _ in range(expanded // len(block)):
            handle.write(block)


def build(folder: Path, outside: Path, bomb_bytes: int = 600_000_000) -> dict[str, tuple[str, Any]]:
    random.seed(7)
    folder.mkdir(parents=True, exist_ok=True)
    expected: dict[str, tuple[str, Any]] = {}

    # --- memory: small files that used to take gigabytes
    words = "alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike oscar papa".split()
    lines = [f"Breaking news from the wire: {' '.join(random.choice(words) for _ in range(8))}" for _ in range(10_000)]
    _write(folder / "prefix-wire.txt", "Wire digest\n" + "\n".join(lines) + "\n")
    expected["prefix-wire.txt"] = ("document", {"min_lines": 10_000})
    _gzip_bomb(folder / "bomb.jsonl.gz", bomb_bytes)
    expected["bomb.jsonl.gz"] = ("reject", "too_large")
    with open(folder / "sparse.txt", "wb") as handle:
        handle.truncate(12 * 10**9)  # 12 GB on paper, nothing on disk
    expected["sparse.txt"] = ("reject", "too_large")

    # --- one record must not fail the run
    _write(folder / "deep.json", "[" * 100_000 + "]" * 100_000)
    expected["deep.json"] = ("reject", "malformed_json")
    _write(folder / "deep.jsonl", '{"text": ' + "[" * 100_000 + "]" * 100_000 + "}\n" + '{"text": "fine"}\n')
    expected["deep.jsonl"] = ("reject", "malformed_json")
    _write(folder / "surrogate.jsonl", '{"title": "T", "text": "bad \\udfff text"}\n')
    expected["surrogate.jsonl"] = ("reject", "invalid_unicode")
    _parquet(folder / "list-text.parquet", pl.DataFrame({"id": ["a"], "text": [["not", "a", "string"]]}))
    expected["list-text.parquet"] = ("reject", "text_not_string")
    _parquet(folder / "list-id.parquet", pl.DataFrame({"id": [["a", "b"]], "text": ["Body"]}))
    expected["list-id.parquet"] = ("reject", "text_not_string")
    _parquet(folder / "binary-text.parquet", pl.DataFrame({"id": ["a"], "text": pl.Series([b"\xff\xfe\xfa"], dtype=pl.Binary)}))
    expected["binary-text.parquet"] = ("reject", "undecodable")
    bad_name = os.fsdecode(b"caf\xe9.txt")
    _write(folder / bad_name, "Title\nBody\n")
    expected["caf\\xe9.txt"] = ("reject", "bad_file_name")

    # --- nothing outside the input folder is read
    _write(outside / "secret.txt", f"Secret\n{SECRET}\n")
    links = {"passwd-link.txt": "/etc/passwd", "secret-link.txt": str(outside / "secret.txt"),
             "proc-link.txt": "/proc/self/status"}
    for name, target in links.items():
        os.symlink(target, folder / name)
        expected[name] = ("reject", "outside_input")
    os.mkfifo(folder / "fifo.txt")
    expected["fifo.txt"] = ("reject", "not_a_file")
    os.symlink(folder / "nowhere.txt", folder / "dangling.txt")
    expected["dangling.txt"] = ("reject", "unreadable")
    os.symlink(folder / "loop-b.txt", folder / "loop-a.txt")
    os.symlink(folder / "loop-a.txt", folder / "loop-b.txt")
    expected["loop-a.txt"] = expected["loop-b.txt"] = ("reject", "unreadable")
    _write(folder / "sub" / "inner.txt", "Inner\nA story in a subfolder.\n")
    expected["sub/inner.txt"] = ("document", {"title": "Inner"})
    os.symlink(folder / "sub", folder / "sub-link")
    expected["sub-link"] = ("reject", "not_a_file")

    # --- lineage: exact, never silently wrong
    _write(folder / "cr-only.txt", "Old Mac title\rFirst paragraph.\rSecond paragraph.\r")
    expected["cr-only.txt"] = ("document", {"title": "Old Mac title", "lines": 2})
    _write(folder / "u2028.txt", "Title line\u2028A paragraph after a line separator.\nAnother.\n")
    expected["u2028.txt"] = ("document", {"title": "Title line", "lines": 2})
    _write(folder / "zero-width.txt", "Zero width\n\u200b\u200c\u2060\nReal text.\n")
    expected["zero-width.txt"] = ("document", {"title": "Zero width", "kept": 1})
    _write(folder / "utf32.txt", "UTF-32 title\nCafé crème.\n".encode("utf-32"))
    expected["utf32.txt"] = ("document", {"title": "UTF-32 title", "encoding": "utf-32"})
    records = [{"id": f"r{n}", "text": value} for n, value in enumerate([7, ["a"], {"b": 1}, True, float("nan")])]
    _write(folder / "non-string.jsonl", "\n".join(json.dumps(record) for record in records)
           + '\n{"id": "ok", "title": "Fine", "text": "A real string."}\n')
    expected["non-string.jsonl"] = ("reject", "text_not_string")
    _write(folder / "dup-header.csv", "id,text,text\n1,a,b\n")
    expected["dup-header.csv"] = ("reject", "duplicate_header")
    _write(folder / "ragged.csv", "id,title,text\n1,Good,A good row.\n2,Bad,a,b,c\n3,Also good,Another good row.\n")
    expected["ragged.csv"] = ("reject", "malformed_csv")  # row 2 alone
    _write(folder / "good.csv", "id,title,text\n1,Plain,A plain good row.\n")
    expected["good.csv"] = ("document", {"title": "Plain"})
    return expected


if __name__ == "__main__":  # pragma: no cover
    target = Path(sys.argv[1])
    for source, outcome in build(target / "in", target / "outside").items():
        print(source, *outcome)
