"""Commit a run's finished Parquet files to a Delta table without rewriting them.

The apply stage already wrote each final table as zstd Parquet parts in the run's staging
folder. Rewriting them through a Delta writer at commit time would read and encode every row a
second time (and buffer whole files in memory), so the commit instead places the parts under
the table (a hard link on a local disk, a server-side copy on an object store) and records them
in one Delta transaction:

- a **full run** overwrites the table: the new files are added, every current file removed;
- an **incremental run** appends its files and, in the same transaction, replaces each current
  file holding rows of a re-read source by a copy without those rows (only those files are
  rewritten; the rest of the table is not touched).

Tables are not partitioned: a partitioned overwrite only conflicts with concurrent writes to
the partitions it writes, so two racing full runs could both land. Unpartitioned, a commit that
lost a race fails (tested), and every row carries its ``run_id`` as a plain column.
"""

from __future__ import annotations

import json
import time
from typing import Any

import polars as pl
import pyarrow as pa
from deltalake import CommitProperties, DeltaTable, Schema, Transaction
from deltalake.exceptions import TableNotFoundError
from deltalake.transaction import AddAction, RemoveAction

from cleaners import faults, storage


def _now_ms() -> int:
    return int(time.time() * 1000)


def _rows(place: Any) -> int:
    return int(pl.scan_parquet(storage.uri(place)).select(pl.len()).collect().item())


def _add(table_root: Any, relative: str, rows: int) -> AddAction:
    size = int((table_root / relative).stat().st_size)
    return AddAction(relative, size, {}, _now_ms(), True, json.dumps({"numRecords": rows}))


def place_files(table_root: Any, staged: list[Any], run_id: str, attempt: str) -> list[AddAction]:
    """Put the staged parts (those with rows) in the table's folder, named by run and attempt."""
    actions = []
    table_root.mkdir(parents=True, exist_ok=True)
    for number, part in enumerate(staged):
        rows = _rows(part)
        if not rows:
            continue
        relative = f"part-{run_id}-{attempt}-{number:05d}.parquet"
        storage.copy_file(part, table_root / relative)
        actions.append(_add(table_root, relative, rows))
    return actions


def _current_files(delta: DeltaTable) -> list[tuple[str, int]]:
    """``(path, size)`` of every file of the table's current version."""
    actions = pl.from_arrow(pa.table(delta.get_add_actions(flatten=True)))
    assert isinstance(actions, pl.DataFrame)
    return list(actions.select("path", "size_bytes").iter_rows())


def replace_sources(delta: DeltaTable, table_root: Any, sources: list[str], attempt: str) -> list[Any]:
    """Remove actions for the current files holding rows of ``sources``, and add actions for
    copies of them without those rows (written beside them)."""
    drop = pl.Series(sorted(set(sources)), dtype=pl.String).implode()
    actions: list[Any] = []
    for number, (path, size) in enumerate(_current_files(delta)):
        uri = storage.uri(table_root / path)
        hit = pl.col("source").is_in(drop).fill_null(False)  # a null source is never dropped by accident
        if not pl.scan_parquet(uri).select("source").filter(hit).head(1).collect().height:
            continue
        kept = pl.scan_parquet(uri).filter(~hit).collect()
        actions.append(RemoveAction(path, True, _now_ms(), size, {}))
        if kept.height:
            relative = f"part-kept-{attempt}-{number:05d}.parquet"
            faults.step(f"write {relative}")
            with (table_root / relative).open("wb") as handle:
                kept.write_parquet(handle, compression="zstd", statistics=True)
            actions.append(_add(table_root, relative, kept.height))
    return actions


def ensure_table(table_root: Any, schema: pa.Schema) -> DeltaTable:
    """The table at ``table_root``, created empty (version 0) if it does not exist yet.

    Every write is then a commit to an existing table, where Delta's conflict checks hold: an
    overwrite that loses a race fails. (A writer that loses the race to *create* a table would
    otherwise be retried without removing the winner's files, and both would be current.)
    """
    uri, options = storage.uri(table_root), storage.delta_options(table_root)
    try:
        return _with_columns_of(DeltaTable(uri, storage_options=options), schema, options)
    except TableNotFoundError:
        pass
    try:
        return DeltaTable.create(uri, Schema.from_arrow(schema), mode="ignore", storage_options=options)
    except Exception:  # another writer created it first
        return DeltaTable(uri, storage_options=options)


def _with_columns_of(delta: DeltaTable, schema: pa.Schema, options: dict[str, str] | None) -> DeltaTable:
    """A table written by an older schema version gains the columns added since (a minor version
    only adds columns): one metadata commit, after which its older files read those columns as
    null and new files can carry them."""
    present = set(delta.schema().to_arrow().names)
    missing = [Schema.from_arrow(pa.schema([field])).fields[0] for field in schema if field.name not in present]
    if not missing:
        return delta
    delta.alter.add_columns(missing)
    return DeltaTable(delta.table_uri, storage_options=options)


WRITER_APP_ID = "textwash"


def exclusive_commit(delta: DeltaTable, metadata: dict[str, str]) -> CommitProperties:
    """Commit properties that make two commits from the same snapshot conflict.

    Each textwash commit carries an application transaction (``txn``) for one app id, numbered
    by the version it was based on. Delta's conflict check fails a commit when a concurrent
    winner updated an app id it carries, so an overwrite that lost a race is refused instead of
    being retried on top of the winner (which Delta allows for writes that read no files).
    """
    return CommitProperties(custom_metadata=metadata,
                            app_transactions=[Transaction(WRITER_APP_ID, delta.version() + 1)])


def commit_files(table_root: Any, schema: pa.Schema, staged: list[Any], run_id: str, attempt: str,
                 replaced: list[str] | None, metadata: dict[str, str]) -> int:
    """One Delta commit of the staged parts to the table at ``table_root``; the new version.

    ``replaced=None`` overwrites the table (full run); a list of sources replaces their rows
    and appends the rest (incremental run).
    """
    uri, options = storage.uri(table_root), storage.delta_options(table_root)
    delta = ensure_table(table_root, schema)
    properties = exclusive_commit(delta, metadata)
    adds = place_files(table_root, staged, run_id, attempt)
    faults.step(f"commit {table_root}")
    if replaced is None:
        delta.create_write_transaction(list[Any](adds), mode="overwrite", schema=schema, commit_properties=properties)
    else:
        actions = [*replace_sources(delta, table_root, replaced, attempt), *adds]
        delta.create_write_transaction(actions, mode="append", schema=schema, commit_properties=properties)
    return DeltaTable(uri, storage_options=options).version()
