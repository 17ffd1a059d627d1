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

from cleaners import schemas

INDEX_DIR = "index"
PARTS = schemas.INDEX

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


def _part_files(output_dir: str | Path, part: str) -> list[Path]:
    """The Parquet files of one index table: ``<part>/*.parquet``, or the single ``<part>.parquet``
    of indexes written before the index was streamed part by part."""
    folder = _folder(output_dir)
    if folder is None:
        return []
    if (folder / part).is_dir():
        return sorted((folder / part).glob("*.parquet"))
    single = folder / f"{part}.parquet"
    return [single] if single.exists() else []


def scan_part(output_dir: str | Path, part: str) -> pl.LazyFrame:
    """One table of the current index, lazily (empty, with its schema, when there is none).

    Callers filter before collecting, so an index larger than memory is never read whole.
    """
    files = _part_files(output_dir, part)
    if not files:
        return schemas.empty(PARTS[part]).lazy()
    return pl.concat([_scan_file(path, part) for path in files])


def _scan_file(path: Path, part: str) -> pl.LazyFrame:
    frame = pl.scan_parquet(str(path))
    if part == "shingles" and "shingle" in pl.read_parquet_schema(path):
        # An index written before shingles were stored as one sorted list per document.
        frame = frame.group_by("doc_id").agg(shingles=pl.col("shingle").unique().sort())
    return frame.cast(pl.Schema(PARTS[part]))


def read_part(output_dir: str | Path, part: str) -> pl.DataFrame:
    """One (small) table of the current index, in memory."""
    return scan_part(output_dir, part).collect()


def indexed_files(output_dir: str | Path) -> dict[str, str]:
    """``source → digest`` of every file the index knows."""
    return dict(read_part(output_dir, "files").select("source", "digest").iter_rows())


def _place(source: Path, target: Path) -> None:
    """Put a finished staged file into the new index: a hard link when it can be (no copy)."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def write_index(output_dir: str | Path, files: pl.DataFrame, new_parts: dict[str, list[Path]],
                replaced_docs: list[str] | None = None) -> Path:
    """Write a whole new index and swap it in by rename.

    ``files`` is the new ``files`` table (small, in memory). ``new_parts`` lists, per document
    table, the run's staged Parquet files (already in the index's schema), which are linked in
    as they are. With ``replaced_docs`` (an incremental run), the old index's files are kept
    too, each streamed through a filter that drops the documents this run re-processed; memory
    stays bounded by a row group, whatever the size of the index.
    """
    output_dir = Path(output_dir)
    fresh = output_dir / f"{INDEX_DIR}.new-{uuid.uuid4().hex}"
    fresh.mkdir(parents=True)
    schemas.conform(files, PARTS["files"]).write_parquet(fresh / "files.parquet", compression="zstd")
    for part in PARTS:
        if part == "files":
            continue
        folder = fresh / part
        folder.mkdir()
        if replaced_docs is not None:
            drop = pl.Series(replaced_docs, dtype=pl.String).implode()
            for number, old in enumerate(_part_files(output_dir, part)):
                (_scan_file(old, part).filter(~pl.col("doc_id").is_in(drop))
                 .sink_parquet(folder / f"old-{number:05d}.parquet", compression="zstd"))
        for number, path in enumerate(new_parts.get(part, [])):
            _place(path, folder / f"new-{number:05d}-{path.name}")
    current = output_dir / INDEX_DIR
    old_index = output_dir / f"{INDEX_DIR}.old-{uuid.uuid4().hex}"
    if current.exists():
        os.replace(current, old_index)
    os.replace(fresh, current)
    shutil.rmtree(old_index, ignore_errors=True)
    for leftover in output_dir.glob(f"{INDEX_DIR}.old-*"):
        shutil.rmtree(leftover, ignore_errors=True)
    return current
