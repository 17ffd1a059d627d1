"""The cross-run index: what later runs need to know about earlier ones.

Kept in ``OUTPUT/index/`` as Parquet (stable hashes only):

- ``files.parquet``: every input file already processed (``source, digest, run_id``), so an
  incremental run processes only new or changed files;
- ``doc_info.parquet``, ``shingles.parquet``, ``bands.parquet``: each indexed document's size,
  word-shingle set and MinHash band buckets, so that a document syndicated yesterday is found as
  a near-duplicate today;
- ``occurrences.parquet``: where each short line key occurred, so that a boilerplate line seen in
  ten documents last week is boilerplate today when it appears once.

A run writes a complete new index next to the old one and swaps it in by rename, after its
tables are committed: a failed or killed run leaves the index as it was. A full run replaces the
index with its own; an incremental run merges (a re-processed file's documents replace their
earlier entries). Runs on one output folder hold an exclusive lock (:func:`run_lock`), so two
never write the index at once. ``textwash reindex`` rebuilds it from the output tables.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import polars as pl

INDEX_DIR = "index"
PARTS = {
    "files": {"source": pl.String, "digest": pl.String, "run_id": pl.String},
    "doc_info": {"doc_id": pl.String, "source": pl.String, "row": pl.Int64, "n_chars": pl.Int64},
    "shingles": {"doc_id": pl.String, "shingle": pl.Int64},
    "bands": {"doc_id": pl.String, "band": pl.Int32, "bucket": pl.Int64},
    "occurrences": {"key_hash": pl.Int64, "key": pl.String, "text": pl.String, "doc_id": pl.String,
                    "source": pl.String, "row": pl.Int64, "line_no": pl.Int32},
}


class IndexBusy(RuntimeError):
    """Another run holds the output folder's lock."""


@contextlib.contextmanager
def run_lock(output_dir: str | Path) -> Iterator[None]:
    """Hold an exclusive lock on ``output_dir`` for the duration of a run (fails fast if taken)."""
    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    with open(output_dir / ".textwash.lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise IndexBusy(f"another textwash run is writing {output_dir}; try again when it has finished") from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _folder(output_dir: str | Path) -> Path | None:
    folder = Path(output_dir) / INDEX_DIR
    if folder.is_dir():
        return folder
    # A crash between the two renames of a swap leaves only the previous index: use it.
    previous = sorted(Path(output_dir).glob(f"{INDEX_DIR}.old-*")) if Path(output_dir).is_dir() else []
    return previous[-1] if previous else None


def read_part(output_dir: str | Path, part: str) -> pl.DataFrame:
    """One table of the current index (empty, with its schema, when there is none)."""
    folder = _folder(output_dir)
    path = folder / f"{part}.parquet" if folder else None
    if path is None or not path.exists():
        return pl.DataFrame(schema=PARTS[part])
    return pl.read_parquet(path)


def indexed_files(output_dir: str | Path) -> dict[str, str]:
    """``source → digest`` of every file the index knows."""
    return dict(read_part(output_dir, "files").select("source", "digest").iter_rows())


def write_index(output_dir: str | Path, parts: dict[str, pl.DataFrame]) -> Path:
    """Write a whole new index and swap it in by rename."""
    output_dir = Path(output_dir)
    fresh = output_dir / f"{INDEX_DIR}.new-{uuid.uuid4().hex}"
    fresh.mkdir(parents=True)
    for part, schema in PARTS.items():
        parts[part].select(list(schema)).cast(schema).write_parquet(fresh / f"{part}.parquet", compression="zstd")
    current = output_dir / INDEX_DIR
    old = output_dir / f"{INDEX_DIR}.old-{uuid.uuid4().hex}"
    if current.exists():
        os.replace(current, old)
    os.replace(fresh, current)
    shutil.rmtree(old, ignore_errors=True)
    for leftover in output_dir.glob(f"{INDEX_DIR}.old-*"):
        shutil.rmtree(leftover, ignore_errors=True)
    return current


def merged(output_dir: str | Path, new: dict[str, pl.DataFrame], incremental: bool) -> dict[str, pl.DataFrame]:
    """The index after a run: ``new`` alone (full run), or the old index with ``new`` replacing
    the entries of the documents and files it re-processed (incremental run)."""
    if not incremental:
        return new
    replaced_docs = new["doc_info"].get_column("doc_id")
    replaced_files = new["files"].get_column("source")
    result = {}
    for part in PARTS:
        old = read_part(output_dir, part)
        if part == "files":
            old = old.filter(~pl.col("source").is_in(replaced_files.implode()))
        else:
            old = old.filter(~pl.col("doc_id").is_in(replaced_docs.implode()))
        result[part] = pl.concat([old, new[part].select(list(PARTS[part])).cast(PARTS[part])])
    return result
