"""The stage plan: one declaration, any runner, any worker count, the same output."""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl
import pytest

from benchmarks.syndicate import generate
from cleaners import plan, schemas
from cleaners.ingest import discover
from cleaners.output import scan_table
from cleaners.pipeline import make_job, plan_run, run_local
from cleaners.settings import Settings
from tests.conftest import RAW_SAMPLES

KEYS = {"documents": ["doc_id"], "lines": ["doc_id", "line_no"], "rejects": ["source", "record", "reason"],
        "flags": ["doc_id", "line_no", "sentence_no", "kind"]}


@pytest.fixture(scope="module")
def syndicated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small heavily syndicated corpus (real articles in dozens of perturbed copies) plus the
    repository's hand-written samples."""
    folder = tmp_path_factory.mktemp("syndicated")
    generate(folder, megabytes=1.5, files=6, seed=11)
    for sample in RAW_SAMPLES.iterdir():
        shutil.copy(sample, folder / "corpus" / sample.name)
    return folder / "corpus"


def _tables(output: Path, run_id: str) -> dict[str, pl.DataFrame]:
    return {table: scan_table(output, table, run_id).drop("run_id").collect().sort(keys)
            for table, keys in KEYS.items()}


def test_output_is_the_same_for_one_two_and_eight_workers(syndicated, tmp_path):
    runs = {workers: run_local(syndicated, tmp_path / f"w{workers}", Settings(), workers=workers)
            for workers in (1, 2, 8)}
    assert len({manifest["run_id"] for manifest in runs.values()}) == 1
    assert runs[8]["layout"]["shards"] == 16 and runs[1]["layout"]["shards"] == 2
    reference = _tables(tmp_path / "w1", runs[1]["run_id"])
    assert reference["documents"]["dup_cluster_size"].max() >= 20  # the corpus really is syndicated
    for workers in (2, 8):
        tables = _tables(tmp_path / f"w{workers}", runs[workers]["run_id"])
        for table, frame in reference.items():
            assert tables[table].equals(frame), (workers, table)


def test_partition_and_shard_counts_do_not_change_the_output(syndicated, tmp_path):
    one = run_local(syndicated, tmp_path / "a", Settings.load(None, ["run.shards=1", "dedup.partitions=1"]))
    many = run_local(syndicated, tmp_path / "b", Settings.load(None, ["run.shards=5", "dedup.partitions=7"]))
    assert one["run_id"] == many["run_id"]
    for table, frame in _tables(tmp_path / "a", one["run_id"]).items():
        assert _tables(tmp_path / "b", many["run_id"])[table].equals(frame), table


class RecordingRunner(plan.SerialRunner):
    def __init__(self) -> None:
        self.calls: list[tuple[str, list[int]]] = []

    def run_stage(self, stage, job, units, done=plan.ignore_unit):
        self.calls.append((stage.name, units))
        return super().run_stage(stage, job, units, done)


def test_execute_runs_every_stage_of_the_plan_in_order_over_its_units(tmp_path):
    settings = Settings.load(None, ["run.shards=3", "dedup.partitions=5"])
    job = make_job(RAW_SAMPLES, tmp_path, plan_run(RAW_SAMPLES, tmp_path, discover(RAW_SAMPLES), settings), settings)
    runner = RecordingRunner()
    steps = plan.execute(job, runner)
    expected_units = {"shards": [0, 1, 2], "partitions": [0, 1, 2, 3, 4], "once": [0]}
    assert runner.calls == [(stage.name, expected_units[stage.over]) for stage in plan.PLAN]
    assert list(steps) == [stage.name for stage in plan.PLAN]
    # Every file the stages wrote has a declared schema (nothing schema-less reached disk).
    declared = [dict(value) for name, value in vars(schemas).items() if name.isupper() and isinstance(value, dict)
                and all(not isinstance(dtype, dict) for dtype in value.values())]
    written = sorted(job.staging.root.rglob("*.parquet"))
    assert len(written) > 30
    for path in written:
        assert dict(pl.read_parquet_schema(path)) in declared, path


def test_without_dedup_only_prepare_runs(tmp_path):
    settings = Settings.load(None, ["dedup.enabled=false"])
    job = make_job(RAW_SAMPLES, tmp_path, plan_run(RAW_SAMPLES, tmp_path, discover(RAW_SAMPLES), settings), settings)
    runner = RecordingRunner()
    plan.execute(job, runner)
    assert [name for name, _ in runner.calls] == ["prepare"]
