"""The stage plan, declared once, and the runners that execute it.

:data:`PLAN` is the sequence of stages of every run. A *runner* only decides where the units of
one stage run: :class:`SerialRunner` in this process (tests, debugging), :class:`ProcessRunner`
in a pool of worker processes (the benchmark, ``run_local(workers=n)``), and the Prefect runner
of ``flows/clean_corpus.py`` as tasks on threads, processes or Dask. Every runner goes through
:func:`execute`, so none can list the stages differently.

Stages are named by function, looked up in :mod:`cleaners.stages` when they run, so a unit of
work crosses to a worker process as two strings, a :class:`~cleaners.stages.Job` and a number.
Units of a stage are independent; stages run one after the other.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from cleaners import stages
from cleaners.settings import Settings
from cleaners.stages import Job


@dataclass(frozen=True)
class Stage:
    """One step of a run: ``function(job, unit)`` for every shard, every partition, or once."""

    name: str
    function: str
    over: Literal["shards", "partitions", "once"]
    needs_dedup: bool = True
    needs_paragraphs: bool = False

    def units(self, job: Job) -> list[int]:
        if self.over == "shards":
            return list(range(len(job.shards)))
        if self.over == "partitions":
            return list(range(job.partitions))
        return [0]

    def applies(self, settings: Settings) -> bool:
        if self.needs_paragraphs and not settings.dedup.repeated_paragraphs:
            return False
        return settings.dedup.enabled or not self.needs_dedup


PLAN: tuple[Stage, ...] = (
    Stage("prepare", "prepare_shard", "shards", needs_dedup=False),
    Stage("pair-documents", "pair_documents", "partitions"),
    Stage("route-pairs", "route_pairs", "once"),
    Stage("route-shingles", "route_shingles", "shards"),
    Stage("verify-documents", "verify_documents", "partitions"),
    Stage("cluster-documents", "cluster_documents", "once"),
    Stage("route-cluster-shingles", "route_cluster_shingles", "shards"),
    Stage("score-clusters", "score_clusters", "partitions"),
    Stage("pair-paragraphs", "pair_paragraphs", "partitions", needs_paragraphs=True),
    Stage("route-paragraph-keys", "route_paragraph_keys", "shards", needs_paragraphs=True),
    Stage("verify-paragraphs", "verify_paragraphs", "partitions", needs_paragraphs=True),
    Stage("choose-firsts", "choose_firsts", "partitions", needs_paragraphs=True),
    Stage("find-links", "find_links", "partitions", needs_paragraphs=True),
    Stage("resolve-chains", "resolve_paragraph_chains", "once", needs_paragraphs=True),
    Stage("route-families", "route_families", "partitions", needs_paragraphs=True),
    Stage("count-families", "count_families", "partitions", needs_paragraphs=True),
    Stage("count-keys", "count_keys", "partitions"),
    Stage("find-boilerplate", "find_boilerplate", "once"),
    Stage("apply", "apply_shard", "shards"),
)


def run_unit(function: str, job: Job, unit: int) -> dict[str, Any]:
    """Run one unit of a stage (the entry point in a worker process)."""
    result: dict[str, Any] = getattr(stages, function)(job, unit)
    return result


#: Called with each finished unit's number and result, as it finishes (for progress bars).
UnitDone = Callable[[int, dict[str, Any]], None]
#: ``progress(event, info)``: ``"run"`` (``job``, ``stages``), ``"stage"`` (``stage``, ``units``),
#: ``"unit"`` (``stage``, ``unit``, ``result``) and ``"stage_done"`` (``stage``, ``seconds``).
Progress = Callable[[str, dict[str, Any]], None]


def ignore_unit(_unit: int, _result: dict[str, Any]) -> None:
    """The default ``done`` callback: nobody is listening."""
    return None


class Runner(Protocol):
    def run_stage(self, stage: Stage, job: Job, units: list[int], done: UnitDone = ignore_unit) -> list[dict[str, Any]]:
        """Run every unit of ``stage``, calling ``done`` as each finishes; return the results in unit order."""
        ...


class SerialRunner:
    """Every unit in this process, one after the other."""

    def run_stage(self, stage: Stage, job: Job, units: list[int], done: UnitDone = ignore_unit) -> list[dict[str, Any]]:
        results = []
        for unit in units:
            results.append(run_unit(stage.function, job, unit))
            done(unit, results[-1])
        return results


class ProcessRunner:
    """Units in a pool of worker processes (``spawn``: polars' threads do not survive ``fork``).

    Use as a context manager, so the pool is started once per run and always shut down.
    """

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._pool: Executor | None = None

    def __enter__(self) -> ProcessRunner:
        self._pool = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"))
        return self

    def __exit__(self, *_exc: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)

    def run_stage(self, stage: Stage, job: Job, units: list[int], done: UnitDone = ignore_unit) -> list[dict[str, Any]]:
        if len(units) == 1:  # nothing to spread: save the round trip
            return SerialRunner().run_stage(stage, job, units, done)
        futures = {self.submit(stage.function, job, unit): unit for unit in units}
        for future in as_completed(futures):
            done(futures[future], future.result())
        return [future.result() for future in futures]

    def submit(self, function: str, job: Job, unit: int) -> Future[dict[str, Any]]:
        """One unit in a worker process (used directly by Prefect tasks running on threads)."""
        assert self._pool is not None, "use ProcessRunner as a context manager"
        return self._pool.submit(run_unit, function, job, unit)


def summarise(results: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Sum the integer counts of a stage's units (a stage's line in the manifest)."""
    total: dict[str, Any] = {}
    for result in results:
        for key, value in result.items():
            if isinstance(value, int) and not isinstance(value, bool) and key != "shard":
                total[key] = total.get(key, 0) + value
    return total


def _no_progress(_event: str, _info: dict[str, Any]) -> None:
    return None


def execute(job: Job, runner: Runner, plan: Sequence[Stage] = PLAN, progress: Progress | None = None) -> dict[str, Any]:
    """Run ``plan`` for ``job`` with ``runner``; return each stage's summed counts and seconds.

    ``progress`` hears of the run, each stage and each finished unit (see :data:`Progress`).
    """
    import time

    progress = progress or _no_progress
    steps: dict[str, Any] = {}
    stages = [stage for stage in plan if stage.applies(job.settings)]
    progress("run", {"job": job, "stages": [stage.name for stage in stages]})
    for stage in stages:
        units = stage.units(job)
        progress("stage", {"stage": stage.name, "units": len(units)})
        started = time.perf_counter()

        def done(unit: int, result: dict[str, Any], name: str = stage.name) -> None:
            progress("unit", {"stage": name, "unit": unit, "result": result})

        results = runner.run_stage(stage, job, units, done)
        seconds = time.perf_counter() - started
        steps[stage.name] = {**summarise(results), "seconds": round(seconds, 3)}
        progress("stage_done", {"stage": stage.name, "seconds": seconds})
    return steps


#: Below this much input per worker, starting worker processes (each imports polars, ftfy, …)
#: costs more than it saves.
MIN_BYTES_PER_WORKER = 4_000_000


def useful_workers(input_bytes: int, workers: int) -> int:
    """How many of ``workers`` are worth starting for ``input_bytes`` of input (at least one)."""
    return max(1, min(workers, input_bytes // MIN_BYTES_PER_WORKER))


def default_workers() -> int:
    """Every core this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1
