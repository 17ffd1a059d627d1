"""The run history and the current view under the awkward cases a review found: clocks that
disagree, a retried commit, vacuum after a crash, unreadable files, files deleted from the input."""

from __future__ import annotations

import gzip
import shutil
from datetime import UTC, datetime, timedelta

import pytest

from cleaners import index, output, pipeline
from cleaners.output import list_runs, scan_table
from cleaners.pipeline import run_local
from cleaners.settings import Settings

INCREMENTAL = Settings.load(None, ["run.incremental=true"])


def article(folder, name, title, body):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(f"{title}\n{body}\n", encoding="utf-8")


@pytest.fixture
def folders(tmp_path):
    raw, out = tmp_path / "raw", tmp_path / "out"
    article(raw, "a.txt", "Harbour", "The harbour opened on Monday after a year of repairs.")
    article(raw, "b.txt", "Rail", "Rail workers ended their strike after overnight talks.")
    return raw, out


def test_runs_are_ordered_by_commit_not_by_a_clock(folders, monkeypatch):
    raw, out = folders
    run_local(raw, out, INCREMENTAL)
    article(raw, "c.txt", "Ferry", "The ferry resumed its crossings after the storm.")

    class SlowClock(datetime):  # the second run's host is an hour behind
        @classmethod
        def now(cls, tz=None):
            return datetime.now(tz) - timedelta(hours=1)

    monkeypatch.setattr(pipeline, "datetime", SlowClock)
    second = run_local(raw, out, INCREMENTAL)
    monkeypatch.undo()
    runs = list_runs(out)
    assert [run["seq"] for run in runs] == [1, 2] and runs[-1]["attempt"] == second["attempt"]
    assert output.recover(out) == []  # the later run is the current one, whatever its clock said
    assert sorted(scan_table(out, "documents").collect()["source"]) == ["a.txt", "b.txt", "c.txt"]


def test_a_commit_retried_after_a_failure_half_way_finishes(folders, monkeypatch):
    raw, out = folders
    settings = Settings()
    run_local(raw, out)  # an earlier committed run: the tables exist
    article(raw, "c.txt", "Ferry", "The ferry resumed its crossings after the storm.")
    sources = pipeline.discover(raw)
    job = pipeline.make_job(raw, out, pipeline.plan_run(raw, out, sources, settings), settings)
    from cleaners import plan

    steps = plan.execute(job, plan.SerialRunner())
    from cleaners import faults

    def flaky(name):  # the store drops the connection as the lines table commits, its parts placed
        if name.startswith("commit") and name.endswith("lines"):
            raise OSError("connection reset")

    monkeypatch.setattr(faults, "step", flaky)
    with pytest.raises(OSError):
        pipeline.finish_run(job, datetime.now(UTC), steps)
    monkeypatch.undo()
    manifest = pipeline.finish_run(job, datetime.now(UTC), steps)  # same attempt: the same part names again
    assert manifest["attempt"] == job.attempt
    assert scan_table(out, "lines").collect().height == manifest["counts"]["lines"] == 3


def test_vacuum_after_a_killed_commit_keeps_the_folder_usable(folders, monkeypatch):
    raw, out = folders
    run_local(raw, out)
    article(raw, "c.txt", "Ferry", "The ferry resumed its crossings after the storm.")
    real = output.commit_parts

    def killed(output_dir, table, *args, **kwargs):
        if table == "rejects":
            raise RuntimeError("killed")
        return real(output_dir, table, *args, **kwargs)

    monkeypatch.setattr(output, "commit_parts", killed)
    with pytest.raises(RuntimeError):
        run_local(raw, out)
    monkeypatch.undo()
    output.vacuum(out, 0)  # rolls the half-commit back first, then deletes only what no version needs
    assert sorted(scan_table(out, "documents").collect()["source"]) == ["a.txt", "b.txt"]
    run_local(raw, out)
    assert sorted(scan_table(out, "documents").collect()["source"]) == ["a.txt", "b.txt", "c.txt"]


def test_an_unreadable_file_is_not_reread_until_it_changes(folders):
    raw, out = folders
    (raw / "broken.txt.gz").write_bytes(b"not gzip at all")
    (raw / "huge.bin").write_bytes(b"\0" * 100)  # unsupported format
    first = run_local(raw, out, INCREMENTAL)
    assert first["counts"]["rejects"] == 2
    again = run_local(raw, out, INCREMENTAL)
    assert again["files"]["count"] == 0 and again["table_versions"] == first["table_versions"]
    with gzip.open(raw / "broken.txt.gz", "wt") as handle:
        handle.write("Fixed\nNow it is a real gzip file with a story.\n")
    fixed = run_local(raw, out, INCREMENTAL)
    assert fixed["files"]["count"] == 1
    assert "broken.txt.gz" in scan_table(out, "documents").collect()["source"].to_list()
    assert "broken.txt.gz" not in scan_table(out, "rejects").collect()["source"].to_list()


def test_a_file_deleted_from_the_input_leaves_the_current_view(folders):
    raw, out = folders
    run_local(raw, out, INCREMENTAL)
    (raw / "b.txt").unlink()
    gone = run_local(raw, out, INCREMENTAL)
    assert gone["files"]["deleted"] == ["b.txt"] and gone["files"]["count"] == 0
    assert scan_table(out, "documents").collect()["source"].to_list() == ["a.txt"]
    assert set(scan_table(out, "lines").collect()["source"]) == {"a.txt"}
    assert set(index.indexed_files(out)) == {"a.txt"}
    assert index.read_part(out, "doc_info")["source"].to_list() == ["a.txt"]
    assert "b.txt" in scan_table(out, "documents", list_runs(out)[0]["attempt"]).collect()["source"].to_list()
    shutil.copy(raw / "a.txt", raw / "b.txt")  # back again: read again
    assert run_local(raw, out, INCREMENTAL)["files"]["count"] == 1
