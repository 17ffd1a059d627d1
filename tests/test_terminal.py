"""``textwash run`` in a real terminal (tmux): one bar that counts files, MB and documents with an
ETA, above it nothing of Prefect's INFO, no telemetry notice, no traceback, and no bar left in
the scrollback once the summary is printed. tmux is installed by ``make test``."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from tests.conftest import FAKENEWSCORPUS_CSV, REPO

pytestmark = pytest.mark.prefect


def _tmux(socket: str, *arguments: str) -> str:
    return subprocess.run(["tmux", "-L", socket, *arguments], capture_output=True, text=True, check=False).stdout


def _run_in_terminal(command: list[str], environment: dict[str, str], timeout: float = 400) -> tuple[str, list[str]]:
    """Run ``command`` in a fresh 120x40 tmux terminal; its whole scrollback at the end and the
    screens seen while it ran (polled every 0.2 s)."""
    socket = f"textwash-test-{uuid.uuid4().hex[:8]}"
    exports = " ".join(f"{key}={value!r}" for key, value in environment.items())
    unset = "-u PREFECT_API_URL -u PREFECT_SERVER_ANALYTICS_ENABLED -u DO_NOT_TRACK"
    shell = f"cd {str(REPO)!r} && env {unset} {exports} {' '.join(map(repr, command))}; echo EXIT=$?; sleep 600"
    subprocess.run(["tmux", "-L", socket, "new-session", "-d", "-s", "main", "-x", "120", "-y", "40", shell], check=True)
    screens, deadline = [], time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            screen = _tmux(socket, "capture-pane", "-p")
            screens.append(screen)
            if "EXIT=" in screen:
                break
            time.sleep(0.2)
        return _tmux(socket, "capture-pane", "-p", "-J", "-S", "-"), screens  # (-J: lines the terminal wrapped, joined)
    finally:
        _tmux(socket, "kill-server")


def test_a_run_in_a_real_terminal_shows_one_clean_bar_and_the_summary(tmp_path):
    assert shutil.which("tmux"), "tmux is needed (make test installs it)"
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(FAKENEWSCORPUS_CSV, raw / "news.csv")  # real articles: a few seconds of work to watch
    home = tmp_path / "prefect-home"
    environment = {"PREFECT_HOME": str(home), "PYTHONPATH": str(REPO)}
    scrollback, screens = _run_in_terminal(  # (telemetry settings unset: textwash must opt out itself)
        [sys.executable, "-m", "flows.cli", "run", str(raw), str(tmp_path / "out"), "--set", "run.shards=4"],
        environment)
    assert "EXIT=0" in scrollback, scrollback
    bars = [line for screen in screens for line in screen.splitlines() if "ETA" in line]
    assert any("files" in line and "documents" in line and ("kB" in line or "MB" in line) for line in bars), bars
    assert any("starting a temporary Prefect server" in screen for screen in screens)
    for unwanted in ("| INFO", "Traceback", "anonymous usage data", "ERROR"):
        assert unwanted not in scrollback, scrollback
    assert "ETA" not in scrollback  # the bar is gone, not left in the scrollback
    assert "lines by status" in scrollback and "textwash run" in scrollback
    assert (home / "textwash-server.log").exists()  # the server's own output went there


def test_quiet_prints_nothing_on_success_and_errors_in_one_line(tmp_path):
    assert shutil.which("tmux"), "tmux is needed (make test installs it)"
    environment = {"PREFECT_HOME": str(tmp_path / "home"), "PYTHONPATH": str(REPO)}
    quiet, _ = _run_in_terminal([sys.executable, "-m", "flows.cli", "run", "data/raw", str(tmp_path / "out"), "-q",
                                 "--task-runner", "local"], environment)
    assert [line for line in quiet.splitlines() if line.strip() and not line.startswith("EXIT=")] == [], quiet
    assert "EXIT=0" in quiet
    wrong, _ = _run_in_terminal([sys.executable, "-m", "flows.cli", "run", "data/raw", str(tmp_path / "out"),
                                 "--set", "dedup.fuzy_threshold=9"], environment)
    lines = [line for line in wrong.splitlines() if line.strip() and not line.startswith("EXIT=")]
    assert lines == ["textwash: unknown setting dedup.fuzy_threshold (did you mean dedup.fuzzy_threshold?)"], wrong
    assert "EXIT=2" in wrong
    assert Path(tmp_path / "out" / "runs").exists()  # (the quiet run committed)
