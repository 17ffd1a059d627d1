"""The cross-run index: what later runs need to know about earlier ones.

Kept in ``OUTPUT/index/<version>/`` as Parquet (stable hashes only):

- ``files.parquet``: every input file already processed (``source, digest, run_id``), so an
  incremental run processes only new or changed files;
- ``doc_info/``, ``shingles/``, ``bands/``: each indexed document's size, word-shingle set and
  MinHash band buckets, so that a document syndicated yesterday is found as a near-duplicate today;
- ``occurrences/``: where each short line key occurred, so that a boilerplate line seen in
  ten documents last week is boilerplate today when it appears once.

A run writes a complete new version beside the current one; the version becomes current when
the run's row is appended to the ``runs`` table (``cleaners/output.py``), in the same step as
its tables, and never by a rename, so it works the same on a local disk and on S3. A killed run
leaves an unreferenced version, removed by the next run. A full run replaces the index with its
own; an incremental run merges (a re-processed file's documents replace their earlier entries).
Runs on one output hold an exclusive lock (:func:`run_lock`), so two never write at once.
``textwash reindex`` rebuilds the index from the output tables.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import socket
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import polars as pl

from cleaners import faults, schemas, storage

INDEX_DIR = "index"
LOCK_NAME = ".textwash.lock"
PARTS = schemas.INDEX


class IndexBusy(RuntimeError):
    """Another run holds the output folder's lock."""


@contextlib.contextmanager
def run_lock(output_dir: Any) -> Iterator[None]:
    """Hold an exclusive lock on ``output_dir`` for the duration of a run (fails fast if taken).

    Locally an ``flock`` (released by the kernel if the process dies). On an object store a
    lock object created by a conditional PUT and deleted at the end; a run killed hard leaves
    it behind, and the error names it so it can be removed once no run is active.
    """
    output_dir = storage.location(output_dir)
    if storage.is_local(output_dir):
        output_dir.mkdir(parents=True, exist_ok=True)
        with open(output_dir / LOCK_NAME, "w") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise IndexBusy(f"another textwash run is writing {output_dir}; try again when it has finished") from None
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
        return
    lock = output_dir / LOCK_NAME
    holder = {"host": socket.gethostname(), "pid": os.getpid(), "since": datetime.now(UTC).isoformat()}
    if not storage.create_exclusive(lock, json.dumps(holder).encode()):
        try:
            taken = lock.read_text()
        except OSError:
            taken = "?"
        raise IndexBusy(f"another textwash run is writing {output_dir} (lock {lock}: {taken}); try again when it "
                        "has finished, or delete the lock object if that run was killed")
    try:
        yield
    finally:
        storage.remove(lock)


def current_version(output_dir: Any) -> str | None:
    """The index version the latest committed run made current (None before any run)."""
    from cleaners.output import latest_run

    run = latest_run(output_dir)
    return run.get("index_version") if run else None


def _folder(output_dir: Any) -> Any | None:
    version = current_version(output_dir)
    return storage.location(output_dir) / INDEX_DIR / version if version else None


def _part_files(output_dir: Any, part: str) -> list[Any]:
    """The Parquet files of one table of the current index."""
    folder = _folder(output_dir)
    if folder is None:
        return []
    if part == "files":
        single = folder / "files.parquet"
        return [single] if single.exists() else []
    return sorted((folder / part).glob("*.parquet")) if (folder / part).exists() else []


def scan_part(output_dir: Any, part: str) -> pl.LazyFrame:
    """One table of the current index, lazily (empty, with its schema, when there is none).

    Callers filter before collecting, so an index larger than memory is never read whole.
    """
    files = _part_files(output_dir, part)
    if not files:
        return schemas.empty(PARTS[part]).lazy()
    return pl.scan_parquet([storage.uri(path) for path in files]).cast(pl.Schema(PARTS[part]))


def read_part(output_dir: Any, part: str) -> pl.DataFrame:
    """One (small) table of the current index, in memory."""
    return scan_part(output_dir, part).collect()


def stale_documents(output_dir: Any, sources: list[str]) -> pl.Series:
    """The indexed documents of ``sources`` (files a run re-reads or that left the input)."""
    wanted = pl.Series(sources, dtype=pl.String).implode()
    return scan_part(output_dir, "doc_info").filter(pl.col("source").is_in(wanted)).collect()["doc_id"]


def indexed_files(output_dir: Any) -> dict[str, str]:
    """``source → digest`` of every file the index knows."""
    return dict(read_part(output_dir, "files").select("source", "digest").iter_rows())


def new_version() -> str:
    """A fresh, sortable index version name."""
    return f"{datetime.now(UTC).strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:12]}"


def write_index(output_dir: Any, files: pl.DataFrame, new_parts: dict[str, list[Any]],
                replaced_docs: list[str] | None = None, version: str | None = None) -> str:
    """Write a whole new index version (not yet current) and return its name.

    ``files`` is the new ``files`` table (small, in memory). ``new_parts`` lists, per document
    table, the run's staged Parquet files (already in the index's schema), which are linked or
    copied in as they are. With ``replaced_docs`` (an incremental run), the current version's
    files are kept too, each streamed through a filter that drops the documents this run
    re-processed; memory stays bounded by a row group, whatever the size of the index.
    """
    version = version or new_version()
    fresh = storage.location(output_dir) / INDEX_DIR / version
    storage.remove_tree(fresh)
    from cleaners.output import write_parquet_atomic

    write_parquet_atomic(schemas.conform(files, PARTS["files"]), fresh / "files.parquet")
    for part in PARTS:
        if part == "files":
            continue
        folder = fresh / part
        folder.mkdir(parents=True, exist_ok=True)
        if replaced_docs is not None:
            drop = pl.Series(replaced_docs, dtype=pl.String).implode()
            for number, old in enumerate(_part_files(output_dir, part)):
                frame = pl.scan_parquet(storage.uri(old)).cast(pl.Schema(PARTS[part])).filter(~pl.col("doc_id").is_in(drop))
                target = folder / f"old-{number:05d}.parquet"
                if storage.is_local(target):
                    faults.step(f"write {target}")
                    frame.sink_parquet(target, compression="zstd")
                else:
                    write_parquet_atomic(frame.collect(), target)
        for number, path in enumerate(new_parts.get(part, [])):
            storage.copy_file(storage.location(path), folder / f"new-{number:05d}-{storage.location(path).name}")
    return version


def remove_unused(output_dir: Any) -> list[str]:
    """Delete index versions that the current run does not name (left by killed or older runs)."""
    root = storage.location(output_dir) / INDEX_DIR
    keep = current_version(output_dir)
    if not root.exists():
        return []
    removed = []
    for child in sorted(root.iterdir()):
        if child.name != keep:
            storage.remove_tree(child)
            removed.append(child.name)
    return removed
