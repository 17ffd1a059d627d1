"""Convert an output folder of the Hive layout (textwash schema 1.3 and older) to Delta tables.

The old layout kept one ``<table>/run_id=<run>/`` partition per run and a JSON manifest per run in
``runs/``; a reader had to work out which partitions made up the current state. The conversion
replays the old runs in the order they finished, each as the commit it would be today (a full
run replaces a table, an incremental run replaces the rows of the files it read), so the Delta
history has one version per old run. The index is then rebuilt from the tables. The old folders
are moved aside to ``_legacy-<time>/``, never deleted.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import polars as pl

from cleaners import index, output, schemas, storage
from cleaners.settings import OutputSettings

LEGACY_FOLDERS = ("documents", "lines", "rejects", "flags", "runs", "index")


def _legacy_manifests(folder: Any) -> list[dict[str, Any]]:
    manifests = [json.loads(path.read_text(encoding="utf-8")) for path in (folder / "runs").glob("*.json")]
    return sorted(manifests, key=lambda manifest: (manifest.get("finished_at", ""), manifest["run_id"]))


def _legacy_rows(folder: Any, table: str, run_id: str) -> pl.DataFrame:
    files = sorted((folder / table / f"run_id={run_id}").glob("*.parquet"))
    if not files:
        return schemas.empty(schemas.FINAL[table])
    return pl.concat([pl.read_parquet(storage.uri(path)) for path in files], how="diagonal_relaxed")


def _move(source: Any, target: Any) -> None:
    if storage.is_local(source):
        target.parent.mkdir(parents=True, exist_ok=True)
        source.replace(target)
    else:
        source.fs.mv(str(source), str(target), recursive=True)


def upgrade_output(output_dir: Any) -> dict[str, Any]:
    """Convert ``output_dir`` in place; return what was converted."""
    output_dir = storage.location(output_dir)
    try:
        output.check_layout(output_dir)
        return {"converted_runs": 0, "note": "already in the Delta layout"}
    except output.LegacyOutput:
        pass
    with index.run_lock(output_dir):
        legacy = output_dir / f"_legacy-{datetime.now(UTC).strftime('%Y%m%dT%H%M%S')}"
        for name in LEGACY_FOLDERS:
            if (output_dir / name).exists():
                _move(output_dir / name, legacy / name)
        manifests = _legacy_manifests(legacy)
        for number, manifest in enumerate(manifests):
            run_id = manifest["run_id"]
            frames = {table: _legacy_rows(legacy, table, run_id) for table in output.TABLES}
            sources = frames["documents"].select("doc_id", "source")
            for table in ("lines", "flags"):
                if "source" not in frames[table].columns:
                    frames[table] = frames[table].join(sources, on="doc_id", how="left")
            incremental = bool(manifest.get("incremental"))
            touched = set(manifest.get("files", {}).get("digests", {}))
            for frame in frames.values():
                touched |= set(frame["source"].drop_nulls().to_list())
            versions = {}
            for table, frame in frames.items():
                frame = schemas.with_later_columns(frame, schemas.FINAL[table])
                rows = schemas.conform(frame.with_columns(pl.col("source").fill_null(""), run_id=pl.lit(run_id)),
                                       schemas.FINAL[table])
                versions[table] = output.write_delta(output_dir, table, rows.lazy(), run_id,
                                                     sorted(touched | {""}) if incremental else None, OutputSettings())
            manifest = {**manifest, "upgraded_from": "1.3"}
            output.record_run(output_dir, manifest, f"upgraded-{number:04d}-{run_id[:12]}", versions, None)
    from cleaners.pipeline import rebuild_index

    rebuilt = rebuild_index(output_dir)
    return {"converted_runs": len(manifests), "legacy_folder": storage.uri(legacy), "index": rebuilt}
