"""The crafted hostile corpus (tests/hostile_corpus.py) through ``textwash run``, under a memory
limit: the run succeeds, every bad input is a reject with its reason, every good one a document,
nothing from outside the input folder is read, and the whole run stays under 2 GB."""

from __future__ import annotations

import resource
import subprocess
import sys

import polars as pl
import pytest

from cleaners.output import scan_table
from tests.conftest import REPO
from tests.hostile_corpus import SECRET, build

ADDRESS_SPACE = 8 * 2**30  # virtual memory: polars and Rust reserve far more than they touch
PEAK_RSS_LIMIT_MB = 2048


def _limit() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    expected = build(root / "in", root / "outside")
    done = subprocess.run([sys.executable, "-c", MEASURE, sys.executable, "-m", "flows.cli", "run", str(root / "in"),
                           str(root / "out"), "--task-runner", "local", "--workers", "1"], cwd=REPO,
                          capture_output=True, text=True, timeout=600, preexec_fn=_limit)
    returncode, peak_kb = map(int, done.stdout.split()[-2:])
    return root, expected, done, returncode, peak_kb / 1024


#: A fresh parent reports its own children's peak: this process's RUSAGE_CHILDREN may hold an
#: earlier, larger child of the test session (it did in CI, and the check then measured nothing).
MEASURE = ("import resource, subprocess, sys; done = subprocess.run(sys.argv[1:]); "
           "print(done.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")


def test_the_run_succeeds_under_the_memory_limit(hostile_run):
    _, _, done, returncode, peak_mb = hostile_run
    assert returncode == 0, done.stderr[-3000:]
    print(f"\nhostile corpus: peak RSS {peak_mb:.0f} MB")
    assert 0 < peak_mb < PEAK_RSS_LIMIT_MB


def test_every_bad_input_is_rejected_with_its_reason(hostile_run):
    root, expected, done, _, _ = hostile_run
    rejects = scan_table(root / "out", "rejects").collect()
    reasons = {source: set(group["reason"]) for (source,), group in rejects.group_by("source")}
    for source, (outcome, detail) in expected.items():
        if outcome == "reject":
            assert detail in reasons.get(source, set()), (source, reasons.get(source))


def test_every_good_input_is_a_document_with_exact_lineage(hostile_run):
    root, expected, _, _, _ = hostile_run
    documents = scan_table(root / "out", "documents").collect()
    lines = scan_table(root / "out", "lines").collect()
    for source, (outcome, check) in expected.items():
        if outcome != "document":
            continue
        document = documents.filter(pl.col("source") == source)
        assert document.height == 1, source
        row = document.row(0, named=True)
        own = lines.filter(pl.col("source") == source)
        if "title" in check:
            assert row["title"] == check["title"], source
        if "lines" in check:
            assert own.height == check["lines"], (source, own["text"].to_list())
        if "min_lines" in check:
            assert own.height >= check["min_lines"], source
        if "kept" in check:
            assert row["n_lines_kept"] == check["kept"], (source, own.select("text", "status").rows())
        if "encoding" in check:
            assert row["encoding"] == check["encoding"], source
    # the good records of a file with bad ones are kept
    assert documents.filter(pl.col("record") == "ok")["title"].to_list() == ["Fine"]
    ragged = documents.filter(pl.col("source") == "ragged.csv").sort("record")
    assert ragged["title"].to_list() == ["Good", "Also good"]
    rejects = scan_table(root / "out", "rejects").collect().filter(pl.col("source") == "ragged.csv")
    assert rejects["record"].to_list() == ["2"]


def test_nothing_outside_the_input_folder_is_read(hostile_run):
    root, _, _, _, _ = hostile_run
    text = " ".join(scan_table(root / "out", "lines").collect()["text_raw"].to_list())
    assert SECRET not in text and "root:x:0:0" not in text and "VmRSS" not in text


def test_every_input_is_a_document_or_a_reject(hostile_run):
    root, expected, _, _, _ = hostile_run
    seen = set(scan_table(root / "out", "documents").collect()["source"]) | set(
        scan_table(root / "out", "rejects").collect()["source"])
    assert set(expected) <= seen, set(expected) - seen


def test_a_file_of_a_million_tiny_records_is_cleaned_in_slices_of_bounded_memory(tmp_path):
    """One 26 MB JSONL of 1,000,000 two-word records: it used to be one batch (1.3 GB peak for this
    file, 6 GB for 5 million records); now it is cut into slices of ``run.batch_records``, so the
    peak is the parsed file plus one slice. Every record is a document."""
    folder = tmp_path / "in"
    folder.mkdir()
    words = ["alpha", "beta", "gamma", "delta", "wire", "market", "police", "vote"]
    with (folder / "tiny.jsonl").open("w", encoding="utf-8") as handle:
        for number in range(1_000_000):
            handle.write(f'{{"id": "t{number}", "text": "{words[number % 8]} {words[number // 8 % 8]}"}}\n')
    done = subprocess.run([sys.executable, "-c", MEASURE, sys.executable, "-m", "flows.cli", "run", str(folder),
                           str(tmp_path / "out"), "--task-runner", "local", "--workers", "1", "--no-progress"],
                          cwd=REPO, capture_output=True, text=True, timeout=600, preexec_fn=_limit)
    returncode, peak_kb = map(int, done.stdout.split()[-2:])
    assert returncode == 0, done.stderr[-3000:]
    print(f"\n1M tiny records: peak RSS {peak_kb / 1024:.0f} MB")
    assert peak_kb < 1024 * 1024
    assert scan_table(tmp_path / "out", "documents").select(pl.len()).collect().item() == 1_000_000
    assert len(list((tmp_path / "out" / "lines").glob("*.parquet"))) >= 10
