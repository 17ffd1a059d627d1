"""Checks that run before Prefect starts, each failing with one line that says how to mend it.

Starting Prefect's temporary server costs about 10 s; a run that is bound to fail (an input that
is a file, an output folder that cannot be written, a bad cron, a Dask scheduler that does not
answer) should fail at once, in one line, not after the server started and in a traceback.

Exit codes of the command line (also in the README): 0 done; 1 nothing found (no such run or
document); 2 the command cannot run as given (arguments, settings, folders, cron, Dask address);
3 the run failed; 130 interrupted.
"""

from __future__ import annotations

import os
import socket
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

#: ``textwash`` exit codes.
OK, NOT_FOUND, BAD_INPUT, RUN_FAILED, INTERRUPTED = 0, 1, 2, 3, 130


class PreflightError(ValueError):
    """A run that cannot start; the message is one line saying what and how to mend it."""


def check_input(input_dir: str) -> None:
    """The input must be an existing, readable folder (local) — or an object-store prefix."""
    from cleaners import storage

    if storage.is_url(input_dir):
        return
    path = Path(input_dir)
    if not path.exists():
        raise PreflightError(f"input folder {input_dir} does not exist")
    if not path.is_dir():
        raise PreflightError(f"input {input_dir} is a file, not a folder: give the folder that holds it "
                             f"({path.resolve().parent}) or move the file into a folder of its own")
    if not os.access(path, os.R_OK | os.X_OK):
        raise PreflightError(f"input folder {input_dir} cannot be read (permission denied)")


def check_output(output_dir: str) -> None:
    """The output must be a writable folder, or a path where one can be created."""
    from cleaners import storage

    if storage.is_url(output_dir):
        return
    path = Path(output_dir)
    if path.exists() and not path.is_dir():
        raise PreflightError(f"output {output_dir} is a file, not a folder: give a folder (it is created "
                             "if missing)")
    existing = path
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir():
        raise PreflightError(f"output folder {output_dir} cannot be created: {existing} is a file")
    if not os.access(existing, os.W_OK | os.X_OK):
        where = f"output folder {output_dir}" if existing == path else f"{existing} (where {output_dir} would be created)"
        raise PreflightError(f"{where} is not writable (permission denied): choose another output folder")


def check_cron(cron: str) -> None:
    """A five-field cron expression, as Prefect's schedules read it."""
    from cronsim import CronSim, CronSimError

    try:
        CronSim(cron, datetime.now(UTC))
    except CronSimError as error:
        raise PreflightError(f"--cron {cron!r} is not a cron schedule ({error}); five fields: minute hour "
                             "day-of-month month day-of-week, e.g. '0 3 * * *' for 03:00 every day") from None


def check_dask_address(address: str, timeout: float = 3.0) -> None:
    """A Dask scheduler must answer at ``address`` (``tcp://host:port``) within ``timeout``."""
    parts = urlsplit(address if "://" in address else f"tcp://{address}")
    try:
        port = parts.port
    except ValueError:  # "tcp://host:abc"
        port = None
    if parts.scheme not in ("tcp", "tls") or not parts.hostname or not port:
        raise PreflightError(f"--dask-address {address!r} is not of the form tcp://HOST:PORT "
                             "(e.g. tcp://127.0.0.1:8786)")
    try:
        with socket.create_connection((parts.hostname, port), timeout=timeout):
            pass
    except OSError as error:
        reason = f"no answer within {timeout:g} s" if isinstance(error, TimeoutError) else (
            (error.strerror or str(error)).lower())
        raise PreflightError(f"no Dask scheduler answers at {address} ({reason}): start one "
                             "(`dask scheduler`) or leave out --dask-address for a local cluster") from None


def check_run(args: Any) -> None:
    """Every check of ``textwash run`` that needs no Prefect."""
    if getattr(args, "workers", None) is not None and args.workers < 0:
        raise PreflightError(f"--workers {args.workers}: must be 1 or more (or 0: one per core)")
    check_input(args.input_dir)
    check_output(args.output_dir)
    if getattr(args, "dask_address", None):
        check_dask_address(args.dask_address)
