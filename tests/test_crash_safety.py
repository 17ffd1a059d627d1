"""A kill at any step of a commit never harms the committed state, and the next run recovers.

The commit (``cleaners.pipeline.finish_run``) is killed with SIGKILL at each of its steps in
turn — every write, copy, delete and table commit (``cleaners/faults.py``) — in a real child
process, for a full and an incremental run. After each kill, a reader sees exactly the previous
committed run (or, once the run's ``runs`` row is written, the new one); then a normal run
finishes the work, and its tables equal those of a run that was never killed, with nothing left
over in staging or the index.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import polars as pl
import pytest

from cleaners import output
from cleaners.pipeline import run_local
from cleaners.settings import Settings
from tests.conftest import REPO

CHILD = ("import sys; from cleaners.pipeline import run_local; from cleaners.settings import Settings; "
         "run_local(sys.argv[1], sys.argv[2], Settings.load(None, sys.argv[3:]))")
LAYOUT = ["run.shards=1", "dedup.partitions=1"]


def write(folder, name, text):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")


def inputs(tmp_path):
    first, second = tmp_path / "in1", tmp_path / "in2"
    for folder in (first, second):
        write(folder, "a.txt", "Harbour opens\nThe harbour opened on Monday after repairs that took a year.\n"
              "Story Continued Below\n")
        write(folder, "b.txt", "Rail strike\nRail workers ended their strike after talks.\nStory Continued Below\n")
        write(folder, "broken.json", "{not json")
    write(second, "a.txt", "Harbour opens\nThe harbour opened on Monday after repairs that took a year.\n"
          "Story Continued Below\nThe mayor cut the ribbon.\n")
    write(second, "c.txt", "Third story\nA third story about the port and its cranes.\nStory Continued Below\n")
    return first, second


def view(folder) -> dict[str, pl.DataFrame]:
    return {table: output.scan_table(folder, table).collect().sort(pl.all(), nulls_last=True)
            for table in output.TABLES}


def same(left, right) -> bool:
    return all(left[table].equals(right[table]) for table in output.TABLES)


def child(source, target, overrides, **env) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", CHILD, str(source), str(target), *overrides], cwd=REPO,
                          env={**os.environ, **env}, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("kind", ["full", "incremental"])
def test_a_kill_at_any_step_of_the_commit_keeps_the_last_committed_run(tmp_path, kind):
    overrides = [*LAYOUT, *(["run.incremental=true"] if kind == "incremental" else [])]
    settings = Settings.load(None, overrides)
    first_input, second_input = inputs(tmp_path)
    base = tmp_path / "base"
    run_local(first_input, base, settings)
    before = view(base)
    reference = tmp_path / "reference"
    shutil.copytree(base, reference)
    run_local(second_input, reference, settings)
    after = view(reference)
    assert not same(before, after)

    counted = child(second_input, shutil.copytree(base, tmp_path / "count"), overrides, TEXTWASH_LOG_STEPS="1")
    assert counted.returncode == 0, counted.stderr[-2000:]
    steps = [line for line in counted.stderr.splitlines() if line.startswith("textwash-step")]
    assert len(steps) >= 10, steps  # index files, part copies, four table commits, the runs row, clean-up

    outcomes = []
    for step in range(1, len(steps) + 1):
        out = shutil.copytree(base, tmp_path / f"kill-{step}")
        killed = child(second_input, out, overrides, TEXTWASH_KILL_AT_STEP=str(step))
        assert killed.returncode == -9, (step, killed.stderr[-2000:])
        committed = len(output.list_runs(out)) == 2
        assert same(view(out), after if committed else before), (step, steps[step - 1])
        outcomes.append(committed)
        run_local(second_input, out, settings)  # the next run recovers and finishes the work
        assert same(view(out), after), (step, steps[step - 1])
        assert not (out / "_staging").exists(), step  # nothing left in staging
        assert len(list((out / "index").iterdir())) == 1, step  # only the current index version
    # killed before the runs row: the old state; after it: the new one, and nothing in between
    assert outcomes == sorted(outcomes) and outcomes[0] is False and outcomes[-1] is True
