"""The core pipeline end to end without Prefect: tables, atomic writes, idempotence, readers."""

import os

import duckdb
import polars as pl
import pytest

from cleaners import SCHEMA_VERSION, output
from cleaners.documents import DOCUMENT_COLUMNS, LINE_COLUMNS
from cleaners.output import list_runs, scan_table, write_parquet_atomic
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
    assert documents.columns == DOCUMENT_COLUMNS and DOCUMENT_COLUMNS[-1] == "run_id"
    assert lines.columns == LINE_COLUMNS
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
    stored = list_runs(out)[-1]
    assert stored["counts"] == manifest["counts"] and stored["run_id"] == run_id


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
    def current(table):
        return scan_table(out, table).collect().sort(pl.all(), nulls_last=True)

    before = {table: current(table) for table in output.TABLES}
    again = run_local(RAW_SAMPLES, out)
    assert again["run_id"] == manifest["run_id"]
    assert [run["run_id"] for run in list_runs(out)] == [manifest["run_id"]] * 2  # history keeps both
    for table, frame in before.items():  # the current view is replaced, never doubled
        assert current(table).equals(frame), table
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
    assert scan_table(out, "documents").collect()["text"].to_list() == ["Second body"]
    assert scan_table(out, "documents", first["attempt"]).collect()["text"].to_list() == ["First body"]
    assert scan_table(out, "documents", first["run_id"]).collect()["run_id"].to_list() == [first["run_id"]]


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


def test_a_kill_between_table_commits_leaves_the_last_committed_run_current(tmp_path, monkeypatch):
    source = tmp_path / "in"
    source.mkdir()
    (source / "a.txt").write_text("Title\nBody\n")
    out = tmp_path / "out"
    first = run_local(source, out)
    (source / "b.txt").write_text("Other\nBody two\n")
    real_write = output.commit_parts

    def killed_after_documents(output_dir, table, *args, **kwargs):
        if table == "lines":
            raise RuntimeError("killed")
        return real_write(output_dir, table, *args, **kwargs)

    monkeypatch.setattr(output, "commit_parts", killed_after_documents)
    with pytest.raises(RuntimeError):
        run_local(source, out)
    # documents got a new Delta version, but no run owns it: readers still see the first run
    assert output.open_table(out, "documents").version() > first["table_versions"]["documents"]
    assert [run["run_id"] for run in list_runs(out)] == [first["run_id"]]
    assert scan_table(out, "documents").collect()["text"].to_list() == ["Body"]
    assert output.recover(out) == ["documents"]  # what the next run does first
    assert pl.read_delta(str(out / "documents"))["text"].to_list() == ["Body"]
    monkeypatch.undo()
    second = run_local(source, out)
    assert sorted(scan_table(out, "documents").collect()["text"]) == ["Body", "Body two"]
    assert second["run_id"] != first["run_id"]


def test_an_incremental_commit_replaces_only_the_files_it_reread(tmp_path):
    from cleaners.settings import OutputSettings

    out = tmp_path / "out"
    rows = schemas_rejects([("a.txt", "r1"), ("a.txt", "r2"), ("b.txt", "r1")])
    output.write_delta(out, "rejects", rows.lazy(), "run1", None, OutputSettings())
    output.write_delta(out, "rejects", schemas_rejects([("b.txt", "r9"), ("c.txt", "r1")]).lazy(), "run2",
                       ["b.txt", "c.txt"], OutputSettings())
    current = pl.read_delta(str(out / "rejects")).sort("source", "record")
    assert current.select("source", "record", "run_id").rows() == [
        ("a.txt", "r1", "run1"), ("a.txt", "r2", "run1"), ("b.txt", "r9", "run2"), ("c.txt", "r1", "run2")]
    output.write_delta(out, "rejects", schemas_rejects([]).lazy(), "run3", None, OutputSettings())
    assert pl.read_delta(str(out / "rejects")).height == 0  # a full run replaces everything
    assert pl.read_delta(str(out / "rejects"), version=2).height == 4  # history stays readable (v0 creates)


def schemas_rejects(keys):
    return pl.DataFrame([{"source": source, "record": record, "reason": "x", "detail": "y"} for source, record in keys],
                        schema={"source": pl.String, "record": pl.String, "reason": pl.String, "detail": pl.String})


def test_every_table_loads_in_polars_pyarrow_duckdb_and_pandas_after_one_run_or_three(sample_run):
    """The current view, read the plain way in each tool, counts every row once; duckdb with no
    extension reads the files the Delta log names (docs/ANALYSIS.md)."""
    from deltalake import DeltaTable

    out, manifest = sample_run
    for _ in range(2):
        run_local(RAW_SAMPLES, out)
    assert len(list_runs(out)) >= 3
    for table in ("documents", "lines", "rejects", "flags"):
        expected = manifest["counts"][table]
        path = str(out / table)
        assert pl.read_delta(path).height == expected
        delta = DeltaTable(path)
        assert delta.to_pyarrow_dataset().to_table().num_rows == expected
        frame = delta.to_pandas()
        assert len(frame) == expected and "run_id" in frame.columns
        files = delta.file_uris()
        query = "select count(*), count(distinct run_id) from read_parquet($files)"
        assert duckdb.execute(query, {"files": files}).fetchall() == [(expected, 1)]
    fixes = DeltaTable(str(out / "lines")).to_pandas()["fixes"]
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
