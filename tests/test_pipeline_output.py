"""The core pipeline end to end without Prefect: tables, atomic writes, idempotence, readers."""

import json
import os

import duckdb
import pandas as pd
import polars as pl
import pyarrow.dataset as ds
import pytest

from cleaners import SCHEMA_VERSION
from cleaners.documents import DOCUMENT_COLUMNS, LINE_COLUMNS
from cleaners.output import commit_run, list_runs, scan_table, write_parquet_atomic
from cleaners.pipeline import run_local
from cleaners.settings import RunSettings, Settings
from tests.conftest import RAW_SAMPLES


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("clean")
    manifest = run_local(RAW_SAMPLES, out)
    return out, manifest


def test_samples_fill_every_table_and_the_manifest(sample_run):
    out, manifest = sample_run
    run_id = manifest["run_id"]
    documents = scan_table(out, "documents", run_id).collect()
    lines = scan_table(out, "lines", run_id).collect()
    rejects = scan_table(out, "rejects", run_id).collect()
    assert documents.columns == [*DOCUMENT_COLUMNS, "run_id"]
    assert lines.columns == [*LINE_COLUMNS, "run_id"]
    assert documents.height == manifest["counts"]["documents"] >= 7
    assert lines.height == manifest["counts"]["lines"]
    assert set(rejects["source"]) == {"broken-export.json", "wire-feed.jsonl"}
    flags = scan_table(out, "flags", run_id).collect()
    assert flags.height == manifest["counts"]["flags"] == 1
    assert flags["kind"].to_list() == ["contradiction"]
    assert "refusing to deny them the permits" in flags["sentence"][0]
    assert manifest["schema_version"] == SCHEMA_VERSION
    assert manifest["files"]["by_encoding"]["cp1252"] == 1
    assert {"polars", "ftfy", "prefect"} <= set(manifest["versions"])
    assert manifest["settings"]["normalise"]["fast_path"] is True
    stored = json.loads((out / "runs" / f"{run_id}.json").read_text())
    assert stored["counts"] == manifest["counts"]


def test_cp1252_sample_reads_correctly(sample_run):
    out, manifest = sample_run
    documents = scan_table(out, "documents", manifest["run_id"]).collect()
    legacy = documents.filter(pl.col("source") == "legacy-newsletter.txt").row(0, named=True)
    assert legacy["encoding"] == "cp1252"
    assert legacy["title"] == "Café society returns to the old port"
    assert "“It’s the busiest summer we’ve had” — said" in legacy["text"]


def test_mojibake_and_entities_in_samples_are_repaired_and_recorded(sample_run):
    out, manifest = sample_run
    lines = scan_table(out, "lines", manifest["run_id"]).collect()
    fixed = {row["text"]: row["fixes"] for row in lines.iter_rows(named=True)}
    assert fixed["The city council approved the harbour budget on Monday — a 4% rise on last year."] == ["mojibake"]
    assert fixed["The mayor said the port’s revenue & jobs would both grow."] == ["html_entities"]
    documents = scan_table(out, "documents", manifest["run_id"]).collect()
    assert "Café owners protest new rules" in documents["title"].to_list()


def test_every_raw_line_appears_exactly_once(sample_run):
    out, manifest = sample_run
    lines = scan_table(out, "lines", manifest["run_id"]).collect()
    documents = scan_table(out, "documents", manifest["run_id"]).collect()
    # Rebuild each document's raw line count from the inputs, independently of the splitter.
    from cleaners.ingest import discover, ingest_files
    from cleaners.settings import IngestSettings

    raw = ingest_files(RAW_SAMPLES, discover(RAW_SAMPLES), IngestSettings()).documents
    expected = {row["doc_id"]: len(row["body"].rstrip("\n").split("\n")) if row["body"] else 0
                for row in raw.iter_rows(named=True)}
    counted = dict(lines.group_by("doc_id").len().iter_rows())
    assert counted == {doc: n for doc, n in expected.items() if n}
    assert lines.select("doc_id", "line_no").is_duplicated().sum() == 0
    assert set(lines["status"]) == {"kept", "empty", "duplicate", "boilerplate"}
    assert lines["reason"].null_count() == 0
    n_kept = dict(lines.filter(pl.col("status") == "kept").group_by("doc_id").len().iter_rows())
    for row in documents.iter_rows(named=True):
        assert row["n_lines"] == expected[row["doc_id"]]
        assert row["n_lines_kept"] == n_kept.get(row["doc_id"], 0)
        assert row["text"].count("\n") == max(row["n_lines_kept"] - 1, 0)


def test_rerun_on_same_input_is_idempotent_and_shard_count_does_not_matter(sample_run, tmp_path):
    out, manifest = sample_run
    again = run_local(RAW_SAMPLES, out)
    assert again["run_id"] == manifest["run_id"]
    assert len(list_runs(out)) == 1
    assert len(list((out / "lines").iterdir())) == 1
    other = run_local(RAW_SAMPLES, tmp_path / "four", Settings(run=RunSettings(shards=4)))
    assert other["run_id"] == manifest["run_id"]
    for table, key in (("documents", ["doc_id"]), ("lines", ["doc_id", "line_no"]), ("rejects", ["source", "record"])):
        one = scan_table(out, table).collect().sort(key, nulls_last=True)
        four = scan_table(tmp_path / "four", table).collect().sort(key, nulls_last=True)
        assert one.equals(four), table


def test_changed_input_makes_a_new_run_and_leaves_the_old_one(sample_run, tmp_path):
    source = tmp_path / "in"
    source.mkdir()
    (source / "a.txt").write_text("Title\nFirst body\n")
    out = tmp_path / "out"
    first = run_local(source, out)
    (source / "a.txt").write_text("Title\nSecond body\n")
    second = run_local(source, out)
    assert first["run_id"] != second["run_id"]
    texts = scan_table(out, "documents").collect().sort("run_id")
    assert sorted(texts["text"]) == ["First body", "Second body"]


def test_crash_while_writing_leaves_no_half_file(tmp_path, monkeypatch):
    target = tmp_path / "t" / "part-00000.parquet"
    write_parquet_atomic(pl.DataFrame({"a": [1]}), target)

    def explode(self, path, **kwargs):
        with open(path, "wb") as handle:
            handle.write(b"PAR1 half a file")
        raise OSError("disk full")

    monkeypatch.setattr(pl.DataFrame, "write_parquet", explode)
    with pytest.raises(OSError, match="disk full"):
        write_parquet_atomic(pl.DataFrame({"a": [2]}), target)
    monkeypatch.undo()
    assert pl.read_parquet(target)["a"].to_list() == [1]
    assert sorted(p.name for p in target.parent.iterdir()) == ["part-00000.parquet"]


def test_crash_before_commit_leaves_earlier_runs_and_no_manifest(tmp_path, monkeypatch):
    source = tmp_path / "in"
    source.mkdir()
    (source / "a.txt").write_text("Title\nBody\n")
    out = tmp_path / "out"
    first = run_local(source, out)
    (source / "b.txt").write_text("Other\nBody two\n")

    import cleaners.pipeline as pipeline

    def crash(*args, **kwargs):
        raise RuntimeError("killed")

    monkeypatch.setattr(pipeline, "commit_run", crash)
    with pytest.raises(RuntimeError):
        run_local(source, out)
    assert [run["run_id"] for run in list_runs(out)] == [first["run_id"]]
    assert scan_table(out, "documents").collect()["text"].to_list() == ["Body"]


def test_commit_replaces_a_partition_whole(tmp_path):
    out = tmp_path / "out"
    for value in ([1, 2, 3], [4]):
        staging = tmp_path / f"stage{len(value)}"
        for table in ("documents", "lines", "rejects"):
            write_parquet_atomic(pl.DataFrame({"a": value}), staging / table / "part-00000.parquet")
        commit_run(staging, out, "r1", {"run_id": "r1", "finished_at": "x"})
        assert not staging.exists()
    assert pl.read_parquet(out / "lines" / "run_id=r1" / "*.parquet")["a"].to_list() == [4]


def test_every_table_loads_in_polars_pyarrow_duckdb_and_pandas(sample_run):
    out, manifest = sample_run
    for table in ("documents", "lines", "rejects", "flags"):
        expected = manifest["counts"][table]
        path = str(out / table)
        assert pl.scan_parquet(f"{path}/**/*.parquet", hive_partitioning=True).collect().height == expected
        dataset = ds.dataset(path, format="parquet", partitioning="hive")
        assert dataset.to_table().num_rows == expected
        assert "run_id" in dataset.schema.names
        query = f"select count(*), count(distinct run_id) from read_parquet('{path}/*/*.parquet', hive_partitioning=true)"
        assert duckdb.sql(query).fetchall() == [(expected, 1)]
        frame = pd.read_parquet(path)
        assert len(frame) == expected and "run_id" in frame.columns
    fixes = pd.read_parquet(out / "lines")["fixes"]
    assert any(len(f) for f in fixes)


def test_staging_is_invisible_to_readers(sample_run):
    out, _ = sample_run
    assert not (out / "_staging").exists() or not any((out / "_staging").iterdir())
    hidden = {name for _, _, files in os.walk(out) for name in files if name.startswith(".")}
    assert hidden <= {".textwash.lock"}  # no half-written temporary file anywhere


def test_noncanonical_documents_can_be_left_out_of_documents_but_keep_their_lines(tmp_path):
    marked = run_local(RAW_SAMPLES, tmp_path / "marked")
    left_out = run_local(RAW_SAMPLES, tmp_path / "left-out",
                         Settings.load(None, ["dedup.write_noncanonical_documents=false"]))
    assert marked["counts"]["documents_noncanonical"] == 1
    assert left_out["counts"]["documents"] == marked["counts"]["documents"] - 1
    assert left_out["counts"]["documents_noncanonical"] == 0
    assert left_out["counts"]["lines"] == marked["counts"]["lines"]
    documents = scan_table(tmp_path / "marked", "documents").collect()
    copy = documents.filter(~pl.col("is_canonical")).row(0, named=True)
    assert copy["record"] == "wire-003" and copy["dup_cluster_size"] == 2
    assert copy["dup_cluster_id"] == documents.filter(pl.col("record") == "wire-002")["doc_id"].item()


def test_samples_show_duplicate_and_boilerplate_with_explanations(sample_run):
    out, manifest = sample_run
    lines = scan_table(out, "lines", manifest["run_id"]).collect()
    caption = lines.filter(pl.col("text") == "Harbour cranes at dusk").sort("line_no")
    assert caption["status"].to_list() == ["kept", "duplicate"]
    boiler = lines.filter(pl.col("status") == "boilerplate")
    assert set(boiler["boilerplate_cluster_text"]) == {"Story Continued Below", "Read More"}
    assert {"Story continued below:", "STORY CONTINUED BELOW", "Read more »"} <= set(boiler["text"])
    assert boiler["reason"].str.contains("unrelated documents").all()
