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
import uuid
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import polars as pl

from cleaners import SCHEMA_VERSION, __version__, faults, index, output, schemas, storage
from cleaners.dedup import (
    add_keys,
    boilerplate_occurrences,
    content_grams,
    document_shingles,
    in_document_duplicates,
    keyed_lines,
    minhash_bands,
)
from cleaners.hashing import stable_bucket, stable_hex
from cleaners.ingest import content_digest, discover
from cleaners.paragraphs import paragraph_anchors
from cleaners.plan import ProcessRunner, Progress, SerialRunner, default_workers, execute, useful_workers
from cleaners.settings import Settings
from cleaners.stages import Job, scan_parts
from cleaners.staging import Staging

#: Input per dedup partition when ``dedup.partitions`` is 0 (auto): a reduce then holds about
#: this much input's worth of shingles, bands or short-line occurrences.
PARTITION_INPUT_BYTES = 48_000_000
STAGING_REBUILD = "_staging/reindex"


class FolderError(ValueError):
    """The input and output folders cannot be used together."""


def check_folders(input_dir: Any, output_dir: Any) -> None:
    """Refuse an output folder inside (or equal to) the input folder: every run would read its
    own output, staging and index back in as input."""
    if storage.is_url(input_dir) or storage.is_url(output_dir):
        source, target = str(input_dir).rstrip("/") + "/", str(output_dir).rstrip("/") + "/"
        inside = target.startswith(source)
    else:
        resolved_source, resolved_target = Path(input_dir).resolve(), Path(output_dir).resolve()
        inside = resolved_target == resolved_source or resolved_source in resolved_target.parents
    if inside:
        raise FolderError(f"output folder {output_dir} is inside the input folder {input_dir}; "
                          "choose an output folder outside it")


def shard_sources(sources: list[str], n_shards: int) -> list[list[str]]:
    """Split relative paths into ``n_shards`` lists by a stable hash: same split on any machine."""
    shards: list[list[str]] = [[] for _ in range(n_shards)]
    for source in sorted(sources):
        shards[stable_bucket(source, n_shards)].append(source)
    return shards


def plan_run(input_dir: Any, output_dir: Any, sources: list[str],
             settings: Settings) -> dict[str, str | None]:
    """``source → content hash`` of the files this run reads: all of ``sources``, or in an
    incremental run only those new or changed since the index. Each file is hashed once here
    (ingest reads it again, usually from the page cache)."""
    limit, extensions = settings.ingest.max_file_bytes, settings.ingest.extensions
    digests = {source: content_digest(input_dir, source, limit, extensions) for source in sorted(sources)}
    if not settings.run.incremental:
        return digests
    known = index.indexed_files(output_dir)
    return {source: digest for source, digest in digests.items() if digest is None or known.get(source) != digest}


def deleted_since(output_dir: Any, sources: list[str], settings: Settings) -> tuple[str, ...]:
    """In an incremental run, the files the index knows that are gone from the input: their
    rows leave the current view (a full run replaces everything anyway)."""
    if not settings.run.incremental:
        return ()
    return tuple(sorted(set(index.indexed_files(output_dir)) - set(sources)))


def input_bytes(input_dir: Any, sources: list[str]) -> int:
    root = storage.location(input_dir)
    total = 0
    for source in sources:
        try:
            total += (root / source).stat().st_size
        except OSError:
            pass
    return total


def make_job(input_dir: Any, output_dir: Any, digests: dict[str, str | None], settings: Settings,
             workers: int = 1, deleted: tuple[str, ...] = ()) -> Job:
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
    listing = [f"{source}={digest}" for source, digest in sorted(digests.items())] + [f"{s}=deleted" for s in deleted]
    key = stable_hex(SCHEMA_VERSION, __version__, settings.model_dump_json(), str(shards), str(partitions), *listing)
    staging = Staging.under(output_dir, key)
    staging.root.mkdir(parents=True, exist_ok=True)
    return Job(input_dir=str(input_dir), staging=staging, settings=settings,
               shards=tuple(tuple(shard) for shard in shard_sources(sources, shards)), partitions=partitions,
               run_id=run_id_for(digests, settings, deleted), deleted=tuple(deleted),
               attempt=f"{datetime.now(UTC).strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:12]}")


def run_id_for(digests: dict[str, str | None], settings: Settings, deleted: tuple[str, ...] = ()) -> str:
    """Deterministic run id: the same files (by content) and settings give the same id. Known
    before any stage runs, so every row written can carry it."""
    listing = [f"{source}={digest or '-'}" for source, digest in sorted(digests.items())]
    listing += [f"{source}=deleted" for source in deleted]
    return stable_hex(SCHEMA_VERSION, __version__, settings.fingerprint_json(), *listing)


def _versions() -> dict[str, str]:
    versions = {"python": platform.python_version(), "textwash": __version__}
    for package in ("polars", "ftfy", "rapidfuzz", "xxhash", "prefect", "pydantic", "pyarrow"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            pass
    return versions


def count_tables(folder: Any) -> dict[str, Any]:
    """Counts of the tables under ``folder`` (a staging ``final`` folder)."""

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
        pl.read_parquet(storage.uri(staging.boilerplate)).group_by("cluster_id")
        .agg(pl.col("cluster_text").first(), pl.col("cluster_docs").first(), variants=pl.len())
        .sort(["cluster_docs", "cluster_id"], descending=[True, False]).head(limit).to_dicts()
    )


def top_document_clusters(staging: Staging, limit: int = 20) -> list[dict[str, Any]]:
    """The largest near-duplicate document clusters: canonical id, source, title, size."""
    files = sorted(staging.clusters_dir.glob("*.parquet")) if staging.clusters_dir.exists() else []
    if not files:
        return []
    top = (
        pl.scan_parquet([storage.uri(path) for path in files]).filter(pl.col("is_canonical"))
        .select("doc_id", "dup_cluster_id", "dup_cluster_size")
        .sort(["dup_cluster_size", "dup_cluster_id"], descending=[True, False]).head(limit).collect()
    )
    info = (scan_parts(staging.stage("documents"), schemas.STAGED_DOCUMENTS).select("doc_id", "source", "title")
            .filter(pl.col("doc_id").is_in(top["doc_id"].implode())).collect())
    return (top.join(info, on="doc_id", how="left")
            .select("dup_cluster_id", "source", "title", "dup_cluster_size").to_dicts())


def finish_run(job: Job, started_at: datetime, steps: dict[str, Any] | None = None) -> dict[str, Any]:
    """Name the run and commit it: index version, tables, then its ``runs`` row; return the manifest.

    Safe to retry: a commit killed half-way is rolled back first (:func:`cleaners.output.recover`),
    and a retry of an attempt that already reached its ``runs`` row only cleans up.
    """
    with faults.armed():
        return _finish_run(job, started_at, steps)


def _finish_run(job: Job, started_at: datetime, steps: dict[str, Any] | None) -> dict[str, Any]:
    staging, settings, output_dir = job.staging, job.settings, job.output_dir
    output.recover(output_dir)
    last = output.latest_run(output_dir)
    if last and last["attempt"] == job.attempt:
        _clean_up(job)
        return last
    files = scan_parts(staging.stage("files"), schemas.FILES).collect()
    run_id = job.run_id
    sources = sorted(source for shard in job.shards for source in shard)
    finished_at = datetime.now(UTC)
    manifest: dict[str, Any] = {
        "run_id": run_id,
        "attempt": job.attempt,
        "schema_version": SCHEMA_VERSION,
        "started_at": started_at.isoformat(),
        "finished_at": finished_at.isoformat(),
        "duration_s": round((finished_at - started_at).total_seconds(), 3),
        "input_dir": storage.uri(storage.location(job.input_dir)),
        "output_dir": storage.uri(output_dir),
        "settings": settings.model_dump(mode="json"),
        "versions": _versions(),
        "incremental": settings.run.incremental,
        "files": {
            "count": len(sources),
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
    }
    manifest["files"]["deleted"] = list(job.deleted)
    if settings.run.incremental and not sources and not job.deleted and last is not None:
        # Nothing new or changed: the tables and the index stay as they are; the run is history.
        versions, index_version = last["table_versions"], last["index_version"]
    else:
        index_version = _write_index_version(job, run_id, files)
        replace = sorted({*sources, *job.deleted}) if settings.run.incremental else None
        versions = {}
        for table in output.TABLES:
            folder = staging.final_dir / table
            parts = sorted(folder.glob("*.parquet")) if folder.exists() else []
            versions[table] = output.commit_parts(output_dir, table, parts, run_id, job.attempt, replace)
    manifest["tables"] = versions
    output.record_run(output_dir, manifest, job.attempt, versions, index_version)
    _clean_up(job)
    return output.latest_run(output_dir) or manifest


def _clean_up(job: Job) -> None:
    """After the commit point: every index version no run names, and all staging: this run's,
    and any left by a killed attempt (the lock is held, so no live run owns any)."""
    index.remove_unused(job.output_dir)
    storage.remove_tree(job.staging.root)
    storage.remove_tree(job.staging.root.parent)


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


def _write_index_version(job: Job, run_id: str, files: pl.DataFrame) -> str:
    """The run's index version (not yet current): its files, documents, shingles, bands,
    short-line occurrences and content lines' anchors, replacing the index after a full run, merged into it after an
    incremental one. The staged files are linked or copied in, never read into memory."""
    staging = job.staging
    new_files = files.select("source", "digest").drop_nulls("digest").with_columns(run_id=pl.lit(run_id))
    replaced_docs = None
    if job.settings.run.incremental:
        gone = pl.Series([*new_files["source"], *job.deleted], dtype=pl.String).implode()
        old_files = index.read_part(job.output_dir, "files").filter(~pl.col("source").is_in(gone))
        new_files = pl.concat([old_files, schemas.conform(new_files, schemas.INDEX_FILES)])
        replaced_docs = scan_parts(staging.stage("doc_info"), schemas.DOC_INFO).select("doc_id").collect()["doc_id"].to_list()
        # Every indexed document of a re-read or deleted file goes, not only those read again.
        re_read = [source for shard in job.shards for source in shard]
        replaced_docs += index.stale_documents(job.output_dir, [*re_read, *job.deleted]).to_list()

    def staged(folder: Any, pattern: str = "*.parquet") -> list[Any]:
        return sorted(folder.glob(pattern)) if folder.exists() else []

    parts = {"doc_info": staged(staging.stage("doc_info")), "shingles": staged(staging.stage("shingles")),
             "bands": staged(staging.mapped("bands"), "p=*/*.parquet"),
             "occurrences": staged(staging.mapped("occurrences"), "p=*/*.parquet"),
             "anchors": staged(staging.mapped("anchors"), "p=*/*.parquet")}
    return index.write_index(job.output_dir, new_files, parts, replaced_docs, version=job.attempt)


def _indexed_digests(runs: list[dict[str, Any]]) -> pl.DataFrame:
    """``source, digest, run_id`` of the files behind the current view, from the run history:
    a full run starts afresh, an incremental run overrides the files it re-read."""
    digests: dict[str, tuple[str, str]] = {}
    for run in runs:
        if run["kind"] == "full":
            digests = {}
        for source, digest in run.get("files", {}).get("digests", {}).items():
            digests[source] = (digest, run["run_id"])
    return pl.DataFrame([{"source": source, "digest": digest, "run_id": run_id}
                         for source, (digest, run_id) in sorted(digests.items())], schema=dict(schemas.INDEX_FILES))


def rebuild_index(output_dir: Any, settings: Settings | None = None) -> dict[str, int]:
    """Rebuild the cross-run index from the current view of the tables and the run history.

    Keys, shingles and bands are recomputed with the same functions as a run; the new version
    becomes current with a ``reindex`` row in ``runs`` (the tables do not change). (This reads
    the current documents and lines into memory at once.)
    """
    settings = settings or Settings()
    output_dir = storage.location(output_dir)
    with index.run_lock(output_dir):
        output.recover(output_dir)
        runs = [run for run in output.list_runs(output_dir) if run["kind"] != "reindex"]
        if not runs:
            return {"runs": 0, "documents": 0}
        documents = output.scan_table(output_dir, "documents").select("doc_id", "source").collect()
        lines = output.scan_table(output_dir, "lines").select("doc_id", "line_no", "text").collect()
        lines = add_keys(lines.with_columns(pl.col("line_no").cast(pl.Int32)))
        doc_info = (
            documents.select("doc_id", "source", row=pl.lit(0, dtype=pl.Int64))
            .join(lines.group_by("doc_id").agg(n_chars=pl.col("text").str.len_chars().sum()), on="doc_id", how="left")
            .with_columns(pl.col("n_chars").fill_null(0))
        )
        keyed = keyed_lines(lines)
        duplicates = in_document_duplicates(keyed, settings.dedup)
        grams = content_grams(keyed, duplicates, settings.dedup)
        shingles = document_shingles(keyed, duplicates, settings.dedup, grams=grams)
        version = index.new_version()
        scratch = output_dir / STAGING_REBUILD / version
        parts = {"doc_info": doc_info, "shingles": shingles, "bands": minhash_bands(shingles, settings.dedup),
                 "occurrences": boilerplate_occurrences(lines, doc_info, settings.dedup),
                 "anchors": paragraph_anchors(grams, doc_info, settings.dedup)}
        paths = {}
        for part, frame in parts.items():
            paths[part] = [output.write_table(frame, scratch / f"{part}.parquet", index.PARTS[part])]
        index.write_index(output_dir, _indexed_digests(runs), paths, version=version)
        last = output.list_runs(output_dir)[-1]
        manifest = {key: value for key, value in last.items()
                    if key not in ("attempt", "seq", "table_versions", "index_version", "kind")}
        manifest["finished_at"] = datetime.now(UTC).isoformat()
        output.record_run(output_dir, manifest, f"reindex-{version}", last["table_versions"], version, kind="reindex")
        storage.remove_tree(scratch)
        index.remove_unused(output_dir)
    return {"runs": len(runs), "documents": documents.height}


def run_local(input_dir: Any, output_dir: Any, settings: Settings | None = None,
              workers: int | None = 1, progress: Progress | None = None) -> dict[str, Any]:
    """Every stage of :data:`cleaners.plan.PLAN` without Prefect: in this process (``workers=1``,
    the default: tests and debugging) or in a pool of that many worker processes (``None``: one
    per core). The output is the same for any number of workers. ``progress`` hears of every
    stage and unit (:data:`cleaners.plan.Progress`)."""
    settings = settings or Settings()
    workers = workers or settings.run.workers or default_workers()
    check_folders(input_dir, output_dir)
    input_dir, output_dir = storage.location(input_dir), storage.location(output_dir)
    output.check_layout(output_dir)
    with index.run_lock(output_dir):
        started_at = datetime.now(UTC)
        sources = discover(input_dir)
        digests = plan_run(input_dir, output_dir, sources, settings)
        job = make_job(input_dir, output_dir, digests, settings, workers, deleted_since(output_dir, sources, settings))
        workers = useful_workers(input_bytes(input_dir, list(digests)), workers)
        if workers == 1:
            manifest = finish_run(job, started_at, execute(job, SerialRunner(), progress=progress))
        else:
            with ProcessRunner(workers) as runner:
                manifest = finish_run(job, started_at, execute(job, runner, progress=progress))
        write_report(output_dir, manifest)
        return manifest


def write_report(output_dir: Any, manifest: dict[str, Any]) -> Any:
    """After the commit, the run's HTML report (``OUTPUT/reports/<run_id>.html``); a failure is
    a warning, since the run is already committed. Returns where it went, or None."""
    import warnings

    from cleaners.html_report import write_after_commit

    place, error = write_after_commit(output_dir, manifest)
    if error is not None:
        warnings.warn(f"textwash: run {manifest['run_id']} is committed, but its HTML report could not be written: "
                      f"{error}", ReportWarning, stacklevel=2)
    return place


class ReportWarning(UserWarning):
    """A committed run whose HTML report could not be written."""
