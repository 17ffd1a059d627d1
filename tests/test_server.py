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

from tests.conftest import RAW_DOCUMENTS, RAW_LINES, REPO

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
    raw, output = tmp_path / "raw", tmp_path / "clean"
    shutil.copytree(REPO / "data" / "raw", raw)

    def run_deployment() -> dict:
        from cleaners.output import list_runs

        before = len(list_runs(output)) if output.exists() else 0
        started = time.monotonic()
        prefect("deployment", "run", "clean-corpus/daily", "--param", f"input_dir={raw}",
                "--param", f"output_dir={output}")
        while True:
            runs = list_runs(output) if output.exists() else []
            if len(runs) > before:
                break
            assert worker.poll() is None, (tmp_path / "worker.log").read_text()[-3000:]
            assert time.monotonic() - started < 180, (tmp_path / "worker.log").read_text()[-3000:]
            time.sleep(0.5)
        print(f"\ndeployment run → committed output in {time.monotonic() - started:.1f} s")
        time.sleep(2)  # the runs row is the commit point; let the flow run finish its artifacts
        return runs[-1]

    try:
        first = run_deployment()
        # The next night: one new file with a line the first run saw as boilerplate, and a copy of
        # a wire story from the first run. The incremental run reads only it, against the index.
        wire = json.loads((raw / "wire-feed.jsonl").read_text(encoding="utf-8").splitlines()[1])
        (raw / "night-2.jsonl").write_text(json.dumps({
            "id": "night-2-copy", "title": "Rail strike over (syndicated)",
            "text": wire["text"].replace("Read more \u00bb", "Story Continued Below")}) + "\n", encoding="utf-8")
        second = run_deployment()
    finally:
        _stop(worker)
    assert first["counts"]["documents"] == RAW_DOCUMENTS and first["counts"]["flags"] == 1
    assert first["incremental"] is True  # prefect.yaml's nightly deployment is incremental
    for table in ("documents", "lines", "flags", "rejects"):
        assert (output / table / "_delta_log").is_dir(), table
    assert second["files"]["count"] == 1 and second["counts"]["documents"] == 1
    import polars as pl

    from cleaners.output import scan_table

    lines = scan_table(output, "lines").filter(pl.col("run_id") == second["run_id"]).collect()
    assert lines.filter(pl.col("text") == "Story Continued Below")["status"].to_list() == ["boilerplate"]
    document = scan_table(output, "documents").filter(pl.col("run_id") == second["run_id"]).collect().row(0, named=True)
    assert document["dup_cluster_size"] == 2  # a near-duplicate of the first night's wire story
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
    assert outputs["dask"]["lines"].height == RAW_LINES


def test_textwash_serve_registers_its_scheduled_deployment(server, tmp_path):
    serve = subprocess.Popen([sys.executable, "-m", "flows.cli", "serve", str(tmp_path / "in"), str(tmp_path / "out"),
                              "--cron", "0 3 * * *", "--name", "nightly-test"],
                             cwd=REPO, env=server, stdout=open(tmp_path / "serve.log", "w"),
                             stderr=subprocess.STDOUT, start_new_session=True)
    try:
        started = time.monotonic()
        while True:
            done = subprocess.run([PREFECT, "deployment", "inspect", "clean-corpus/nightly-test"], cwd=REPO,
                                  env=server, capture_output=True, text=True, timeout=60)
            if done.returncode == 0:
                break
            assert serve.poll() is None, (tmp_path / "serve.log").read_text()[-3000:]
            assert time.monotonic() - started < 120, (tmp_path / "serve.log").read_text()[-3000:]
            time.sleep(1)
        assert "0 3 * * *" in done.stdout
        assert "'incremental': True" in done.stdout or '"incremental": true' in done.stdout
    finally:
        _stop(serve)


def _wait_for_port(port: int, process: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        assert process.poll() is None, log.read_text()[-3000:]
        assert time.monotonic() < deadline, log.read_text()[-3000:]
        time.sleep(0.3)


def test_dask_cluster_with_no_shared_disk_runs_s3_to_s3_like_threads(server, s3_server, tmp_path):
    """A scheduler and two workers, each in its own working folder (nothing shared with the
    client but the network): input, staging, tables and index all live on S3."""
    import polars as pl
    import s3fs

    from cleaners import output
    from tests.conftest import RAW_SAMPLES, new_bucket

    bucket = new_bucket(s3_server)
    s3fs.S3FileSystem(skip_instance_cache=True).put(f"{RAW_SAMPLES}/", f"{bucket[5:]}/raw/", recursive=True)
    env = {**server, **s3_server}
    dask = str(Path(sys.executable).with_name("dask"))
    port = _free_port()
    processes = []
    try:
        log = tmp_path / "scheduler.log"
        scheduler = subprocess.Popen([dask, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
                                     cwd=tmp_path, env=env, stdout=open(log, "w"), stderr=subprocess.STDOUT,
                                     start_new_session=True)
        processes.append(scheduler)
        _wait_for_port(port, scheduler, log)
        address = f"tcp://127.0.0.1:{port}"
        for number in (1, 2):
            home = tmp_path / f"worker-{number}"
            home.mkdir()
            processes.append(subprocess.Popen(
                [dask, "worker", address, "--nthreads", "1", "--nworkers", "1", "--local-directory", str(home),
                 "--no-dashboard"], cwd=home, env={**env, "PREFECT_HOME": str(home / "prefect")},
                stdout=open(home / "worker.log", "w"), stderr=subprocess.STDOUT, start_new_session=True))
        from distributed import Client

        with Client(address, timeout=60) as client:
            client.wait_for_workers(2, timeout=90)
            folders = set(client.run(os.getcwd).values())
        assert len(folders) == 2 and str(REPO) not in folders

        results = {}
        for runner, extra in (("threads", []), ("dask", ["--dask-address", address])):
            started = time.monotonic()
            done = subprocess.run(
                [sys.executable, "-m", "flows.cli", "run", f"{bucket}/raw", f"{bucket}/clean-{runner}", "--no-progress",
                 "--task-runner", runner, *extra, "--set", "run.shards=3", "--set", "dedup.partitions=2"],
                cwd=REPO, env=env, capture_output=True, text=True, timeout=400)
            assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
            print(f"\n{runner} s3 → s3: {time.monotonic() - started:.1f} s")
            results[runner] = {table: output.scan_table(f"{bucket}/clean-{runner}", table).collect()
                               .sort(pl.all(), nulls_last=True) for table in output.TABLES}
        with Client(address, timeout=60) as client:
            executed = client.run(lambda dask_worker: dask_worker.state.executed_count)
        assert len(executed) == 2 and all(count > 0 for count in executed.values()), executed  # both did work
    finally:
        for process in reversed(processes):
            _stop(process)
    for table, frame in results["threads"].items():
        assert frame.equals(results["dask"][table]), table
    assert results["dask"]["lines"].height == RAW_LINES
    for folder in (REPO, *(tmp_path / f"worker-{n}" for n in (1, 2))):
        assert not (folder / "s3:").exists()  # no URL was ever taken for a local path


def test_dask_without_a_prefect_server_starts_one_for_the_run_and_its_workers(tmp_path):
    """No PREFECT_API_URL: textwash starts one temporary server and gives its URL to the local
    cluster's workers (each would start its own otherwise: seen as more than one "Starting
    temporary server" in the verbose log)."""
    from cleaners.output import latest_run
    from tests.conftest import RAW_SAMPLES

    env = {key: value for key, value in os.environ.items() if key != "PREFECT_API_URL"}
    env["PREFECT_HOME"] = str(tmp_path / "home")
    done = subprocess.run([sys.executable, "-m", "flows.cli", "run", str(RAW_SAMPLES), str(tmp_path / "out"), "-v",
                           "--task-runner", "dask", "--workers", "2"],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=400)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stderr.count("Starting temporary server") == 1, done.stderr[-3000:]
    assert "Task run 'prepare-shard-0'" in done.stderr  # the workers' logs, at -v
    assert latest_run(tmp_path / "out")["counts"]["lines"] == RAW_LINES
