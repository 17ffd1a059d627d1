"""The command line's terminal: one rich console for the progress bar, Prefect's logs and errors.

Two consoles writing to one terminal garble it (Prefect's log lines printed onto the bar's line,
stale copies of the bar left in the scrollback), so Prefect's console handlers are pointed at
ours: rich then prints each log line above the live bar. By default only Prefect's warnings are
shown (its INFO lines are in the Prefect UI); ``-v`` shows them, ``-q`` shows errors only.

When stderr is not a terminal (a log file, CI) there is no bar and no colour, and no line is
wrapped: each message is one line, whatever its length.
"""

from __future__ import annotations

import contextlib
import logging
import sys
from collections.abc import Iterator
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    SpinnerColumn,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

QUIET, NORMAL, VERBOSE = -1, 0, 1


def _console(stream: Any, lines: bool) -> Console:
    """A console on ``stream``; not on a terminal, messages (``lines``) are never wrapped and
    tables are drawn 120 columns wide."""
    terminal = stream.isatty()
    return Console(file=stream, soft_wrap=lines and not terminal, highlight=False, no_color=not terminal,
                   width=None if terminal else 10_000 if lines else 120,
                   markup=False)  # (log messages are text: "[/y]" or "list[str]" must print as written)


class Terminal:
    """Where the command line writes: results on stdout, everything else on stderr."""

    def __init__(self, verbosity: int = NORMAL) -> None:
        self.verbosity = verbosity
        self.out = _console(sys.stdout, lines=False)
        self.err = _console(sys.stderr, lines=True)
        self.interactive = sys.stderr.isatty()

    def error(self, message: str) -> None:
        """One line per problem, always shown: what went wrong and how to mend it."""
        for line in message.splitlines():
            self.err.print(f"[red]textwash: {_escape(line)}[/red]" if self.interactive else f"textwash: {line}",
                           markup=self.interactive, soft_wrap=True)  # (the terminal wraps: copy-paste gets one line)

    def warn(self, message: str) -> None:
        for line in message.splitlines():
            self.err.print(f"[yellow]textwash: {_escape(line)}[/yellow]" if self.interactive
                           else f"textwash: warning: {line}", markup=self.interactive, soft_wrap=True)

    def info(self, message: str) -> None:
        """A progress note (not in ``--quiet``)."""
        if self.verbosity > QUIET:
            self.err.print(f"[dim]{_escape(message)}[/dim]" if self.interactive else message, markup=self.interactive)

    @contextlib.contextmanager
    def status(self, message: str) -> Iterator[None]:
        """A spinner while something slow with nothing to count happens (the server starting)."""
        if self.interactive and self.verbosity > QUIET:
            with self.err.status(message, spinner="dots"):
                yield
        else:
            self.info(message)
            yield

    def route_logs(self) -> None:
        """Prefect's (and Dask's) console output goes through our console, at our verbosity."""
        level = {QUIET: logging.ERROR, NORMAL: logging.WARNING}.get(self.verbosity, logging.INFO)
        from prefect.logging.handlers import PrefectConsoleHandler

        loggers = [logging.getLogger(), *(logger for logger in logging.root.manager.loggerDict.values()
                                          if isinstance(logger, logging.Logger))]
        for logger in loggers:
            for handler in logger.handlers:
                if isinstance(handler, PrefectConsoleHandler):
                    handler.console = self.err
                    handler.setLevel(level)
        for name in ("distributed", "dask", "bokeh", "tornado"):
            logging.getLogger(name).setLevel(max(level, logging.WARNING))


def _size(number: int) -> str:
    """Bytes for people: 812 kB, 61.9 MB, 1.20 GB."""
    if number < 1_000_000:
        return f"{number / 1e3:,.0f} kB"
    return f"{number / 1e6:,.1f} MB" if number < 1e9 else f"{number / 1e9:,.2f} GB"


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)


class RunProgress:
    """The bar of one run, fed by :data:`cleaners.plan.Progress` events: files, MB and documents
    read, then the corpus-wide comparisons, then documents written, with an ETA.

    The work is weighed by input bytes: reading a shard counts its bytes, writing it counts them
    again (the two take about as long); the comparisons in between are counted as they finish.
    """

    def __init__(self, terminal: Terminal, show_bar: bool = True) -> None:
        self.terminal = terminal
        self.show_bar = show_bar
        self.bar: Progress | None = None
        self.task: Any = None
        self.shard_bytes: list[int] = []
        self.shard_files: list[int] = []
        self.documents = self.files_read = self.bytes_read = self.written = 0
        self.stages: list[str] = []
        self.stage_weight = 0.0

    def __call__(self, event: str, info: dict[str, Any]) -> None:
        handler = getattr(self, f"_on_{event}", None)
        if handler is not None:
            handler(info)

    def _on_run(self, info: dict[str, Any]) -> None:
        from cleaners.pipeline import input_bytes

        job = info["job"]
        self.stages = info["stages"]
        self.shard_files = [len(shard) for shard in job.shards]
        self.shard_bytes = [max(input_bytes(job.input_dir, list(shard)), 1) for shard in job.shards]
        total = sum(self.shard_bytes)
        middle = [name for name in self.stages if name not in ("prepare", "apply")]
        # Reading and writing a shard weigh its bytes each; the comparisons between, a fifth of the input.
        self.stage_weight = total / 5 / max(len(middle), 1)
        if not (self.show_bar and self.terminal.interactive) or self.terminal.verbosity <= QUIET:
            self.terminal.info(f"cleaning {sum(self.shard_files):,} files ({_size(total)}) "
                               f"in {len(self.shard_files)} shards")
            return
        self.bar = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(),
                            TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(),
                            console=self.terminal.err, transient=True, redirect_stdout=False,
                            redirect_stderr=False)
        self.task = self.bar.add_task(self._reading(), total=2 * total + self.stage_weight * len(middle))
        self.bar.start()

    def _reading(self) -> str:
        total_files, total_bytes = sum(self.shard_files), sum(self.shard_bytes)
        return (f"reading  {self.files_read:,}/{total_files:,} files · {_size(self.bytes_read)}/"
                f"{_size(total_bytes)} · {self.documents:,} documents")

    def _on_stage(self, info: dict[str, Any]) -> None:
        name = info["stage"]
        if self.bar is None or name == "prepare":
            return
        if name == "apply":
            description = f"writing  {self.written:,}/{self.documents:,} documents"
        else:
            description = f"comparing {self.documents:,} documents: {name}"
        self.bar.update(self.task, description=description)

    def _on_unit(self, info: dict[str, Any]) -> None:
        name, unit, result = info["stage"], info["unit"], info["result"]
        if name == "prepare":
            self.files_read += self.shard_files[unit]
            self.bytes_read += self.shard_bytes[unit]
            self.documents += int(result.get("documents", 0))
        elif name == "apply":
            self.written += int(result.get("documents", 0)) + int(result.get("noncanonical_not_written", 0))
        if self.bar is None:
            return
        if name in ("prepare", "apply"):
            self.bar.advance(self.task, self.shard_bytes[unit])
        description = self._reading() if name == "prepare" else (
            f"writing  {self.written:,}/{self.documents:,} documents" if name == "apply" else None)
        if description:
            self.bar.update(self.task, description=description)

    def _on_stage_done(self, info: dict[str, Any]) -> None:
        if self.bar is not None and info["stage"] not in ("prepare", "apply"):
            self.bar.advance(self.task, self.stage_weight)

    def stop(self) -> None:
        if self.bar is not None:
            self.bar.stop()
            self.bar = None
