"""A run from start to finish, without Prefect: plan it, execute the stage plan, commit it.

:func:`make_job` turns an input folder and settings into a :class:`~cleaners.stages.Job` (the
files to read, split into shards; the partition count; the staging folder); the stages in
:data:`cleaners.plan.PLAN` do the work; :func:`finish_run` names the run, commits its tables and
writes its manifest and the cross-run index. :func:`run_local` does all three in this process or
a pool of worker processes; ``flows/clean_corpus.py`` does the same with Prefect tasks.
"""

from __future__ import annotations

import math
import platform
import shutil
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import polars as pl

from cleaners import SCHEMA_VERSION, __version__, index, schemas
from cleaners.dedup import (
    add_keys,
    boilerplate_occurrences,
    document_shingles,
    in_document_duplicates,
    keyed_lines,
    minhash_bands,
)
from cleaners.hashing import stable_bucket, stable_hex
from cleaners.ingest import content_digest, discover
from cleaners.output import commit_run
from cleaners.plan import ProcessRunner, SerialRunner, default_workers, execute, useful_workers
from cleaners.settings import Settings
from cleaners.stages import Job, scan_parts
from cleaners.staging import Staging

#: Input per dedup partition when ``dedup.partitions`` is 0 (auto): a reduce then holds about
#: this much input's worth of shingles, bands or short-line occurrences.
PARTITION_INPUT_BYTES = 48_000_000


class FolderError(ValueError):
    """The input and output folders cannot be used together."""


def check_folders(input_dir: str | Path, output_dir: str | Path) -> None:
    """Refuse an output folder inside (or equal to) the input folder: every run would read its
    own output, staging and index back in as input."""
    source, target = Path(input_dir).resolve(), Path(output_dir).resolve()
    if target == source or source in target.parents:
        raise FolderError(f"output folder {output_dir} is inside the input folder {input_dir}; "
                          "choose an output folder outside it")


def shard_sources(sources: list[str], n_shards: int) -> list[list[str]]:
    """Split relative paths into ``n_shards`` lists by a stable hash: same split on any machine."""
    shards: list[list[str]] = [[] for _ in range(n_shards)]
    for source in sorted(sources):
        shards[stable_bucket(source, n_shards)].append(source)
    return shards


def plan_run(input_dir: str | Path, output_dir: str | Path, sources: list[str],
             settings: Settings) -> dict[str, str | None]:
    """``source → content hash`` of the files this run reads: all of ``sources``, or in an
    incremental run only those new or changed since the index. Each file is hashed once here
    (ingest reads it again, usually from the page cache)."""
    digests = {source: content_digest(input_dir, source) for source in sorted(sources)}
    if not settings.run.incremental:
        return digests
    known = index.indexed_files(output_dir)
    return {source: digest for source, digest in digests.items() if digest is None or known.get(source) != digest}


def input_bytes(input_dir: str | Path, sources: list[str]) -> int:
    total = 0
    for source in sources:
        try:
            total += (Path(input_dir) / source).stat().st_size
        except OSError:
            pass
    return total


def make_job(input_dir: str | Path, output_dir: str | Path, digests: dict[str, str | None], settings: Settings,
             workers: int = 1) -> Job:
    """The job of one run: its shards, partitions and (resumable) staging folder.

    Shard and partition counts change neither the output nor the run id. ``run.shards = 0``
    means two shards per worker (so a slow shard does not leave a core idle);
    ``dedup.partitions = 0`` means one partition per ``PARTITION_INPUT_BYTES`` of input (at
    least four), so that a reduce's memory does not grow with the corpus.
    """
    sources = sorted(digests)
    shards = settings.run.shards or max(2, 2 * workers)
    partitions = settings.dedup.partitions or max(4, math.ceil(input_bytes(input_dir, sources)
                                                               / PARTITION_INPUT_BYTES))
    listing = [f"{source}={digest}" for source, digest in sorted(digests.items())]
    key = stable_hex(SCHEMA_VERSION, __version__, settings.model_dump_json(), str(shards), str(partitions), *listing)
    staging = Staging.under(output_dir, key)
    staging.root.mkdir(parents=True, exist_ok=True)
    return Job(input_dir=str(input_dir), staging=staging, settings=settings,
               shards=tuple(tuple(shard) for shard in shard_sources(sources, shards)), partitions=partitions)


def run_id_for(files: pl.DataFrame, settings: Settings) -> str:
    """Deterministic run id: the same files (by content) and settings give the same id."""
    listing = files.sort("source").select(
        pl.concat_str([pl.col("source"), pl.col("digest").fill_null("-")], separator="=")
    ).to_series().to_list()
    return stable_hex(SCHEMA_VERSION, __version__, settings.fingerprint_json(), *listing)


def _versions() -> dict[str, str]:
    versions = {"python": platform.python_version(), "textwash": __version__}
    for package in ("polars", "ftfy", "rapidfuzz", "xxhash", "prefect", "pydantic", "pyarrow"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            pass
    return versions


def count_tables(folder: str | Path) -> dict[str, Any]:
    """Counts of the tables under ``folder`` (a staging ``final`` folder or one run's partitions)."""
    folder = Path(folder)

    def scan(table: str) -> pl.LazyFrame:
        return scan_parts(folder / table, schemas.FINAL[table])

    by_status = scan("lines").group_by("status").len().collect()
    by_reason = scan("rejects").group_by("reason").len().collect()
    by_kind = scan("flags").group_by("kind").len().collect()
    documents = scan("documents").select(
        pl.len().alias("n"), (~pl.col("is_canonical")).sum().alias("noncanonical")).collect()
    return {
        "documents": documents["n"].item(),
        "documents_noncanonical": documents["noncanonical"].item(),
        "lines": int(by_status["len"].sum()),
        "lines_by_status": dict(sorted(zip(by_status["status"], by_status["len"]))),
        "rejects": int(by_reason["len"].sum()),
        "rejects_by_reason": dict(sorted(zip(by_reason["reason"], by_reason["len"]))),
        "flags": int(by_kind["len"].sum()),
        "flags_by_kind": dict(sorted(zip(by_kind["kind"], by_kind["len"]))),
    }


def top_boilerplate(staging: Staging, limit: int = 20) -> list[dict[str, Any]]:
    """The largest boilerplate clusters of a staged run: id, text, documents, variants."""
    if not staging.boilerplate.exists():
        return []
    return (
        pl.read_parquet(staging.boilerplate).group_by("cluster_id")
        .agg(pl.col("cluster_text").first(), pl.col("cluster_docs").first(), variants=pl.len())
        .sort(["cluster_docs", "cluster_id"], descending=[True, False]).head(limit).to_dicts()
    )


def top_document_clusters(staging: Staging, limit: int = 20) -> list[dict[str, Any]]:
    """The largest near-duplicate document clusters: canonical id, source, title, size."""
    files = sorted(staging.clusters_dir.glob("*.parquet")) if staging.clusters_dir.is_dir() else []
    if not files:
        return []
    top = (
        pl.scan_parquet([str(path) for path in files]).filter(pl.col("is_canonical"))
        .select("doc_id", "dup_cluster_id", "dup_cluster_size")
        .sort(["dup_cluster_size", "dup_cluster_id"], descending=[True, False]).head(limit).collect()
    )
    info = (pl.scan_parquet(str(staging.stage("documents") / "*.parquet")).select("doc_id", "source", "title")
            .filter(pl.col("doc_id").is_in(top["doc_id"].implode())).collect())
    return (top.join(info, on="doc_id", how="left")
            .select("dup_cluster_id", "source", "title", "dup_cluster_size").to_dicts())


def finish_run(job: Job, started_at: datetime, steps: dict[str, Any] | None = None) -> dict[str, Any]:
    """Name the run, commit its final tables and write its manifest and index; return the manifest."""
    staging, settings = job.staging, job.settings
    files = scan_parts(staging.stage("files"), schemas.FILES).collect()
    run_id = run_id_for(files, settings)
    if not staging.final_dir.exists():
        # A retry after this run's tables were committed (the index update failed): never
        # commit again (there is nothing staged: that would swap empty tables in).
        return _finish_committed(job, run_id, files)
    finished_at = datetime.now(UTC)
    manifest: dict[str, Any] = {
        "run_id": run_id,
        "schema_version": SCHEMA_VERSION,
        "started_at": started_at.isoformat(),
        "finished_at": finished_at.isoformat(),
        "duration_s": round((finished_at - started_at).total_seconds(), 3),
        "input_dir": str(Path(job.input_dir).resolve()),
        "output_dir": str(job.output_dir.resolve()),
        "settings": settings.model_dump(mode="json"),
        "versions": _versions(),
        "incremental": settings.run.incremental,
        "files": {
            "count": sum(len(shard) for shard in job.shards),
            "bytes": int(files["bytes"].fill_null(0).sum()),
            "by_format": dict(sorted(files.group_by("format").len().iter_rows())),
            "by_encoding": dict(sorted(files.drop_nulls("encoding").group_by("encoding").len().iter_rows())),
            "digests": dict(files.drop_nulls("digest").select("source", "digest").iter_rows()),
        },
        "counts": count_tables(staging.final_dir),
        "layout": {"shards": len(job.shards), "partitions": job.partitions},
        "stages": steps or {},
        "dedup": {**_dedup_summary(steps or {}), "top_boilerplate": top_boilerplate(staging),
                  "top_document_clusters": top_document_clusters(staging)},
        "tables": {table: f"{table}/run_id={run_id}" for table in schemas.FINAL},
    }
    commit_run(staging.final_dir, job.output_dir, run_id, manifest)
    _update_index(job, run_id, files)
    shutil.rmtree(staging.root, ignore_errors=True)
    return manifest


def _finish_committed(job: Job, run_id: str, files: pl.DataFrame) -> dict[str, Any]:
    """Finish a run whose tables an earlier attempt committed: update the index, clean up."""
    import json

    from cleaners.output import MANIFEST_DIR

    manifest_path = job.output_dir / MANIFEST_DIR / f"{run_id}.json"
    if not manifest_path.exists():
        raise RuntimeError(f"run {run_id}: the staged tables are gone but no manifest was committed; "
                           "re-run from the start")
    manifest: dict[str, Any] = json.loads(manifest_path.read_text(encoding="utf-8"))
    _update_index(job, run_id, files)
    shutil.rmtree(job.staging.root, ignore_errors=True)
    return manifest


def _dedup_summary(steps: dict[str, Any]) -> dict[str, Any]:
    """What deduplication found, from the stages' counts (``{}`` when dedup is off)."""
    def counts(*names: str) -> dict[str, Any]:
        merged: dict[str, Any] = {}
        for name in names:
            merged.update({key: value for key, value in steps.get(name, {}).items() if key != "seconds"})
        return merged

    if "cluster-documents" not in steps:
        return {}
    return {"documents": counts("route-pairs", "verify-documents", "cluster-documents"),
            "boilerplate": counts("count-keys", "find-boilerplate")}


def _update_index(job: Job, run_id: str, files: pl.DataFrame) -> None:
    """After the tables are committed: the run's files, documents, shingles, bands and short-line
    occurrences into the cross-run index (replacing it after a full run, merged into it after an
    incremental one). The staged files are linked in, never read into memory."""
    staging = job.staging
    new_files = files.select("source", "digest").drop_nulls("digest").with_columns(run_id=pl.lit(run_id))
    incremental = job.settings.run.incremental
    replaced_docs = None
    if incremental:
        old_files = index.read_part(job.output_dir, "files").filter(~pl.col("source").is_in(new_files["source"].implode()))
        new_files = pl.concat([old_files, schemas.conform(new_files, schemas.INDEX_FILES)])
        doc_info = sorted(staging.stage("doc_info").glob("*.parquet"))
        replaced_docs = (pl.scan_parquet([str(path) for path in doc_info]).select("doc_id").collect()["doc_id"].to_list()
                         if doc_info else [])

    def staged(folder: Path, pattern: str = "*.parquet") -> list[Path]:
        return sorted(folder.glob(pattern)) if folder.is_dir() else []

    parts = {"doc_info": staged(staging.stage("doc_info")), "shingles": staged(staging.stage("shingles")),
             "bands": staged(staging.mapped("bands"), "p=*/*.parquet"),
             "occurrences": staged(staging.mapped("occurrences"), "p=*/*.parquet")}
    index.write_index(job.output_dir, new_files, parts, replaced_docs)


def rebuild_index(output_dir: str | Path, settings: Settings | None = None) -> dict[str, int]:
    """Rebuild the cross-run index from the committed output tables and manifests alone.

    Every committed run is read in order; a document re-processed by a later run counts in its
    latest version. Keys, shingles and bands are recomputed with the same functions as a run.
    (This reads the output's documents and lines into memory at once.)
    """
    from cleaners.output import list_runs, scan_table

    settings = settings or Settings()
    runs = list_runs(output_dir)
    order = {run["run_id"]: number for number, run in enumerate(runs)}
    with index.run_lock(output_dir):
        if not runs:
            index.write_index(output_dir, schemas.empty(schemas.INDEX_FILES), {})
            return {"runs": 0, "documents": 0}
        documents = (
            scan_table(output_dir, "documents").select("doc_id", "source", "run_id").collect()
            .with_columns(order=pl.col("run_id").replace_strict(order, return_dtype=pl.Int64))
            .sort("order").unique("doc_id", keep="last")
        )
        lines = (
            scan_table(output_dir, "lines").select("doc_id", "line_no", "text", "run_id").collect()
            .join(documents.select("doc_id", "run_id"), on=["doc_id", "run_id"], how="semi")
            .select("doc_id", "line_no", "text")
        )
        lines = add_keys(lines.with_columns(pl.col("line_no").cast(pl.Int32)))
        doc_info = (
            documents.select("doc_id", "source", row=pl.lit(0, dtype=pl.Int64))
            .join(lines.group_by("doc_id").agg(n_chars=pl.col("text").str.len_chars().sum()), on="doc_id", how="left")
            .with_columns(pl.col("n_chars").fill_null(0))
        )
        keyed = keyed_lines(lines)
        shingles = document_shingles(keyed, in_document_duplicates(keyed, settings.dedup), settings.dedup)
        digests = {}
        for run in runs:
            for source, digest in run.get("files", {}).get("digests", {}).items():
                digests[source] = (digest, run["run_id"])
        files = pl.DataFrame([{"source": source, "digest": digest, "run_id": run_id}
                              for source, (digest, run_id) in sorted(digests.items())], schema=dict(schemas.INDEX_FILES))
        scratch = Path(output_dir) / f"index.rebuild-{stable_hex(*order)}"
        scratch.mkdir(parents=True, exist_ok=True)
        parts = {"doc_info": doc_info, "shingles": shingles, "bands": minhash_bands(shingles, settings.dedup),
                 "occurrences": boilerplate_occurrences(lines, doc_info, settings.dedup)}
        paths = {}
        for part, frame in parts.items():
            paths[part] = [scratch / f"{part}.parquet"]
            schemas.conform(frame, index.PARTS[part]).write_parquet(paths[part][0])
        index.write_index(output_dir, files, paths)
        shutil.rmtree(scratch, ignore_errors=True)
    return {"runs": len(runs), "documents": documents.height}


def run_local(input_dir: str | Path, output_dir: str | Path, settings: Settings | None = None,
              workers: int | None = 1) -> dict[str, Any]:
    """Every stage of :data:`cleaners.plan.PLAN` without Prefect: in this process (``workers=1``,
    the default: tests and debugging) or in a pool of that many worker processes (``None``: one
    per core). The output is the same for any number of workers."""
    settings = settings or Settings()
    workers = workers or settings.run.workers or default_workers()
    check_folders(input_dir, output_dir)
    with index.run_lock(output_dir):
        started_at = datetime.now(UTC)
        digests = plan_run(input_dir, output_dir, discover(input_dir), settings)
        job = make_job(input_dir, output_dir, digests, settings, workers)
        workers = useful_workers(input_bytes(input_dir, list(digests)), workers)
        if workers == 1:
            return finish_run(job, started_at, execute(job, SerialRunner()))
        with ProcessRunner(workers) as runner:
            return finish_run(job, started_at, execute(job, runner))
