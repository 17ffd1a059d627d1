"""The real parts: a Prefect server on 127.0.0.1, prefect.yaml deployed, a process worker, a run.

Bounded in time, and it stops only the processes it started.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.prefect
PREFECT = str(Path(sys.executable).with_name("prefect"))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    home = tmp_path_factory.mktemp("prefect-server-home")
    port = _free_port()
    env = {**os.environ, "PREFECT_HOME": str(home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    env.pop("PREFECT_API_URL", None)
    log = open(home / "server.log", "w")
    started = time.monotonic()
    process = subprocess.Popen([PREFECT, "server", "start", "--host", "127.0.0.1", "--port", str(port)],
                               env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}/api"
    try:
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"prefect server exited: {(home / 'server.log').read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(f"{url}/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() - started > 120:
                raise TimeoutError("prefect server did not start in 120 s")
            time.sleep(0.5)
        print(f"\nprefect server started in {time.monotonic() - started:.1f} s")
        yield {**env, "PREFECT_API_URL": url}
    finally:
        _stop(process)
        log.close()


def test_prefect_yaml_deploys_and_a_worker_runs_it(server, tmp_path):
    env = {**server, "TEXTWASH_HOME": str(REPO), "PREFECT_WORKER_QUERY_SECONDS": "1"}

    def prefect(*args: str) -> str:
        done = subprocess.run([PREFECT, *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
        return done.stdout

    prefect("work-pool", "create", "textwash", "--type", "process")
    prefect("--no-prompt", "deploy", "--all")
    worker = subprocess.Popen([PREFECT, "worker", "start", "--pool", "textwash"], cwd=REPO, env=env,
                              stdout=open(tmp_path / "worker.log", "w"), stderr=subprocess.STDOUT,
                              start_new_session=True)
    output = tmp_path / "clean"
    try:
        started = time.monotonic()
        prefect("deployment", "run", "clean-corpus/daily", "--param", f"output_dir={output}")
        while not list((output / "runs").glob("*.json")) if output.exists() else True:
            assert worker.poll() is None, (tmp_path / "worker.log").read_text()[-3000:]
            assert time.monotonic() - started < 180, (tmp_path / "worker.log").read_text()[-3000:]
            time.sleep(0.5)
        print(f"\ndeployment run → committed output in {time.monotonic() - started:.1f} s")
    finally:
        _stop(worker)
    [manifest_path] = list((output / "runs").glob("*.json"))
    manifest = json.loads(manifest_path.read_text())
    assert manifest["counts"]["documents"] == 8 and manifest["counts"]["flags"] == 1
    assert manifest["incremental"] is True  # prefect.yaml's nightly deployment is incremental
    assert (output / "index" / "files.parquet").exists()
    for table in ("documents", "lines", "flags", "rejects"):
        assert list((output / table).glob("run_id=*/*.parquet")), table
    shutil.rmtree(output)


def test_serve_builds_a_scheduled_deployment_with_one_run_at_a_time():
    from cleaners.settings import Settings
    from flows.cli import serve_deployment

    deployment = serve_deployment("data/raw", "data/clean", "0 3 * * *", "nightly",
                                  Settings.load(None, ["run.incremental=true"]))
    assert deployment.parameters["settings"]["run"]["incremental"] is True
    assert [schedule.schedule.cron for schedule in deployment.schedules] == ["0 3 * * *"]
    assert deployment.concurrency_limit == 1
    assert deployment.parameters["input_dir"] == str((Path("data/raw")).resolve())
    assert deployment.parameters["settings"]["dedup"]["boilerplate_min_docs"] == 3


def test_dask_local_cluster_gives_the_same_tables_as_threads(server, tmp_path):
    import polars as pl

    from cleaners.output import scan_table
    from tests.conftest import RAW_SAMPLES

    outputs = {}
    for runner in ("threads", "dask"):
        output = tmp_path / runner
        started = time.monotonic()
        done = subprocess.run(
            [sys.executable, "-m", "flows.cli", "run", str(RAW_SAMPLES), str(output), "--no-progress",
             "--task-runner", runner, "--set", "run.shards=3", "--set", "dedup.partitions=2"],
            cwd=REPO, env=server, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
        print(f"\n{runner}: {time.monotonic() - started:.1f} s")
        outputs[runner] = {
            table: scan_table(output, table).collect().sort(pl.all(), nulls_last=True)
            for table in ("documents", "lines", "flags", "rejects")
        }
    for table, frame in outputs["threads"].items():
        assert frame.equals(outputs["dask"][table]), table
    assert outputs["dask"]["lines"].height == 60
