"""Fault injection for the crash tests: kill this process at the Nth step of a commit.

Every write, copy, delete and Delta commit of :func:`cleaners.pipeline.finish_run` calls
:func:`step` first. Normally that is a no-op. With ``TEXTWASH_KILL_AT_STEP=N`` in the
environment, the Nth step of an armed commit sends this process ``SIGKILL`` (no cleanup, no
``finally``: what a power cut or the OOM killer does); ``TEXTWASH_LOG_STEPS=1`` prints each step
to stderr so a test can count them. ``tests/test_crash_safety.py`` kills a commit at every step
and checks that the previous committed state survives and the next run recovers.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from collections.abc import Iterator

_state = {"armed": False, "count": 0}


@contextlib.contextmanager
def armed() -> Iterator[None]:
    """Count (and maybe kill at) the steps taken inside this block."""
    _state["armed"], _state["count"] = True, 0
    try:
        yield
    finally:
        _state["armed"] = False


def step(name: str) -> None:
    """One step of a commit is about to happen."""
    if not _state["armed"]:
        return
    kill_at, log = os.environ.get("TEXTWASH_KILL_AT_STEP"), os.environ.get("TEXTWASH_LOG_STEPS")
    if not kill_at and not log:
        return
    _state["count"] += 1
    if log:
        print(f"textwash-step {_state['count']} {name}", file=sys.stderr, flush=True)
    if kill_at and _state["count"] == int(kill_at):
        os.kill(os.getpid(), signal.SIGKILL)
