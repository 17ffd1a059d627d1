"""The pipeline's core, without Prefect: one shard of input files in, staged tables out.

The Prefect flow (``flows/clean_corpus.py``) runs :func:`process_shard` once per shard as a
task and :func:`finish_run` once at the end; the benchmark calls the same functions, so what is
measured is what runs.
"""

from __future__ import annotations

import platform
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any

import polars as pl

from cleaners import SCHEMA_VERSION, __version__
from cleaners.documents import assemble_documents, assign_status
from cleaners.hashing import stable_bucket, stable_hex
from cleaners.ingest import discover, ingest_files
from cleaners.lines import split_lines
from cleaners.normalise import normalise_lines
from cleaners.output import commit_run, new_staging_dir, part_name, write_parquet_atomic
from cleaners.settings import Settings


@dataclass
class CleanResult:
    """In-memory tables of one shard (see ``docs/SCHEMA.md``), plus per-file facts."""

    documents: pl.DataFrame
    lines: pl.DataFrame
    rejects: pl.DataFrame
    files: pl.DataFrame


def shard_sources(sources: list[str], n_shards: int) -> list[list[str]]:
    """Split relative paths into ``n_shards`` lists by a stable hash: same split on any machine."""
    shards: list[list[str]] = [[] for _ in range(n_shards)]
    for source in sorted(sources):
        shards[stable_bucket(source, n_shards)].append(source)
    return shards


def clean(input_dir: str | Path, sources: list[str], settings: Settings) -> CleanResult:
    """Ingest, split, normalise and assemble ``sources`` (paths relative to ``input_dir``)."""
    ingested = ingest_files(input_dir, sources, settings.ingest)
    lines = split_lines(ingested.documents)
    lines = normalise_lines(lines, settings.normalise)
    lines = assign_status(lines)
    documents = assemble_documents(ingested.documents, lines, settings.normalise)
    return CleanResult(documents=documents, lines=lines, rejects=ingested.rejects, files=ingested.files)


def batch_sources(input_dir: str | Path, sources: list[str], batch_bytes: int) -> list[list[str]]:
    """Group sorted ``sources`` into consecutive batches of about ``batch_bytes`` of input."""
    batches: list[list[str]] = []
    current: list[str] = []
    size = 0
    for source in sorted(sources):
        try:
            file_size = (Path(input_dir) / source).stat().st_size
        except OSError:
            file_size = 0  # unreadable: ingest will reject it with the reason
        if current and size + file_size > batch_bytes:
            batches.append(current)
            current, size = [], 0
        current.append(source)
        size += file_size
    if current or not batches:
        batches.append(current)
    return batches


def process_shard(input_dir: str | Path, sources: list[str], staging: str | Path, shard: int,
                  settings: Settings) -> dict[str, Any]:
    """Clean one shard batch by batch and stage its tables as Parquet parts.

    Returns paths and counts, never frames, so that a task runner can move it cheaply.
    Memory is bounded by one batch (``run.batch_mb`` of input).
    """
    staging = Path(staging)
    totals = {"documents": 0, "lines": 0, "rejects": 0}
    paths: dict[str, list[str]] = {table: [] for table in ("documents", "lines", "rejects", "files")}
    batches = batch_sources(input_dir, sources, int(settings.run.batch_mb * 1_000_000))
    for batch_no, batch in enumerate(batches):
        result = clean(input_dir, batch, settings)
        for table in paths:
            frame = getattr(result, table)
            folder = staging / ("_files" if table == "files" else table)
            name = part_name(shard).replace(".parquet", f"-{batch_no:04d}.parquet")
            paths[table].append(str(write_parquet_atomic(frame, folder / name, settings.output)))
            if table in totals:
                totals[table] += frame.height
    return {"shard": shard, "batches": len(batches), "paths": paths, **totals}


def run_id_for(files: pl.DataFrame, settings: Settings) -> str:
    """Deterministic run id: the same files (by content) and settings give the same id."""
    listing = files.sort("source").select(
        pl.concat_str([pl.col("source"), pl.col("digest").fill_null("-")], separator="=")
    ).to_series().to_list()
    return stable_hex(SCHEMA_VERSION, __version__, settings.fingerprint_json(), *listing)


def _versions() -> dict[str, str]:
    versions = {"python": platform.python_version(), "textwash": __version__}
    for package in ("polars", "ftfy", "rapidfuzz", "prefect", "pydantic", "pyarrow"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            pass
    return versions


def count_tables(folder: str | Path) -> dict[str, Any]:
    """Counts of the tables under ``folder`` (a staging folder or one run's partitions)."""
    folder = Path(folder)

    def scan(table: str) -> pl.LazyFrame:
        return pl.scan_parquet(str(folder / table / "*.parquet"))

    by_status = scan("lines").group_by("status").len().collect()
    by_reason = scan("rejects").group_by("reason").len().collect()
    return {
        "documents": scan("documents").select(pl.len()).collect().item(),
        "lines": int(by_status["len"].sum()),
        "lines_by_status": dict(sorted(zip(by_status["status"], by_status["len"]))),
        "rejects": int(by_reason["len"].sum()),
        "rejects_by_reason": dict(sorted(zip(by_reason["reason"], by_reason["len"]))),
    }


def finish_run(input_dir: str | Path, output_dir: str | Path, staging: str | Path, settings: Settings,
               started_at: datetime, sources: list[str]) -> dict[str, Any]:
    """Name the run, commit its staged tables and write its manifest; return the manifest."""
    staging = Path(staging)
    files = pl.read_parquet(staging / "_files" / "*.parquet")
    run_id = run_id_for(files, settings)
    finished_at = datetime.now(timezone.utc)
    manifest: dict[str, Any] = {
        "run_id": run_id,
        "schema_version": SCHEMA_VERSION,
        "started_at": started_at.isoformat(),
        "finished_at": finished_at.isoformat(),
        "duration_s": round((finished_at - started_at).total_seconds(), 3),
        "input_dir": str(Path(input_dir).resolve()),
        "output_dir": str(Path(output_dir).resolve()),
        "settings": settings.model_dump(mode="json"),
        "versions": _versions(),
        "files": {
            "count": len(sources),
            "bytes": int(files["bytes"].fill_null(0).sum()),
            "by_format": dict(sorted(files.group_by("format").len().iter_rows())),
            "by_encoding": dict(sorted(files.drop_nulls("encoding").group_by("encoding").len().iter_rows())),
        },
        "tables": {table: f"{table}/run_id={run_id}" for table in ("documents", "lines", "rejects")},
    }
    manifest["counts"] = count_tables(staging)
    commit_run(staging, output_dir, run_id, manifest)
    return manifest


def run_local(input_dir: str | Path, output_dir: str | Path, settings: Settings | None = None) -> dict[str, Any]:
    """The whole pipeline in this process, without Prefect (for the benchmark and the tests)."""
    settings = settings or Settings()
    started_at = datetime.now(timezone.utc)
    sources = discover(input_dir)
    staging = new_staging_dir(output_dir)
    for shard, shard_files in enumerate(shard_sources(sources, settings.run.shards)):
        process_shard(input_dir, shard_files, staging, shard, settings)
    return finish_run(input_dir, output_dir, staging, settings, started_at, sources)


