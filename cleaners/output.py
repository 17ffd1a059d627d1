"""The output tables as Delta Lake tables: one current view per table, every run kept as history.

Layout under the output folder (local or ``s3://…``)::

    documents/   lines/   rejects/   flags/    Delta tables: Parquet files + _delta_log/
    runs/                                      Delta table: one row per committed run (the commit record)
    index/<version>/                           the cross-run index (cleaners/index.py)
    _staging/                                  work in progress; readers never look here

A plain Delta read of a table (``pl.read_delta``, ``deltalake.DeltaTable``, DuckDB over its
``file_uris()``, Spark) is the **current view**: a full run replaces the table, an incremental
run replaces the rows of the files it re-read and adds the new ones, and a run with nothing to
do commits nothing. Every row carries the ``run_id`` that wrote it. Each earlier state stays
readable: the ``runs`` row of a run records the version of every table it left behind, so
``scan_table(output, "lines", run_id=…)`` (or ``pl.read_delta(path, version=…)``) reads the
table as of that run. ``docs/TABLE_FORMAT.md`` says why Delta and not Hive folders + manifests.

**Commit.** Each table's write is one atomic Delta commit (a new log entry; on S3 a conditional
PUT, so two writers can never both win). A run commits its tables one by one, then appends its
row to ``runs`` — that row is the run's commit point, and it also names the run's index version,
so tables and index become current together. A run killed before that row exists is rolled back
by :func:`recover` (each table restored to the version the last committed run recorded), which
every run, reindex and vacuum calls first. Readers that go through ``runs`` (:func:`scan_table`,
``cleaners.analysis``, ``textwash inspect``) read the versions it records, so they never see a
half-committed run; a raw Delta read can, until the next run rolls it back.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import polars as pl
import pyarrow as pa
from deltalake import CommitProperties, DeltaTable, WriterProperties, write_deltalake
from deltalake.exceptions import TableNotFoundError

from cleaners import faults, schemas, storage
from cleaners.schemas import Schema, conform
from cleaners.settings import OutputSettings

TABLES = ("documents", "lines", "rejects", "flags")
RUNS_TABLE = "runs"
STAGING_DIR = "_staging"
RUN_KEY = "textwash.run_id"  # commit metadata: which run wrote a table version


class LegacyOutput(RuntimeError):
    """An output folder written by textwash before the Delta layout (schema 1.3 and older)."""


# ------------------------------------------------------------------ small files

def write_parquet_atomic(frame: pl.DataFrame, path: Any, settings: OutputSettings | None = None) -> Any:
    """Write ``frame`` as Parquet to ``path`` atomically (local rename, or one PUT on a store)."""
    settings = settings or OutputSettings()
    path = storage.location(path)
    faults.step(f"write {path}")
    if storage.is_local(path):
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
        try:
            frame.write_parquet(temporary, compression=settings.compression,
                                compression_level=settings.compression_level, statistics=True)
            temporary.replace(path)
        finally:
            temporary.unlink(missing_ok=True)
    else:
        with path.open("wb") as handle:
            frame.write_parquet(handle, compression=settings.compression,
                                compression_level=settings.compression_level, statistics=True)
    return path


def write_table(frame: pl.DataFrame, path: Any, schema: Schema, settings: OutputSettings | None = None) -> Any:
    """Write ``frame`` conformed to its declared ``schema`` (``cleaners/schemas.py``), atomically.

    Every staged file goes through here, so none is ever written without its schema.
    """
    return write_parquet_atomic(conform(frame, schema), path, settings)


def write_json_atomic(data: dict[str, Any], path: Any) -> Any:
    path = storage.location(path)
    storage.write_bytes(path, (json.dumps(data, indent=2, sort_keys=True, default=str) + "\n").encode())
    return path


# ------------------------------------------------------------------ Delta tables

def table_location(output_dir: Any, table: str) -> Any:
    return storage.location(output_dir) / table


def open_table(output_dir: Any, table: str, version: int | None = None) -> DeltaTable | None:
    """The Delta table ``table`` of an output folder (at ``version``), or None if it has none."""
    place = table_location(output_dir, table)
    try:
        return DeltaTable(storage.uri(place), version=version, storage_options=storage.delta_options(place))
    except TableNotFoundError:
        return None


def check_layout(output_dir: Any) -> None:
    """Refuse an output folder in the pre-Delta layout, saying how to convert it."""
    runs = storage.location(output_dir) / RUNS_TABLE
    if runs.exists() and not (runs / "_delta_log").exists() and any(runs.glob("*.json")):
        raise LegacyOutput(f"{output_dir} was written by an older textwash (Hive folders + JSON manifests); "
                           f"convert it once with: textwash upgrade {output_dir}")


def _batches(frame: pl.LazyFrame, schema: pa.Schema) -> pa.RecordBatchReader:
    def generate() -> Iterator[pa.RecordBatch]:
        for chunk in frame.collect_batches(chunk_size=200_000):
            yield from chunk.to_arrow().cast(schema).to_batches()
    return pa.RecordBatchReader.from_batches(schema, generate())


def committed_schema(table: str) -> Schema:
    """A final table's columns as committed (its declared schema, ``run_id`` included)."""
    return schemas.FINAL[table]


def _quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def write_delta(output_dir: Any, table: str, rows: pl.LazyFrame, run_id: str,
                replace_sources: list[str] | None, settings: OutputSettings) -> int:
    """Commit ``rows`` to one table in one Delta commit; return the new version.

    ``replace_sources=None`` replaces the whole table (a full run). A list replaces only the
    rows whose ``source`` is in it (an incremental run: the files it re-read, whose rows all
    carry one of those sources) and keeps every other row.
    """
    place = table_location(output_dir, table)
    schema = committed_schema(table)
    arrow_schema = schemas.empty(schema).to_arrow().schema
    rows = rows.with_columns(run_id=pl.lit(run_id)).select(list(schema)).cast(pl.Schema(schema))
    from cleaners.delta_files import ensure_table, exclusive_commit

    existed = open_table(output_dir, table) is not None
    delta = ensure_table(place, arrow_schema)
    predicate = None
    if replace_sources is not None and existed:
        predicate = "source IN (" + ", ".join(_quote(source) for source in sorted(set(replace_sources))) + ")"
    codec: Any = settings.compression.upper()
    properties = WriterProperties(compression=codec, compression_level=settings.compression_level
                                  if codec in ("ZSTD", "GZIP", "BROTLI") else None)
    faults.step(f"commit {table}")
    write_deltalake(storage.uri(place), _batches(rows, arrow_schema), mode="overwrite", predicate=predicate,
                    schema_mode="overwrite" if predicate is None else None,
                    storage_options=storage.delta_options(place), writer_properties=properties,
                    commit_properties=exclusive_commit(delta, {RUN_KEY: run_id}))
    table_now = open_table(output_dir, table)
    assert table_now is not None
    return table_now.version()


def commit_parts(output_dir: Any, table: str, parts: list[Any], run_id: str, attempt: str,
                 replace_sources: list[str] | None) -> int:
    """Commit a run's staged Parquet parts of ``table`` without rewriting them
    (:mod:`cleaners.delta_files`); same semantics as :func:`write_delta`. The new version."""
    from cleaners import delta_files

    schema = schemas.empty(committed_schema(table)).to_arrow().schema
    return delta_files.commit_files(table_location(output_dir, table), schema, parts, run_id, attempt,
                                    replace_sources, {RUN_KEY: run_id})


# ------------------------------------------------------------------ runs: the commit record

def _runs_frame(manifest: dict[str, Any], attempt: str, versions: dict[str, int], index_version: str | None,
                kind: str | None, seq: int) -> pl.DataFrame:
    return pl.DataFrame([{
        "seq": seq, "run_id": manifest["run_id"], "attempt": attempt,
        "kind": kind or ("incremental" if manifest.get("incremental") else "full"),
        "started_at": manifest["started_at"], "finished_at": manifest["finished_at"],
        "schema_version": manifest["schema_version"], "input_dir": manifest["input_dir"],
        "table_versions": json.dumps(versions, sort_keys=True), "index_version": index_version,
        "manifest": json.dumps(manifest, sort_keys=True, default=str),
    }], schema=dict(schemas.RUNS))


def record_run(output_dir: Any, manifest: dict[str, Any], attempt: str, versions: dict[str, int],
               index_version: str | None, kind: str | None = None) -> None:
    """Append the run's row to ``runs``: the moment the run (tables and index) becomes current.

    ``kind`` is ``full`` or ``incremental`` (from the manifest) unless given (``reindex``).
    """
    from cleaners.delta_files import ensure_table, exclusive_commit

    place = table_location(output_dir, RUNS_TABLE)
    delta = ensure_table(place, schemas.empty(schemas.RUNS).to_arrow().schema)
    # The order of runs is the order of their commits, never a clock (hosts' clocks differ):
    # seq = the number of runs before this one. A racing append fails (exclusive_commit).
    seq = int(delta.count()) + 1 if delta.version() > 0 else 1
    faults.step(f"commit runs row {manifest['run_id']}")
    write_deltalake(storage.uri(place), _runs_frame(manifest, attempt, versions, index_version, kind, seq).to_arrow(),
                    mode="append", storage_options=storage.delta_options(place),
                    commit_properties=exclusive_commit(delta, {RUN_KEY: manifest["run_id"]}))


def run_rows(output_dir: Any) -> pl.DataFrame:
    """Every committed run, oldest first (the ``runs`` table, in commit order)."""
    check_layout(output_dir)
    table = open_table(output_dir, RUNS_TABLE)
    if table is None:
        return schemas.empty(schemas.RUNS)
    rows = pl.from_arrow(table.to_pyarrow_table())
    assert isinstance(rows, pl.DataFrame)
    return rows.sort("seq")


def _as_manifest(row: dict[str, Any]) -> dict[str, Any]:
    manifest: dict[str, Any] = json.loads(row["manifest"])
    manifest.update(attempt=row["attempt"], seq=row["seq"], table_versions=json.loads(row["table_versions"]),
                    index_version=row["index_version"], kind=row["kind"])
    return manifest


def list_runs(output_dir: Any) -> list[dict[str, Any]]:
    """Manifests of committed runs, oldest first, each with its table versions and index version."""
    return [_as_manifest(row) for row in run_rows(output_dir).iter_rows(named=True)]


def latest_run(output_dir: Any) -> dict[str, Any] | None:
    runs = list_runs(output_dir)
    return runs[-1] if runs else None


def find_run(output_dir: Any, run: str) -> dict[str, Any] | None:
    """The committed run whose id (or attempt) starts with ``run``; the latest such run."""
    matches = [manifest for manifest in list_runs(output_dir)
               if manifest["run_id"].startswith(run) or manifest["attempt"].startswith(run)]
    return matches[-1] if matches else None


def recover(output_dir: Any) -> list[str]:
    """Roll back table commits that no committed run owns (a run killed mid-commit).

    Each table goes back to the version the latest committed run recorded; a table created by
    a run that never committed is removed. Returns the tables rolled back.
    """
    check_layout(output_dir)
    last = latest_run(output_dir)
    expected = last["table_versions"] if last else {}
    rolled_back = []
    for table in TABLES:
        delta = open_table(output_dir, table)
        if delta is None:
            continue
        version = expected.get(table)
        if version is None:
            storage.remove_tree(table_location(output_dir, table))
            rolled_back.append(table)
        elif delta.version() > version:
            faults.step(f"restore {table}")
            delta.restore(version, commit_properties=CommitProperties(custom_metadata={RUN_KEY: "recover"}))
            rolled_back.append(table)
    return rolled_back


def table_version(output_dir: Any, table: str, run_id: str | None = None) -> int | None:
    """The version of ``table`` that the latest committed run (or run ``run_id``) left; None if none."""
    check_layout(output_dir)
    if run_id is None:
        run = latest_run(output_dir)
    else:
        run = find_run(output_dir, run_id)
        if run is None:
            raise KeyError(f"no committed run {run_id} in {output_dir}")
    return run["table_versions"].get(table) if run else None


def scan_table(output_dir: Any, table: str, run_id: str | None = None) -> pl.LazyFrame:
    """A table's current view, lazily; with ``run_id``, the table as that run left it."""
    version = table_version(output_dir, table, run_id)
    if version is None:
        return schemas.empty(committed_schema(table)).lazy()
    place = table_location(output_dir, table)
    scanned = pl.scan_delta(storage.uri(place), version=version, storage_options=storage.delta_options(place))
    # Declared order, whatever order an upgraded table gained its columns in; a version written
    # before a column was added reads it as null.
    schema = committed_schema(table)
    present = set(scanned.collect_schema().names())
    later = [pl.lit(None, dtype=dtype).alias(name) for name, dtype in schemas.LATER_COLUMNS.items()
             if name in schema and name not in present]
    return scanned.with_columns(later).select([name for name in schema if name in present or
                                               name in schemas.LATER_COLUMNS])


def vacuum(output_dir: Any, older_than_hours: float) -> dict[str, int]:
    """Delete the data files that no table version newer than ``older_than_hours`` needs.

    History is kept until then: runs older than that can no longer be read back. Returns the
    number of files deleted per table.
    """
    from cleaners.index import run_lock

    check_layout(output_dir)
    deleted = {}
    with run_lock(output_dir):  # never under a running commit
        recover(output_dir)  # first roll back a killed run, whose restore needs the files vacuum would delete
        for table in (*TABLES, RUNS_TABLE):
            delta = open_table(output_dir, table)
            if delta is None:
                continue
            removed = delta.vacuum(retention_hours=max(0, round(older_than_hours)), enforce_retention_duration=False,
                                   dry_run=False)
            deleted[table] = len(removed)
    return deleted
