"""Input and output on object storage: a real S3 API (moto's server on 127.0.0.1), no local paths.

The same run on S3 and on a local disk gives the same tables; incremental runs and the index work
there; the lock is a conditional PUT; two writers racing on one table never corrupt it.
"""

from __future__ import annotations

import multiprocessing

import polars as pl
import pytest
import s3fs

from cleaners import index, output
from cleaners.output import list_runs, scan_table, write_parquet_atomic
from cleaners.pipeline import run_local
from cleaners.settings import OutputSettings, Settings
from tests.conftest import RAW_LINES, RAW_SAMPLES, new_bucket

INCREMENTAL = Settings.load(None, ["run.incremental=true"])


def tables(where) -> dict[str, pl.DataFrame]:
    return {table: scan_table(where, table).collect().sort(pl.all(), nulls_last=True) for table in output.TABLES}


@pytest.fixture
def bucket(s3_server) -> str:
    return new_bucket(s3_server)


def upload(folder, url: str) -> None:
    s3fs.S3FileSystem(skip_instance_cache=True).put(f"{folder}/", url.removeprefix("s3://") + "/", recursive=True)


def test_a_run_from_s3_to_s3_equals_the_same_run_on_local_disk(bucket, tmp_path):
    upload(RAW_SAMPLES, f"{bucket}/raw")
    remote = run_local(f"{bucket}/raw", f"{bucket}/clean", workers=2)
    local = run_local(RAW_SAMPLES, tmp_path / "clean")
    assert remote["run_id"] == local["run_id"] and remote["counts"] == local["counts"]
    for table, frame in tables(tmp_path / "clean").items():
        assert tables(f"{bucket}/clean")[table].equals(frame), table
    store = s3fs.S3FileSystem(skip_instance_cache=True)
    left = {key.split("/")[2] for key in store.find(f"{bucket}/clean".removeprefix("s3://"))}
    assert left == {"documents", "lines", "rejects", "flags", "runs", "index", "reports"}  # no staging, no lock left
    assert pl.read_delta(f"{bucket}/clean/lines", storage_options={"allow_http": "true"}).height == RAW_LINES


def test_incremental_runs_and_the_index_on_s3(bucket):
    upload(RAW_SAMPLES, f"{bucket}/raw")
    first = run_local(f"{bucket}/raw", f"{bucket}/clean", INCREMENTAL)
    assert set(index.indexed_files(f"{bucket}/clean")) == set(first["files"]["digests"])
    store = s3fs.S3FileSystem(skip_instance_cache=True)
    wire = store.cat(f"{bucket}/raw/wire-feed.jsonl".removeprefix("s3://")).decode().splitlines()[1]
    store.pipe(f"{bucket}/raw/night-2.jsonl".removeprefix("s3://"), (wire.replace('"wire-002"', '"n2"') + "\n").encode())
    second = run_local(f"{bucket}/raw", f"{bucket}/clean", INCREMENTAL)
    assert second["files"]["count"] == 1
    documents = scan_table(f"{bucket}/clean", "documents").collect()
    assert documents.height == first["counts"]["documents"] + 1  # added, nothing doubled
    copy = documents.filter(pl.col("source") == "night-2.jsonl").row(0, named=True)
    assert copy["dup_cluster_size"] >= 2  # found as a copy of the first run's wire story, through the index
    empty = run_local(f"{bucket}/raw", f"{bucket}/clean", INCREMENTAL)
    assert empty["files"]["count"] == 0 and empty["table_versions"] == second["table_versions"]
    assert [run["kind"] for run in list_runs(f"{bucket}/clean")] == ["incremental"] * 3


def test_the_lock_on_s3_is_a_conditional_put(bucket):
    with index.run_lock(f"{bucket}/clean"):
        with pytest.raises(index.IndexBusy, match="lock"):
            with index.run_lock(f"{bucket}/clean"):
                pass
    with index.run_lock(f"{bucket}/clean"):  # released
        pass


def _overwrite_many(url: str, writer: int, times: int, environment: dict[str, str], results) -> None:
    """Full-table overwrites, alternating the two commit paths: a Delta writer over a frame, and
    staged files added without a rewrite (what a run does)."""
    import os

    os.environ.update(environment)
    committed = 0
    for attempt in range(times):
        run_id = f"run-{writer}-{attempt}"
        rows = pl.DataFrame({"source": [f"w{writer}"] * 50, "record": [f"{writer}-{attempt}-{n}" for n in range(50)],
                             "reason": "x", "detail": "y", "run_id": run_id})
        try:
            if attempt % 2:
                part = write_parquet_atomic(rows, f"{url}/_staging/{writer}-{attempt}.parquet")
                output.commit_parts(url, "rejects", [part], run_id, f"a{writer}{attempt}", None)
            else:
                output.write_delta(url, "rejects", rows.drop("run_id").lazy(), run_id, None, OutputSettings())
            committed += 1
        except Exception as error:  # a lost race is reported, never silently merged
            results.put(("error", type(error).__name__))
    results.put(("committed", committed))


def test_two_writers_racing_on_one_table_never_corrupt_it(bucket, s3_server):
    url = f"{bucket}/race"
    results: multiprocessing.Queue = multiprocessing.get_context("spawn").Queue()
    context = multiprocessing.get_context("spawn")
    writers = [context.Process(target=_overwrite_many, args=(url, writer, 6, s3_server, results)) for writer in (1, 2)]
    for process in writers:
        process.start()
    for process in writers:
        process.join(timeout=180)
    reports = [results.get(timeout=5) for _ in range(sum(1 for _ in writers))]
    while not results.empty():
        reports.append(results.get())
    committed = sum(count for kind, count in reports if kind == "committed")
    table = output.open_table(url, "rejects")
    assert table is not None
    assert table.version() == committed  # version 0 creates the table; each commit got its own version
    current = pl.read_delta(url + "/rejects", storage_options={"allow_http": "true"})
    assert current.height == 50 and current["run_id"].n_unique() == 1  # exactly one writer's rows, never a mix
    for version in range(1, table.version() + 1):
        assert pl.read_delta(url + "/rejects", version=version, storage_options={"allow_http": "true"}
                             )["run_id"].n_unique() == 1
