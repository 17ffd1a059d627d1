"""The main flow: ``clean_corpus(input_dir, output_dir, settings)``.

Each stage of :mod:`cleaners.pipeline` runs as a task; tasks pass paths and small dicts, never
big frames, so a task runner can place them anywhere:

1. ``discover``: list the input files;
2. ``prepare`` (one per shard, concurrent): ingest → split → normalise → inside-document
   duplicates, and the dedup *map* outputs, partitioned by stable hash;
3. ``pair-documents`` (one per partition) → ``cluster-documents``: near-duplicate documents;
4. ``count-keys`` (one per partition) → ``find-boilerplate``: boilerplate clusters;
5. ``apply`` (one per shard): statuses, reasons, cleaned text;
6. ``commit-run``: swap the run's tables into place atomically and write the manifest.

The run's summary is published as a markdown artifact (key ``textwash-run``).
"""

from __future__ import annotations

import os
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")

import polars as pl  # noqa: E402
from prefect import flow, get_run_logger, task  # noqa: E402
from prefect.artifacts import create_markdown_artifact, create_table_artifact  # noqa: E402

from cleaners import pipeline  # noqa: E402
from cleaners.index import run_lock  # noqa: E402
from cleaners.ingest import discover  # noqa: E402
from cleaners.settings import Settings  # noqa: E402
from flows.progress import notify  # noqa: E402
from flows.report import run_markdown  # noqa: E402


@task(name="discover")
def discover_task(input_dir: str) -> list[str]:
    sources = discover(input_dir)
    get_run_logger().info("found %d input files under %s", len(sources), input_dir)
    return sources


@task(name="prepare", retries=1, retry_delay_seconds=2)
def prepare_task(input_dir: str, sources: list[str], staging: str, shard: int, settings: Settings) -> dict[str, Any]:
    result = pipeline.prepare_shard(input_dir, sources, staging, shard, settings)
    get_run_logger().info("shard %d: %d files → %d documents, %d lines, %d rejects",
                          shard, len(sources), result["documents"], result["lines"], result["rejects"])
    notify("step_done", step="prepare")
    return result


@task(name="pair-documents")
def pair_documents_task(staging: str, partition: int, settings: Settings) -> str:
    return pipeline.pair_documents(staging, partition, settings)


@task(name="cluster-documents")
def cluster_documents_task(staging: str, settings: Settings) -> dict[str, int]:
    result = pipeline.cluster_documents(staging, settings)
    get_run_logger().info("near-duplicate documents: %s", result)
    return result


@task(name="count-keys")
def count_keys_task(staging: str, partition: int, settings: Settings) -> str:
    return pipeline.count_keys(staging, partition, settings)


@task(name="find-boilerplate")
def find_boilerplate_task(staging: str, settings: Settings) -> dict[str, int]:
    result = pipeline.find_boilerplate(staging, settings)
    get_run_logger().info("boilerplate: %s", result)
    return result


@task(name="apply", retries=1, retry_delay_seconds=2)
def apply_task(staging: str, parts: list[str], settings: Settings) -> dict[str, int]:
    result = pipeline.apply_shard(staging, parts, settings)
    notify("step_done", step="apply")
    return result


@task(name="commit-run", retries=1, retry_delay_seconds=2)
def commit_run_task(input_dir: str, output_dir: str, staging: str, settings: Settings, started_at: datetime,
                    sources: list[str], steps: dict[str, Any]) -> dict[str, Any]:
    return pipeline.finish_run(input_dir, output_dir, staging, settings, started_at, sources, steps)


def publish_artifacts(manifest: dict[str, Any], output_dir: Path) -> None:
    """Keyed artifacts, so that each key keeps a history of runs in the Prefect UI: the summary
    (markdown) and tables of line statuses, top boilerplate clusters, flags and rejects."""
    run_id = manifest["run_id"]
    counts = manifest["counts"]

    def table(name: str, where: str = "") -> list[dict[str, Any]]:
        path = output_dir / name / f"run_id={run_id}"
        return pl.read_parquet(path / "*.parquet").head(200).to_dicts() if counts.get(where or name) else []

    rejects = table("rejects")
    create_markdown_artifact(key="textwash-run", markdown=run_markdown(manifest, rejects),
                             description=f"textwash run {run_id}")
    create_table_artifact(key="textwash-lines-by-status", description=f"lines by status, run {run_id}",
                          table=[{"status": status, "lines": number}
                                 for status, number in counts["lines_by_status"].items()])
    create_table_artifact(key="textwash-boilerplate", description=f"top boilerplate clusters, run {run_id}",
                          table=manifest["dedup"].get("top_boilerplate", []) or [{"cluster_text": "(none)"}])
    flags = [{key: row[key] for key in ("doc_id", "line_no", "kind", "severity", "explanation")}
             for row in table("flags")]
    create_table_artifact(key="textwash-flags", description=f"flags, run {run_id}",
                          table=flags or [{"kind": "(none)"}])
    create_table_artifact(key="textwash-rejects", description=f"rejects, run {run_id}",
                          table=[{key: row[key] for key in ("source", "record", "reason", "detail")} for row in rejects]
                          or [{"reason": "(none)"}])


def _wait(futures: list) -> list:
    return [future.result() for future in futures]


@flow(name="clean-corpus")
def clean_corpus(input_dir: str = "data/raw", output_dir: str = "data/clean", settings: Settings | None = None) -> dict[str, Any]:
    """Clean every document under ``input_dir`` into Parquet tables under ``output_dir``."""
    logger = get_run_logger()
    settings = settings or Settings()
    with run_lock(output_dir):  # one run at a time per output folder: tables and index
        return _clean_corpus(input_dir, output_dir, settings, logger)


def _clean_corpus(input_dir: str, output_dir: str, settings: Settings, logger: Any) -> dict[str, Any]:
    started_at = datetime.now(timezone.utc)
    digests = pipeline.plan_run(input_dir, output_dir, discover_task(input_dir), settings)
    sources = list(digests)
    if settings.run.incremental:
        logger.info("incremental run: %d new or changed files", len(sources))
    shards = pipeline.shard_sources(sources, settings.run.shards)
    notify("started", steps=(2 if settings.dedup.enabled else 1) * len(shards), files=len(sources))
    staging = str(pipeline.resumable_staging_dir(output_dir, digests, settings))

    prepared = _wait([prepare_task.submit(input_dir, files, staging, shard, settings)
                      for shard, files in enumerate(shards)])
    steps: dict[str, Any] = {}
    if settings.dedup.enabled:
        partitions = range(settings.dedup.partitions)
        _wait([pair_documents_task.submit(staging, partition, settings) for partition in partitions])
        steps["documents"] = cluster_documents_task(staging, settings)
        _wait([count_keys_task.submit(staging, partition, settings) for partition in partitions])
        steps["boilerplate"] = find_boilerplate_task(staging, settings)
        _wait([apply_task.submit(staging, result["parts"], settings) for result in prepared])
    manifest = commit_run_task(input_dir, output_dir, staging, settings, started_at, sources, steps)

    counts = manifest["counts"]
    logger.info("run %s: %d documents, %d lines %s, %d rejects %s", manifest["run_id"], counts["documents"],
                counts["lines"], counts["lines_by_status"], counts["rejects"], counts["rejects_by_reason"])
    publish_artifacts(manifest, Path(output_dir))
    notify("finished", manifest=manifest)
    return manifest
