"""The main flow: ``clean_corpus(input_dir, output_dir, settings)``, on the one stage plan.

The flow does what :func:`cleaners.pipeline.run_local` does, with each unit of each stage of
:data:`cleaners.plan.PLAN` as a Prefect task (``prepare`` per shard, ``pair-documents`` per
partition, …, ``apply`` per shard), then ``commit-run``. Tasks receive a
:class:`~cleaners.stages.Job` and a unit number and return small counts, never frames, so the
task runner can place them anywhere: threads, worker processes (the default of ``textwash
run``: ``ProcessPoolTaskRunner``, one process per core) or Dask.

After the commit the run's HTML report is written to ``OUTPUT/reports/<run_id>.html``
(:mod:`cleaners.html_report`; a failure there is a warning) and the run's summary, a link to
the report and tables of statuses, boilerplate, flags and rejects are published as artifacts
whose keys name the output folder (``textwash-run-<folder>-<hash>``, :func:`flows.report.artifact_key`).
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
# Prefect gives its temporary server 20 s to start; on a loaded 2-core machine (or a fresh
# PREFECT_HOME, which first migrates its database) that was seen to time out and fail the run.
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")

import polars as pl  # noqa: E402
from prefect import flow, get_run_logger, task  # noqa: E402
from prefect.artifacts import create_link_artifact, create_markdown_artifact, create_table_artifact  # noqa: E402

from cleaners import pipeline, storage  # noqa: E402
from cleaners.index import run_lock  # noqa: E402
from cleaners.ingest import discover  # noqa: E402
from cleaners.output import check_layout  # noqa: E402
from cleaners.plan import PLAN, ProcessRunner, Stage, UnitDone, default_workers, execute, run_unit, useful_workers  # noqa: E402
from cleaners.settings import Settings  # noqa: E402
from cleaners.stages import Job  # noqa: E402
from flows.progress import notify  # noqa: E402
from flows.report import artifact_key, run_markdown  # noqa: E402


@task(name="discover")
def discover_task(input_dir: str) -> list[str]:
    sources = discover(input_dir)
    get_run_logger().info("found %d input files under %s", len(sources), input_dir)
    return sources


#: The worker-process pool of each running flow, by staging folder. Tasks running on the flow's
#: threads hand their unit to it, so CPU-bound work uses every core while Prefect (and its one
#: API connection) stays in this process. Under a process or Dask task runner there is none and
#: tasks compute where they run.
_POOLS: dict[str, ProcessRunner] = {}


@task(retries=1, retry_delay_seconds=2)
def stage_task(function: str, job: Job, unit: int) -> dict[str, Any]:
    """One unit of one stage (named per stage with ``with_options``)."""
    pool = _POOLS.get(str(job.staging.root))
    return pool.submit(function, job, unit).result() if pool else run_unit(function, job, unit)


@task(name="commit-run", retries=1, retry_delay_seconds=2)
def commit_run_task(job: Job, started_at: datetime, steps: dict[str, Any]) -> dict[str, Any]:
    return pipeline.finish_run(job, started_at, steps)


@task(name="write-report")
def report_task(output_dir: str, manifest: dict[str, Any]) -> str | None:
    """The run's HTML report, after its commit (:mod:`cleaners.html_report`). A failure is a
    warning in this task's log, never a failed run: the run is already committed."""
    from cleaners.html_report import write_after_commit

    place, error = write_after_commit(output_dir, manifest)
    if error is not None:
        get_run_logger().warning("run %s is committed, but its HTML report could not be written: %s",
                                 manifest["run_id"], error)
        return None
    get_run_logger().info("HTML report: %s", place)
    return str(place)


class PrefectRunner:
    """Runs a stage's units as Prefect tasks on the flow's task runner (see :mod:`cleaners.plan`)."""

    def run_stage(self, stage: Stage, job: Job, units: list[int], done: UnitDone | None = None) -> list[dict[str, Any]]:
        kind = {"shards": "-shard-{unit}", "partitions": "-partition-{unit}"}.get(stage.over, "")
        named = stage_task.with_options(name=stage.name, task_run_name=stage.name + kind)
        futures = [named.submit(stage.function, job, unit) for unit in units]
        results = []
        for unit, future in zip(units, futures, strict=True):
            results.append(future.result())
            if done is not None:
                done(unit, results[-1])
        return results


def report_link(place: Any) -> str:
    """A link to the report: ``file://`` for a local file, the URL of an object store's."""
    return Path(storage.uri(place)).as_uri() if storage.is_local(place) else str(place)


def publish_artifacts(manifest: dict[str, Any], output_dir: Any, report_written: bool = False) -> None:
    """Keyed artifacts, so that each key keeps a history of runs in the Prefect UI: the summary
    (markdown, saying where the output and the HTML report are), a link to the report (when it
    was written: :func:`report_task`), and tables of line statuses, top boilerplate clusters,
    flags and rejects. Every key ends with the output folder's key
    (:func:`flows.report.folder_key`): two output folders, two histories."""
    from cleaners.html_report import report_location
    from cleaners.output import scan_table

    run_id = manifest["run_id"]
    counts = manifest["counts"]
    output_uri = storage.uri(storage.location(output_dir))

    def key(kind: str) -> str:
        return artifact_key(kind, output_uri)

    def table(name: str, order: tuple[str, ...] = ()) -> list[dict[str, Any]]:
        if not counts.get(name):
            return []
        rows = scan_table(output_dir, name, manifest.get("attempt")).filter(pl.col("run_id") == run_id)
        return (rows.sort(*order) if order else rows).head(200).collect().to_dicts()

    rejects = table("rejects")
    link = report_link(report_location(output_dir, run_id)) if report_written else None
    create_markdown_artifact(key=key("run"), markdown=run_markdown(manifest, rejects, link),
                             description=f"textwash run {run_id} into {output_uri}")
    if link is not None:
        create_link_artifact(key=key("report"), link=link, link_text=f"HTML report of run {run_id}",
                             description=f"textwash run {run_id}: the HTML report (self-contained, opens offline)")
    create_table_artifact(key=key("lines-by-status"), description=f"lines by status, run {run_id}",
                          table=[{"status": status, "lines": number}
                                 for status, number in counts["lines_by_status"].items()])
    create_table_artifact(key=key("boilerplate"), description=f"top boilerplate clusters, run {run_id}",
                          table=manifest["dedup"].get("top_boilerplate", []) or [{"cluster_text": "(none)"}])
    flags = [{"source": row["source"], "line": f"{row['line_no']}.{row['sentence_no']}", "kind": row["kind"],
              "severity": row["severity"], "sentence": _cut(row["sentence"], 300), "explanation": row["explanation"],
              "conflicts with": _cut(row["conflicts_with_text"] or "", 200), "doc_id": row["doc_id"]}
             for row in table("flags", ("source", "line_no", "sentence_no"))]
    create_table_artifact(key=key("flags"), description=f"flags, run {run_id}: the sentence and why it was flagged",
                          table=flags or [{"kind": "(none)"}])
    create_table_artifact(key=key("rejects"), description=f"rejects, run {run_id}",
                          table=[{column: row[column] for column in ("source", "record", "reason", "detail")} for row in rejects]
                          or [{"reason": "(none)"}])


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


@flow(name="clean-corpus")
def clean_corpus(input_dir: str = "data/raw", output_dir: str = "data/clean", settings: Settings | None = None,
                 workers: int | None = None, worker_pool: bool = True) -> dict[str, Any]:
    """Clean every document under ``input_dir`` into Parquet tables under ``output_dir``.

    ``workers`` (default ``run.workers``, 0 = one per core) worker processes compute the tasks'
    units when ``worker_pool`` is on (tasks on threads); turn it off under a process or Dask
    task runner, whose tasks already run elsewhere.
    """
    logger = get_run_logger()
    settings = settings or Settings()
    workers = workers or settings.run.workers or default_workers()
    pipeline.check_folders(input_dir, output_dir)
    check_layout(output_dir)
    with run_lock(output_dir):  # one run at a time per output folder: tables and index
        return _clean_corpus(input_dir, output_dir, settings, workers, worker_pool, logger)


def _clean_corpus(input_dir: str, output_dir: str, settings: Settings, workers: int, worker_pool: bool,
                  logger: Any) -> dict[str, Any]:
    started_at = datetime.now(UTC)
    sources = discover_task(input_dir)
    if not sources:
        logger.warning("no input files under %s: nothing to clean, nothing committed", input_dir)
        return {"run_id": None, "nothing_to_clean": True, "input_dir": str(input_dir)}
    digests = pipeline.plan_run(input_dir, output_dir, sources, settings)
    if settings.run.incremental:
        logger.info("incremental run: %d new or changed files", len(digests))
    job = pipeline.make_job(input_dir, output_dir, digests, settings, workers,
                            pipeline.deleted_since(output_dir, sources, settings))
    processes = useful_workers(pipeline.input_bytes(input_dir, list(digests)), workers) if worker_pool else 1
    if processes > 1:
        logger.info("computing on %d worker processes", processes)
        with ProcessRunner(processes) as pool:
            _POOLS[str(job.staging.root)] = pool
            try:
                steps = execute(job, PrefectRunner(), PLAN, progress=notify)
            finally:
                del _POOLS[str(job.staging.root)]
    else:
        steps = execute(job, PrefectRunner(), PLAN, progress=notify)
    manifest = commit_run_task(job, started_at, steps)

    counts = manifest["counts"]
    logger.info("run %s: %d documents, %d lines %s, %d rejects %s", manifest["run_id"], counts["documents"],
                counts["lines"], counts["lines_by_status"], counts["rejects"], counts["rejects_by_reason"])
    written = report_task(output_dir, manifest)
    publish_artifacts(manifest, storage.location(output_dir), report_written=written is not None)
    notify("finished", {"manifest": manifest})
    return manifest
