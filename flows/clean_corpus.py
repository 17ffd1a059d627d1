"""The main flow: ``clean_corpus(input_dir, output_dir, settings)``.

Tasks pass file paths and small dicts, never big frames:

1. ``discover``: list the input files;
2. ``clean-shard`` (one per shard, submitted concurrently): ingest → split → normalise →
   assemble, staged as Parquet;
3. ``commit-run``: name the run, swap its tables into place atomically, write the manifest.

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
from prefect.artifacts import create_markdown_artifact  # noqa: E402

from cleaners.ingest import discover  # noqa: E402
from cleaners.output import new_staging_dir  # noqa: E402
from cleaners.pipeline import finish_run, process_shard, shard_sources  # noqa: E402
from cleaners.settings import Settings  # noqa: E402
from flows.progress import notify  # noqa: E402
from flows.report import run_markdown  # noqa: E402


@task(name="discover")
def discover_task(input_dir: str) -> list[str]:
    sources = discover(input_dir)
    get_run_logger().info("found %d input files under %s", len(sources), input_dir)
    return sources


@task(name="clean-shard", retries=1, retry_delay_seconds=2)
def clean_shard_task(input_dir: str, sources: list[str], staging: str, shard: int, settings: Settings) -> dict[str, Any]:
    result = process_shard(input_dir, sources, staging, shard, settings)
    get_run_logger().info(
        "shard %d: %d files → %d documents, %d lines, %d rejects",
        shard, len(sources), result["documents"], result["lines"], result["rejects"],
    )
    notify("shard_done", shard=shard, files=len(sources))
    return result


@task(name="commit-run")
def commit_run_task(input_dir: str, output_dir: str, staging: str, settings: Settings, started_at: datetime,
                    sources: list[str]) -> dict[str, Any]:
    return finish_run(input_dir, output_dir, staging, settings, started_at, sources)


@flow(name="clean-corpus")
def clean_corpus(input_dir: str = "data/raw", output_dir: str = "data/clean", settings: Settings | None = None) -> dict[str, Any]:
    """Clean every document under ``input_dir`` into Parquet tables under ``output_dir``."""
    logger = get_run_logger()
    settings = settings or Settings()
    started_at = datetime.now(timezone.utc)
    sources = discover_task(input_dir)
    shards = shard_sources(sources, settings.run.shards)
    notify("started", shards=len(shards), files=len(sources))
    staging = str(new_staging_dir(output_dir))
    futures = [
        clean_shard_task.submit(input_dir, shard_files, staging, shard, settings)
        for shard, shard_files in enumerate(shards)
    ]
    for future in futures:
        future.result()
    manifest = commit_run_task(input_dir, output_dir, staging, settings, started_at, sources)
    counts = manifest["counts"]
    logger.info("run %s: %d documents, %d lines %s, %d rejects %s", manifest["run_id"], counts["documents"],
                counts["lines"], counts["lines_by_status"], counts["rejects"], counts["rejects_by_reason"])
    rejects_path = Path(output_dir) / "rejects" / f"run_id={manifest['run_id']}"
    rejects = pl.read_parquet(rejects_path / "*.parquet").to_dicts() if counts["rejects"] else []
    create_markdown_artifact(key="textwash-run", markdown=run_markdown(manifest, rejects),
                             description=f"textwash run {manifest['run_id']}")
    notify("finished", manifest=manifest)
    return manifest
