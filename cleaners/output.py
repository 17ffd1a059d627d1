"""Write the tables as Hive-partitioned Parquet, atomically, with a manifest per run.

Layout under the output folder::

    documents/run_id=<run>/part-00000.parquet
    lines/run_id=<run>/part-00000.parquet
    rejects/run_id=<run>/part-00000.parquet
    flags/run_id=<run>/part-00000.parquet
    runs/<run>.json            the manifest: the run's commit record
    index/                     the cross-run index (cleaners/index.py)
    _staging/                  work in progress; readers never look here

``run_id`` is not stored inside the files: it is the Hive partition key, which polars, DuckDB,
pyarrow, pandas and Spark all read from the path.

Atomicity: every file is written to a temporary name and renamed. A run is staged whole under
``_staging/``, then each table's partition folder is swapped in by rename, and the manifest is
written last. A run without a manifest never happened as far as ``textwash inspect`` is
concerned, and earlier runs' partitions are never touched. The run id is derived from the input
files' contents and the settings, so re-running on the same input replaces its own partition
with the same rows: runs are idempotent.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from pathlib import Path
from typing import Any

import polars as pl

from cleaners.schemas import Schema, conform
from cleaners.settings import OutputSettings

TABLES = ("documents", "lines", "rejects", "flags")
MANIFEST_DIR = "runs"
STAGING_DIR = "_staging"


def write_parquet_atomic(frame: pl.DataFrame, path: str | Path, settings: OutputSettings | None = None) -> Path:
    """Write ``frame`` to ``path`` via a temporary file in the same folder, then rename."""
    settings = settings or OutputSettings()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        frame.write_parquet(temporary, compression=settings.compression,
                            compression_level=settings.compression_level, statistics=True)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    return path


def write_table(frame: pl.DataFrame, path: str | Path, schema: Schema, settings: OutputSettings | None = None) -> Path:
    """Write ``frame`` conformed to its declared ``schema`` (``cleaners/schemas.py``), atomically.

    Every staged and final table goes through here, so none is ever written without its schema.
    """
    return write_parquet_atomic(conform(frame, schema), path, settings)


def write_json_atomic(data: dict[str, Any], path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        temporary.write_text(json.dumps(data, indent=2, sort_keys=True, default=str) + "\n", encoding="utf-8")
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    return path


def commit_run(staging: str | Path, output_dir: str | Path, run_id: str, manifest: dict[str, Any]) -> Path:
    """Swap the staged tables into place as partition ``run_id`` and write the manifest.

    The manifest of an earlier run with the same id is removed first, so a crash in the middle
    leaves a run that ``inspect`` does not show, rather than one that is half old, half new.
    """
    staging, output_dir = Path(staging), Path(output_dir)
    manifest_path = output_dir / MANIFEST_DIR / f"{run_id}.json"
    manifest_path.unlink(missing_ok=True)
    for table in TABLES:
        staged = staging / table
        staged.mkdir(parents=True, exist_ok=True)
        target = output_dir / table / f"run_id={run_id}"
        target.parent.mkdir(parents=True, exist_ok=True)
        old = None
        if target.exists():
            old = staging / f"old-{table}"
            os.replace(target, old)
        os.replace(staged, target)
        if old is not None:
            shutil.rmtree(old)
    write_json_atomic(manifest, manifest_path)
    shutil.rmtree(staging, ignore_errors=True)
    return manifest_path


def list_runs(output_dir: str | Path) -> list[dict[str, Any]]:
    """Manifests of committed runs, oldest first (by finish time)."""
    folder = Path(output_dir) / MANIFEST_DIR
    if not folder.is_dir():
        return []
    manifests = [json.loads(path.read_text(encoding="utf-8")) for path in folder.glob("*.json")]
    return sorted(manifests, key=lambda manifest: (manifest.get("finished_at", ""), manifest["run_id"]))


def latest_run(output_dir: str | Path) -> dict[str, Any] | None:
    runs = list_runs(output_dir)
    return runs[-1] if runs else None


def scan_table(output_dir: str | Path, table: str, run_id: str | None = None) -> pl.LazyFrame:
    """Lazily read one table (every run, or one run) with ``run_id`` from the partition path."""
    base = Path(output_dir) / table
    pattern = base / (f"run_id={run_id}" if run_id else "*") / "*.parquet"
    return pl.scan_parquet(str(pattern), hive_partitioning=True, hive_schema={"run_id": pl.String})
