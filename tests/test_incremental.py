"""Incremental runs and the cross-run index (without Prefect)."""

import shutil

import polars as pl
import pytest

from cleaners import index
from cleaners.output import scan_table
from cleaners.pipeline import run_local
from cleaners.settings import Settings

INCREMENTAL = Settings.load(None, ["run.incremental=true"])
BOILER = "Sign up for our daily briefing"
LONG = ("The harbour authority argued for a longer consultation before any dredging begins in the "
        "northern channel, according to documents seen by this newspaper on Friday.")


def article(folder, name, title, *paragraphs):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(title + "\n\n" + "\n\n".join(paragraphs) + "\n", encoding="utf-8")


def test_second_run_processes_only_new_files_and_dedups_against_the_first(tmp_path):
    raw, out = tmp_path / "raw", tmp_path / "out"
    topics = ["farmers expect an early harvest after a warm spring across the valley region this year",
              "a new library opened downtown with late hours and a large section for children",
              "rail workers ended their strike after overnight talks with both operators"]
    for number, topic in enumerate(topics):
        article(raw, f"day1-{number}.txt", f"Story {number}", topic.capitalize() + ".", BOILER)
    article(raw, "day1-wire.txt", "Wire story", LONG, "A local comment added by the first outlet.")
    first = run_local(raw, out, INCREMENTAL)
    assert first["counts"]["lines_by_status"]["boilerplate"] == 3
    assert set(index.indexed_files(out)) == {"day1-0.txt", "day1-1.txt", "day1-2.txt", "day1-wire.txt"}

    # Day two: one new article with the boilerplate line once, and a syndicated copy of the wire story.
    article(raw, "day2-0.txt", "Story new", "Harbour cranes were repaired over the weekend by port engineers.", BOILER)
    article(raw, "day2-wire.txt", "Wire story (copy)", LONG, "Another outlet's note.")
    second = run_local(raw, out, INCREMENTAL)

    assert second["files"]["count"] == 2  # only the new files
    assert second["incremental"] is True
    lines = scan_table(out, "lines").filter(pl.col("run_id") == second["run_id"]).collect()
    boiler = lines.filter(pl.col("text") == BOILER)
    assert boiler["status"].to_list() == ["boilerplate"]  # once today, three times before
    assert boiler["boilerplate_cluster_docs"].item() == 4
    documents = scan_table(out, "documents").filter(pl.col("run_id") == second["run_id"]).collect()
    copy = documents.filter(pl.col("source") == "day2-wire.txt").row(0, named=True)
    first_docs = scan_table(out, "documents").filter(pl.col("run_id") == first["run_id"]).collect()
    original = first_docs.filter(pl.col("source") == "day1-wire.txt")["doc_id"].item()
    assert copy["dup_cluster_id"] == original and not copy["is_canonical"]
    assert len(index.indexed_files(out)) == 6

    # Nothing new: a third incremental run reads no file.
    third = run_local(raw, out, INCREMENTAL)
    assert third["files"]["count"] == 0 and third["counts"]["documents"] == 0


def test_changed_file_is_reprocessed_and_replaces_its_index_entries(tmp_path):
    raw, out = tmp_path / "raw", tmp_path / "out"
    article(raw, "a.txt", "Title", LONG)
    run_local(raw, out, INCREMENTAL)
    before = index.read_part(out, "doc_info").height
    article(raw, "a.txt", "Title", LONG + " Updated.")
    again = run_local(raw, out, INCREMENTAL)
    assert again["files"]["count"] == 1
    assert index.read_part(out, "doc_info").height == before == 1
    # The new version is not a near-duplicate of its own earlier version.
    documents = scan_table(out, "documents").filter(pl.col("run_id") == again["run_id"]).collect()
    assert documents["dup_cluster_size"].to_list() == [1]


def test_a_failed_run_leaves_the_index_as_it_was(tmp_path, monkeypatch):
    raw, out = tmp_path / "raw", tmp_path / "out"
    article(raw, "a.txt", "Title", LONG)
    run_local(raw, out, INCREMENTAL)
    before = {part: index.read_part(out, part) for part in index.PARTS}
    article(raw, "b.txt", "Other", "Something else entirely happened in the valley today, officials said.")


    def crash(*args, **kwargs):
        raise RuntimeError("killed")

    from cleaners import output

    tables = {table: scan_table(out, table).collect() for table in output.TABLES}
    monkeypatch.setattr(output, "record_run", crash)  # killed just before the commit point
    with pytest.raises(RuntimeError):
        run_local(raw, out, INCREMENTAL)
    for part, frame in before.items():
        assert index.read_part(out, part).equals(frame), part
    for table, frame in tables.items():
        assert scan_table(out, table).collect().equals(frame), table


def test_two_runs_never_hold_the_output_at_once(tmp_path):
    with index.run_lock(tmp_path):
        with pytest.raises(index.IndexBusy, match="another textwash run"):
            with index.run_lock(tmp_path):
                pass


def test_an_index_version_no_run_names_is_ignored_then_removed(tmp_path):
    raw, out = tmp_path / "raw", tmp_path / "out"
    article(raw, "a.txt", "Title", LONG)
    run_local(raw, out, INCREMENTAL)
    files = index.indexed_files(out)
    stray = out / "index" / "20990101T000000-killed"  # what a run killed before its commit point leaves
    (stray / "doc_info").mkdir(parents=True)
    pl.DataFrame({"source": ["zzz.txt"], "digest": ["d"], "run_id": ["r"]}).write_parquet(stray / "files.parquet")
    assert index.indexed_files(out) == files
    article(raw, "b.txt", "Other", "Something else entirely happened in the valley today, officials said.")
    run_local(raw, out, INCREMENTAL)
    assert not stray.exists() and len(list((out / "index").iterdir())) == 1


def test_rebuild_from_the_output_tables_gives_the_same_index(tmp_path):
    from cleaners.pipeline import rebuild_index

    raw, out = tmp_path / "raw", tmp_path / "out"
    for number, words in enumerate(["alpha bravo charlie", "delta echo foxtrot", "golf hotel india"]):
        article(raw, f"{number}.txt", f"T{number}", f"{LONG} {words}.", BOILER)
    run_local(raw, out, INCREMENTAL)
    article(raw, "3.txt", "T3", f"{LONG} juliet kilo lima.", BOILER)
    run_local(raw, out, INCREMENTAL)
    built = {part: index.read_part(out, part) for part in index.PARTS}
    shutil.rmtree(out / "index")
    rebuild_index(out, INCREMENTAL)
    for part, frame in built.items():
        keys = [column for column in frame.columns if column not in ("row",)]
        rebuilt = index.read_part(out, part)
        assert rebuilt.select(keys).sort(keys).equals(frame.select(keys).sort(keys)), part


def test_rerun_after_a_crash_does_not_redo_finished_shards(tmp_path, monkeypatch):
    import cleaners.stages as stages
    from tests.conftest import RAW_SAMPLES

    settings = Settings.load(None, ["run.shards=3"])
    reference = run_local(RAW_SAMPLES, tmp_path / "reference", settings)

    def crash(*args, **kwargs):
        raise RuntimeError("killed after the shards were prepared")

    with monkeypatch.context() as patch:
        patch.setattr(stages, "cluster_documents", crash)
        with pytest.raises(RuntimeError):
            run_local(RAW_SAMPLES, tmp_path / "out", settings)
    prepared = []
    original = stages._prepare_slice
    monkeypatch.setattr(stages, "_prepare_slice", lambda *args: prepared.append(args) or original(*args))
    again = run_local(RAW_SAMPLES, tmp_path / "out", settings)
    assert prepared == []  # every shard was finished by the crashed attempt
    assert again["run_id"] == reference["run_id"] and again["counts"] == reference["counts"]
    assert not (tmp_path / "out" / "_staging").exists()  # committed: staging removed


def test_a_retried_commit_after_the_tables_landed_keeps_them(tmp_path, monkeypatch):
    """The commit task retries; if the index update failed after the tables were committed, the
    retry must finish the run, not swap empty tables over it."""
    from datetime import UTC, datetime

    import cleaners.pipeline as pipeline
    from cleaners import plan
    from cleaners.ingest import discover
    from tests.conftest import RAW_SAMPLES

    settings = Settings()
    out = tmp_path / "out"
    job = pipeline.make_job(RAW_SAMPLES, out, pipeline.plan_run(RAW_SAMPLES, out, discover(RAW_SAMPLES), settings),
                            settings)
    steps = plan.execute(job, plan.SerialRunner())
    from cleaners import output

    original = output.record_run

    def full_disk(*args, **kwargs):
        raise OSError("no space left on device")

    monkeypatch.setattr(output, "record_run", full_disk)  # after the tables, before the commit point
    with pytest.raises(OSError):
        pipeline.finish_run(job, datetime.now(UTC), steps)
    monkeypatch.setattr(output, "record_run", original)
    manifest = pipeline.finish_run(job, datetime.now(UTC), steps)  # the retry
    reference = run_local(RAW_SAMPLES, tmp_path / "reference")
    assert manifest["counts"] == reference["counts"] and manifest["counts"]["lines"] > 50
    assert scan_table(out, "lines").collect().height == manifest["counts"]["lines"]
    assert index.indexed_files(out) and not job.staging.root.exists()
    assert pipeline.finish_run(job, datetime.now(UTC), steps)["attempt"] == job.attempt  # a late retry: no-op
    assert len(output.list_runs(out)) == 1
