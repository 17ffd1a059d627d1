"""A tiny in-process hook so the CLI can draw progress while the flow's tasks run.

Tasks call :func:`notify`; the CLI registers a listener. With no listener (a deployment, a
worker) it does nothing. Prefect's own logs and UI remain the record of a run.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_listeners: list[Callable[[str, dict[str, Any]], None]] = []


def add_listener(listener: Callable[[str, dict[str, Any]], None]) -> None:
    _listeners.append(listener)


def remove_listener(listener: Callable[[str, dict[str, Any]], None]) -> None:
    if listener in _listeners:
        _listeners.remove(listener)


def notify(event: str, info: dict[str, Any]) -> None:
    """Tell every listener (the signature of :data:`cleaners.plan.Progress`)."""
    for listener in list(_listeners):
        listener(event, info)
