"""The Prefect flow for real: a temporary Prefect server (session-scoped harness)."""

import pytest

pytestmark = pytest.mark.prefect


def test_flow_writes_tables_and_artifact(prefect_harness, tmp_path):
    from prefect import get_client

    from cleaners.output import list_runs, scan_table
    from flows.clean_corpus import clean_corpus
    from tests.conftest import RAW_SAMPLES

    manifest = clean_corpus(str(RAW_SAMPLES), str(tmp_path))
    assert [run["run_id"] for run in list_runs(tmp_path)] == [manifest["run_id"]]
    assert scan_table(tmp_path, "rejects").collect().height == manifest["counts"]["rejects"] == 2
    assert manifest["counts"]["lines_by_status"]["kept"] > 20
    assert manifest["counts"]["lines_by_status"]["duplicate"] >= 1
    assert manifest["counts"]["lines_by_status"]["boilerplate"] >= 4
    assert manifest["dedup"]["documents"]["clusters"] == 1
    assert manifest["counts"]["flags_by_kind"] == {"contradiction": 1}

    import asyncio

    async def artifact():
        async with get_client() as client:
            return await client.read_latest_artifacts()

    from cleaners.html_report import report_location
    from flows.report import folder_key

    latest = {a.key: a for a in asyncio.run(artifact())}
    folder = folder_key(str(tmp_path.resolve()))
    assert folder.startswith(tmp_path.name.lower().replace("_", "-")[:20])
    assert {f"textwash-{kind}-{folder}" for kind in ("run", "report", "lines-by-status", "boilerplate", "flags",
                                                     "rejects")} <= set(latest)
    summary = latest[f"textwash-run-{folder}"].data
    assert manifest["run_id"] in summary and "malformed_json" in summary
    assert "Flags by kind" in summary and "contradiction" in summary
    report = report_location(tmp_path, manifest["run_id"])
    assert report.is_file() and manifest["run_id"] in report.read_text(encoding="utf-8")
    assert str(tmp_path.resolve()) in summary and str(report.resolve()) in summary
    assert report.resolve().as_uri() in latest[f"textwash-report-{folder}"].data
    import json

    flags = latest[f"textwash-flags-{folder}"].data
    flags = json.loads(flags) if isinstance(flags, str) else flags
    table = scan_table(tmp_path, "flags").collect()
    assert [(row["source"], row["sentence"], row["explanation"]) for row in flags] == [
        (row["source"], row["sentence"], row["explanation"]) for row in table.sort("source", "line_no").iter_rows(named=True)]


def test_a_flow_whose_report_fails_still_commits_and_says_so(prefect_harness, tmp_path, monkeypatch):
    import asyncio

    from prefect import get_client

    import cleaners.html_report
    from cleaners.output import latest_run
    from flows.clean_corpus import clean_corpus
    from flows.report import folder_key
    from tests.conftest import RAW_SAMPLES

    def refuse(*args, **kwargs):
        raise PermissionError("read-only reports folder")

    monkeypatch.setattr(cleaners.html_report, "write_report", refuse)
    manifest = clean_corpus(str(RAW_SAMPLES), str(tmp_path))
    assert latest_run(tmp_path)["attempt"] == manifest["attempt"]
    assert not (tmp_path / "reports").exists()

    async def artifacts():
        async with get_client() as client:
            return await client.read_latest_artifacts()

    latest = {a.key: a for a in asyncio.run(artifacts())}
    folder = folder_key(str(tmp_path.resolve()))
    assert "could not be written" in latest[f"textwash-run-{folder}"].data
    assert f"textwash-report-{folder}" not in latest


def test_cli_run_then_inspect(prefect_harness, tmp_path, capsys):
    from flows.cli import main
    from tests.conftest import RAW_SAMPLES

    assert main(["run", str(RAW_SAMPLES), str(tmp_path), "--no-progress", "--set", "run.shards=3"]) == 0
    out = capsys.readouterr().out
    assert "lines by status" in out and "broken-export.json" in out
    assert (tmp_path / "runs").is_dir()


def test_flow_on_a_worker_pool_equals_the_in_process_run(prefect_harness, tmp_path, monkeypatch):
    """Prefect tasks on threads handing their units to two worker processes: every table equals
    run_local's, and the flow's task runs are the plan's stages."""
    import asyncio

    from prefect import get_client

    import cleaners.plan
    from benchmarks.syndicate import generate
    from cleaners.output import scan_table
    from cleaners.pipeline import run_local
    from flows.clean_corpus import clean_corpus

    generate(tmp_path / "in", megabytes=1.0, files=4, seed=3)
    monkeypatch.setattr(cleaners.plan, "MIN_BYTES_PER_WORKER", 1)  # a pool even for 1 MB
    flowed = clean_corpus(str(tmp_path / "in" / "corpus"), str(tmp_path / "flow"), workers=2)
    local = run_local(tmp_path / "in" / "corpus", tmp_path / "local")
    assert flowed["run_id"] == local["run_id"] and flowed["counts"] == local["counts"]
    for table, keys in {"documents": ["doc_id"], "lines": ["doc_id", "line_no"]}.items():
        a = scan_table(tmp_path / "flow", table).collect().sort(keys)
        b = scan_table(tmp_path / "local", table).collect().sort(keys)
        assert a.equals(b), table

    async def task_names():
        async with get_client() as client:
            runs = await client.read_task_runs()
            return {run.name for run in runs if run.flow_run_id is not None}

    from cleaners.plan import PLAN

    names = asyncio.run(task_names())  # task runs are named by stage and unit: prepare-shard-0, …
    for stage in PLAN:
        unit = {"shards": "-shard-0", "partitions": "-partition-0", "once": ""}[stage.over]
        assert stage.name + unit in names, (stage.name, sorted(names))


def test_cli_on_prefects_process_pool_equals_the_in_process_run(prefect_harness, tmp_path):
    """--task-runner processes: the same plan on Prefect's ProcessPoolTaskRunner."""
    from cleaners.output import latest_run
    from cleaners.pipeline import run_local
    from flows.cli import main
    from tests.conftest import RAW_SAMPLES

    assert main(["run", str(RAW_SAMPLES), str(tmp_path / "out"), "--no-progress", "--task-runner", "processes",
                 "--workers", "2"]) == 0
    manifest, reference = latest_run(tmp_path / "out"), run_local(RAW_SAMPLES, tmp_path / "ref")
    assert manifest["run_id"] == reference["run_id"] and manifest["counts"] == reference["counts"]


def test_a_killed_run_does_not_leave_its_temporary_prefect_server_behind(tmp_path):
    """SIGKILL gives textwash no chance to stop the server it started: a watchdog does."""
    import os
    import signal
    import subprocess
    import sys
    import time

    import psutil

    from tests.conftest import RAW_SAMPLES, REPO

    env = {key: value for key, value in os.environ.items() if key != "PREFECT_API_URL"}
    env["PREFECT_HOME"] = str(tmp_path / "prefect-home")
    run = subprocess.Popen([sys.executable, "-m", "flows.cli", "run", str(RAW_SAMPLES), str(tmp_path / "out"),
                            "--no-progress"], cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    server = None
    deadline = time.monotonic() + 120
    while server is None and time.monotonic() < deadline and run.poll() is None:
        for child in psutil.Process(run.pid).children(recursive=True):
            try:
                if "uvicorn" in " ".join(child.cmdline()):
                    server = child
            except psutil.Error:
                pass
        time.sleep(0.2)
    assert server is not None, "the run never started its temporary server"
    time.sleep(1)  # killed while the server starts or serves
    os.kill(run.pid, signal.SIGKILL)
    run.wait(timeout=10)
    gone, _ = psutil.wait_procs([server], timeout=20)
    assert gone, "the temporary Prefect server outlived its killed run"
