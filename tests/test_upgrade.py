"""An output folder of the previous layout (Hive folders + JSON manifests) is refused with the way
to convert it, and ``textwash upgrade`` converts it keeping its history."""

from __future__ import annotations

import shutil

import polars as pl
import pytest

from cleaners import index, output
from cleaners.pipeline import run_local
from cleaners.settings import Settings
from cleaners.upgrade import upgrade_output
from tests.conftest import REPO

LEGACY = REPO / "tests" / "fixtures" / "legacy-1.3"


@pytest.fixture
def legacy(tmp_path):
    folder = tmp_path / "clean"
    shutil.copytree(LEGACY, folder)
    return folder


def test_an_old_output_folder_is_refused_with_the_command_that_converts_it(legacy, tmp_path):
    with pytest.raises(output.LegacyOutput, match="textwash upgrade"):
        run_local(REPO / "data" / "raw", legacy)
    with pytest.raises(output.LegacyOutput, match="textwash upgrade"):
        output.list_runs(legacy)


def test_upgrade_replays_the_runs_into_delta_tables_and_rebuilds_the_index(legacy):
    legacy_lines = pl.scan_parquet(str(legacy / "lines" / "*" / "*.parquet"), hive_partitioning=True).collect()
    result = upgrade_output(legacy)
    assert result["converted_runs"] == 2
    runs = output.list_runs(legacy)
    assert [run["kind"] for run in runs] == ["full", "incremental", "reindex"]
    documents = output.scan_table(legacy, "documents").collect()
    assert documents.height == 9 and "night-2.jsonl" in documents["source"].to_list()  # 8 + the incremental one
    first = output.scan_table(legacy, "documents", runs[0]["attempt"]).collect()
    assert first.height == 8  # history: the table as the first run left it
    lines = output.scan_table(legacy, "lines").collect()
    assert lines.height == legacy_lines.height  # the incremental run only added: every old line once
    assert lines["source"].null_count() == 0
    assert set(index.indexed_files(legacy)) == set(documents["source"]) | {"broken-export.json"}
    assert (legacy / result["legacy_folder"].rsplit("/", 1)[-1] / "runs").is_dir()  # moved aside, not deleted
    assert upgrade_output(legacy)["converted_runs"] == 0  # a second upgrade does nothing


def test_an_upgraded_folder_takes_incremental_runs(legacy, tmp_path):
    upgrade_output(legacy)
    raw = tmp_path / "raw"
    # data/raw as the fixture's runs saw it (columns.jsonl was added after the fixture was made)
    shutil.copytree(REPO / "data" / "raw", raw, ignore=shutil.ignore_patterns("columns.jsonl"))
    (raw / "later.txt").write_text("A later story\nSomething new happened at the harbour on Friday evening.\n")
    run = run_local(raw, legacy, Settings.load(None, ["run.incremental=true"]))
    assert run["files"]["count"] == 1  # everything else is known from the converted index
    assert run["files"]["deleted"] == ["night-2.jsonl"]  # not in this input folder: it leaves the view
    assert output.scan_table(legacy, "documents").collect().height == 9
