"""The ``textwash`` command line.

``textwash run [INPUT_DIR] [OUTPUT_DIR]`` cleans a folder with the Prefect flow;
``textwash inspect [OUTPUT_DIR]`` prints the latest run's summary.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Iterator
from typing import Any

DESCRIPTION = """\
textwash turns a folder of scraped news (txt/md, jsonl, json, csv, parquet, and .gz of each)
into clean, annotated tables: documents/, lines/, flags/ and rejects/ under the output folder, as
Delta Lake tables (Parquet + a commit log: a plain read is the current state, earlier runs stay
readable), and runs/, the history. Folders may be local or s3://bucket/prefix. See docs/SCHEMA.md.
"""

RUN_EPILOG = """\
settings: defaults < --config FILE (TOML) < --set section.key=value (repeatable); values are JSON
where they parse as JSON. Sections and keys:
{keys}

Without PREFECT_API_URL, textwash starts a temporary local Prefect server for the run (about
10 s; --task-runner local needs none). Rejected files and records are listed at the end and
stored in rejects/; they do not fail the run.

exit codes: 0 done (also: nothing to clean), 1 nothing found (inspect/show), 2 the command
cannot run as given (arguments, settings, folders, cron, Dask address), 3 the run failed,
130 interrupted.

examples:
  textwash run                                   # data/raw -> data/clean
  textwash run ~/scrapes out --set run.shards=4
  textwash run in out --config textwash.toml --set ingest.text_fields='["body"]'
  textwash run in out --task-runner dask         # a local Dask cluster, one worker per core
  PREFECT_API_URL=http://prefect:4200/api textwash run in out --task-runner dask --dask-address tcp://scheduler:8786
"""


def _settings_keys() -> str:
    """Every section and key, from the settings model (so the help never goes stale)."""
    import textwrap

    from cleaners.settings import Settings

    lines = [textwrap.fill(f"[{name}] " + ", ".join(field.annotation.model_fields),  # type: ignore[union-attr]
                           width=96, initial_indent="  ", subsequent_indent="      ")
             for name, field in Settings.model_fields.items()]
    return "\n".join(lines)


def _add_verbosity(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument("-q", "--quiet", action="store_true", help="errors and warnings only: no bar, no summary")
    group.add_argument("-v", "--verbose", action="store_true",
                       help="also Prefect's and Dask's INFO logs, and tracebacks of failures")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="textwash", description=DESCRIPTION,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    from cleaners import __version__

    parser.add_argument("--version", action="version", version=f"textwash {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser("run", help="clean INPUT_DIR into OUTPUT_DIR with the Prefect flow",
                              description="Clean every document under INPUT_DIR into Parquet under OUTPUT_DIR.",
                              epilog=RUN_EPILOG.format(keys=_settings_keys()),
                              formatter_class=argparse.RawDescriptionHelpFormatter)
    _add_verbosity(run)
    run.add_argument("input_dir", nargs="?", default="data/raw", help="folder of raw documents (default: data/raw)")
    run.add_argument("output_dir", nargs="?", default="data/clean", help="output folder (default: data/clean)")
    run.add_argument("--config", metavar="FILE", help="TOML settings file")
    run.add_argument("--set", dest="overrides", action="append", default=[], metavar="SECTION.KEY=VALUE",
                     help="override one setting (repeatable)")
    run.add_argument("--no-progress", action="store_true", help="no progress bar (for logs and CI)")
    run.add_argument("--incremental", action="store_true",
                     help="process only files new or changed since earlier runs into OUTPUT_DIR, and "
                     "deduplicate them against those runs (the cross-run index in OUTPUT_DIR/index)")
    run.add_argument("--task-runner", choices=["threads", "processes", "dask", "local"], default="threads",
                     help="where tasks run: threads in this process that hand their work to a pool of worker "
                     "processes, one per core (default); Prefect's process pool (each worker process is a "
                     "Prefect client: slower to start); Dask (needs the dask extra; a local cluster unless "
                     "--dask-address); or local: the same stage plan on a worker pool without "
                     "Prefect (no server to start: about 8 s less; no Prefect UI, artifacts or retries)")
    run.add_argument("--workers", type=int, metavar="N",
                     help="worker processes (default: run.workers, 0 = one per core)")
    run.add_argument("--dask-address", metavar="tcp://HOST:PORT",
                     help="an existing Dask scheduler (default: start a local cluster, one worker per core)")

    serve = commands.add_parser(
        "serve", help="run the flow on a schedule (Prefect's serve: no work pool needed)",
        description="Register a deployment of the main flow with a cron schedule and run its flow runs from this "
        "process until stopped (Ctrl-C). Needs a Prefect server: set PREFECT_API_URL (e.g. "
        "http://127.0.0.1:4200/api after `prefect server start`). For a work pool and workers use "
        "prefect.yaml instead (see the README).", formatter_class=argparse.RawDescriptionHelpFormatter)
    serve.add_argument("input_dir", nargs="?", default="data/raw", help="folder of raw documents (default: data/raw)")
    serve.add_argument("output_dir", nargs="?", default="data/clean", help="output folder (default: data/clean)")
    serve.add_argument("--cron", required=True, help='cron schedule, e.g. "0 3 * * *" (03:00 every day, UTC)')
    serve.add_argument("--name", default="textwash-served", help="deployment name (default textwash-served)")
    serve.add_argument("--full", action="store_true",
                       help="reprocess every file on each run (default: incremental, only new or changed files)")
    serve.add_argument("--config", metavar="FILE", help="TOML settings file")
    _add_verbosity(serve)
    serve.add_argument("--set", dest="overrides", action="append", default=[], metavar="SECTION.KEY=VALUE",
                       help="override one setting (repeatable)")

    reindex = commands.add_parser("reindex", help="rebuild OUTPUT_DIR/index from the output tables",
                                  description="Rebuild the cross-run index (used by --incremental runs) from the "
                                  "committed tables and manifests in OUTPUT_DIR.")
    reindex.add_argument("output_dir", nargs="?", default="data/clean", help="output folder (default: data/clean)")

    runs = commands.add_parser("runs", help="list the committed runs of OUTPUT_DIR (the history)",
                               description="List every committed run, oldest first: when, what kind (full, "
                               "incremental, reindex), files, documents, and the table versions it left, which "
                               "`inspect --run` and scan_table(..., run_id=...) read back.")
    runs.add_argument("output_dir", nargs="?", default="data/clean", help="output folder (default: data/clean)")
    runs.add_argument("--json", action="store_true", help="one JSON object per run, for scripts")

    vacuum = commands.add_parser("vacuum", help="delete table files that only old history needs",
                                 description="Delete the Parquet files that no table version from the last N days "
                                 "needs. Runs older than that can no longer be read back (time travel); the current "
                                 "view never changes.")
    vacuum.add_argument("output_dir", help="output folder")
    vacuum.add_argument("--older-than-days", type=float, default=7.0, metavar="N",
                        help="keep every version of the last N days (default 7; 0 keeps only the current view)")

    upgrade = commands.add_parser("upgrade", help="convert an output folder written by an older textwash",
                                  description="Convert OUTPUT_DIR from the Hive-folder layout (textwash schema 1.3 "
                                  "and older) to Delta tables, replaying its runs in order so that the history is "
                                  "kept. The old folders are moved to OUTPUT_DIR/_legacy-<time>/ (delete it when "
                                  "satisfied).")
    upgrade.add_argument("output_dir", help="output folder to convert")

    inspect = commands.add_parser("inspect", help="print the latest run's summary as tables",
                                  description="Print a run's summary: files, lines by status, fixes, top "
                                  "boilerplate clusters, largest near-duplicate document clusters, "
                                  "contradiction flags with their explanations, rejects.")
    inspect.add_argument("output_dir", nargs="?", default="data/clean", help="output folder (default: data/clean)")
    inspect.add_argument("--run", dest="run_id", help="a run id (default: the latest committed run)")
    inspect.add_argument("--rejects", type=int, default=20, metavar="N", help="list at most N rejects (default 20)")
    inspect.add_argument("--flags", type=int, default=20, metavar="N",
                         help="list at most N flags, most severe first (default 20)")
    inspect.add_argument("--clusters", type=int, default=10, metavar="N",
                         help="list at most N boilerplate and document clusters (default 10)")
    _add_show_and_report(commands)
    return parser


def _add_show_and_report(commands: Any) -> None:
    show = commands.add_parser("show", help="print one document as the pipeline saw it",
                               description="Print one document: every line in order, removed lines struck "
                               "through with their reason, flagged sentences highlighted with the flag's "
                               "explanation, and its near-duplicate cluster. SELECTOR is SOURCE (a file holding "
                               "one document), SOURCE#RECORD, or a doc id (a unique prefix of at least 8 hex digits).")
    show.add_argument("selector", metavar="SOURCE[#RECORD]|DOC_ID", help="the document")
    show.add_argument("output_dir", nargs="?", default="data/clean", help="output folder (default: data/clean)")
    show.add_argument("--run", dest="run_id", help="a run id (default: the latest committed run)")
    show.add_argument("--json", action="store_true", help="print one JSON object, for scripts")

    report = commands.add_parser("report", help="write a run's HTML report (self-contained, works offline)",
                                 description="Write the HTML report of a run: overview, charts, boilerplate and "
                                 "duplicate families, every flag, and a sample of documents. Every run writes its "
                                 "own to OUTPUT_DIR/reports/<run_id>.html; this writes it again (or elsewhere).")
    report.add_argument("output_dir", nargs="?", default="data/clean", help="output folder (default: data/clean)")
    report.add_argument("--run", dest="run_id", help="a run id (default: the latest committed run)")
    report.add_argument("-o", "--output", metavar="FILE",
                        help="where to write it (default: OUTPUT_DIR/reports/<run_id>.html; - for stdout)")


def main(argv: list[str] | None = None) -> int:
    # textwash opts out of Prefect's telemetry (server analytics and the client's notice) unless
    # the environment says otherwise.
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    # (before anything imports Prefect, which reads its settings once: see flows/clean_corpus.py)
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    args = _parser().parse_args(argv)
    from cleaners.output import LegacyOutput

    try:
        return _dispatch(args)
    except LegacyOutput as error:
        print(f"textwash: {error}", file=sys.stderr)
        return 2
    except ImportError as error:
        if "s3fs" not in str(error):
            raise
        print("textwash: s3:// paths need the s3 extra: pip install 'textwash[s3]'", file=sys.stderr)
        return 2


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "run":
        return _run(args)
    if args.command == "serve":
        return _serve(args)
    if args.command == "reindex":
        from cleaners.pipeline import rebuild_index

        print(rebuild_index(args.output_dir))
        return 0
    if args.command == "runs":
        return _runs(args)
    if args.command in ("show", "report"):
        return _show_or_report(args)
    if args.command == "vacuum":
        from cleaners.output import vacuum

        print(vacuum(args.output_dir, args.older_than_days * 24))
        return 0
    if args.command == "upgrade":
        from cleaners.upgrade import upgrade_output

        print(upgrade_output(args.output_dir))
        return 0
    return _inspect(args)


def serve_deployment(input_dir: str, output_dir: str, cron: str, name: str, settings: Any) -> Any:
    """The deployment ``textwash serve`` registers: the main flow, a cron schedule, these
    parameters, and a concurrency limit of one (overlapping runs wait)."""
    from cleaners import storage
    from flows.clean_corpus import clean_corpus

    return clean_corpus.to_deployment(
        name=name, cron=cron, concurrency_limit=1,
        parameters={"input_dir": storage.uri(storage.location(input_dir)),
                    "output_dir": storage.uri(storage.location(output_dir)),
                    "settings": settings.model_dump(mode="json")},
        description=f"textwash: clean {input_dir} into {output_dir} on '{cron}'",
    )


def _serve(args: argparse.Namespace) -> int:
    from cleaners.settings import Settings
    from flows import preflight
    from flows.console import Terminal

    terminal = Terminal(_verbosity(args))
    try:
        settings = Settings.load(args.config, [*args.overrides, *([] if args.full else ["run.incremental=true"])])
        preflight.check_cron(args.cron)  # (the folders are checked by each scheduled run, where it runs)
    except ValueError as error:  # SettingsError, PreflightError
        terminal.error(str(error))
        return preflight.BAD_INPUT
    if not os.environ.get("PREFECT_API_URL"):
        terminal.error("serve needs a Prefect server: run `prefect server start` and set "
                       "PREFECT_API_URL=http://127.0.0.1:4200/api")
        return preflight.BAD_INPUT
    from prefect import serve

    terminal.route_logs()
    serve(serve_deployment(args.input_dir, args.output_dir, args.cron, args.name, settings))
    return preflight.OK


def _verbosity(args: argparse.Namespace) -> int:
    from flows.console import NORMAL, QUIET, VERBOSE

    return QUIET if getattr(args, "quiet", False) else VERBOSE if getattr(args, "verbose", False) else NORMAL


def _run(args: argparse.Namespace) -> int:
    """``textwash run``: check everything that can be checked, then run, one line per problem."""
    from flows import preflight
    from flows.console import Terminal

    terminal = Terminal(_verbosity(args))
    from cleaners.output import LegacyOutput

    try:
        settings = _checked_settings(args)
    except (ValueError, LegacyOutput) as error:  # SettingsError, PreflightError, FolderError, LegacyOutput
        terminal.error(str(error))
        return preflight.BAD_INPUT
    from cleaners.ingest import discover

    try:
        found = discover(args.input_dir)
    except OSError as error:  # an object-store prefix that does not exist, credentials, …
        terminal.error(f"input {args.input_dir} cannot be listed: {error}")
        return preflight.BAD_INPUT
    if not found:
        terminal.warn(f"no input files under {args.input_dir}: nothing to clean, nothing committed")
        return preflight.OK
    try:
        manifest = _run_checked(args, settings, terminal)
    except KeyboardInterrupt:
        terminal.error("interrupted: committed runs are untouched; run again to finish")
        return preflight.INTERRUPTED
    except Exception as error:  # a run that started and failed: one line, the traceback with -v
        if terminal.verbosity > 0:
            terminal.err.print_exception()
        terminal.error(f"run failed: {type(error).__name__}: {error}"
                       + ("" if terminal.verbosity > 0 else " (-v shows the traceback)"))
        return preflight.RUN_FAILED
    if manifest.get("nothing_to_clean"):  # (the input emptied after the check above)
        terminal.warn(f"no input files under {args.input_dir}: nothing to clean, nothing committed")
        return preflight.OK
    if terminal.verbosity >= 0:
        from cleaners import storage

        _print_summary(manifest, storage.location(args.output_dir), console=terminal.out, max_rejects=20)
    return preflight.OK


def _checked_settings(args: argparse.Namespace) -> Any:
    """The run's settings, after every check that needs no Prefect (raises ``ValueError``s)."""
    from cleaners import storage
    from cleaners.output import check_layout
    from cleaners.pipeline import check_folders
    from cleaners.settings import Settings
    from flows import preflight

    settings = Settings.load(args.config, [*args.overrides, *(["run.incremental=true"] if args.incremental else [])])
    if args.task_runner == "dask":
        try:
            import prefect_dask  # noqa: F401
        except ImportError:
            raise preflight.PreflightError("the Dask task runner needs the dask extra: pip install -e '.[dask]' "
                                           "in the textwash checkout") from None
    preflight.check_run(args)
    check_folders(args.input_dir, args.output_dir)
    try:
        check_layout(storage.location(args.output_dir))
    except OSError as error:  # an object store that cannot be reached, credentials, …
        raise preflight.PreflightError(f"output {args.output_dir} cannot be read: {error}") from None
    return settings


def _run_checked(args: argparse.Namespace, settings: Any, terminal: Any) -> dict[str, Any]:
    from flows.console import RunProgress

    bar = RunProgress(terminal, show_bar=not args.no_progress)
    try:
        if args.task_runner == "local":
            return _run_local(args, settings, terminal, bar)
        # Worker processes (Dask, Prefect's process pool) print their own logs: at our level.
        level = {-1: "ERROR", 0: "WARNING"}.get(terminal.verbosity, "INFO")
        with _environment_default("PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL", level):
            return _run_flow(args, settings, terminal, bar)
    finally:
        bar.stop()


def _run_local(args: argparse.Namespace, settings: Any, terminal: Any, bar: Any) -> dict[str, Any]:
    """``--task-runner local``: the plan on a worker pool, no Prefect; report warnings in one line."""
    import warnings

    from cleaners.pipeline import run_local

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        manifest = run_local(args.input_dir, args.output_dir, settings, workers=args.workers or None, progress=bar)
    for warning in caught:
        terminal.warn(str(warning.message).removeprefix("textwash: "))
    return manifest


@contextlib.contextmanager
def _environment_default(name: str, value: str) -> Iterator[None]:
    """``name=value`` in the environment for the run (inherited by worker processes) unless the
    user set it; removed afterwards, so that a caller of :func:`main` keeps its environment."""
    if name in os.environ:
        yield
        return
    os.environ[name] = value
    try:
        yield
    finally:
        os.environ.pop(name, None)


def _run_flow(args: argparse.Namespace, settings: Any, terminal: Any, bar: Any) -> dict[str, Any]:
    from cleaners.plan import default_workers
    from flows import progress

    with terminal.status("loading Prefect…"):
        from flows.clean_corpus import clean_corpus
    terminal.route_logs()
    workers = args.workers or settings.run.workers or default_workers()
    flow = clean_corpus
    if args.task_runner == "dask":
        from prefect_dask import DaskTaskRunner

        runner = (DaskTaskRunner(address=args.dask_address) if args.dask_address else
                  DaskTaskRunner(cluster_kwargs={"n_workers": workers, "threads_per_worker": 1, "processes": True,
                                                 "silence_logs": logging_level(terminal)}))
        flow = clean_corpus.with_options(task_runner=runner)  # type: ignore[arg-type]
    elif args.task_runner == "processes":
        from prefect.task_runners import ProcessPoolTaskRunner

        flow = clean_corpus.with_options(task_runner=ProcessPoolTaskRunner(max_workers=workers))  # type: ignore[arg-type]
    progress.add_listener(bar)
    try:
        with _api_for_workers(args.task_runner, terminal):
            manifest: dict[str, Any] = flow(args.input_dir, args.output_dir, settings, workers,
                                            worker_pool=args.task_runner == "threads")
    finally:
        progress.remove_listener(bar)
    return manifest


def logging_level(terminal: Any) -> int:
    """The level of Dask's own loggers in a local cluster's workers (WARNING unless verbose)."""
    import logging

    return logging.INFO if terminal.verbosity > 0 else logging.WARNING


#: Watches textwash's process and stops the temporary server if textwash dies without cleaning
#: up (SIGKILL, the OOM killer), so no server outlives its run.
_WATCHDOG = """
import os, signal, sys, time
parent, servers = int(sys.argv[1]), set()
MARK = b"prefect.server.api.server"

def command(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            return handle.read()
    except OSError:
        return b""

def children():  # processes whose parent is textwash and that run Prefect's server (Linux /proc)
    found = set()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                ppid = int(handle.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        if ppid == parent and int(entry) != os.getpid() and MARK in command(entry):
            found.add(int(entry))
    return found

def stop(sig):  # only a process that still runs the server (a pid may have been reused)
    for server in servers:
        if MARK in command(server):
            try:
                os.kill(server, sig)
            except OSError:
                pass

ticks = 0
while True:
    try:
        os.kill(parent, 0)
    except OSError:
        break
    if not servers or ticks % 10 == 0:  # /proc is read often until the server is seen, then every 2 s
        servers |= children()
    ticks += 1
    time.sleep(0.2)
stop(signal.SIGTERM)
time.sleep(5)
stop(signal.SIGKILL)
"""


@contextlib.contextmanager
def _api_for_workers(task_runner: str, terminal: Any) -> Iterator[None]:
    """Without a Prefect API, start the one temporary server of this run here: every worker
    process (Prefect's process pool, a local Dask cluster's workers) is pointed at it — a worker
    left alone would start a server of its own, about 5 s each — and a watchdog stops it if
    textwash is killed. It stops when textwash exits."""
    from prefect.settings import PREFECT_API_URL, temporary_settings

    if PREFECT_API_URL.value():  # the environment or a profile
        yield
        return
    import subprocess

    from prefect.server.api.server import SubprocessASGIServer

    if sys.platform.startswith("linux"):  # the watchdog reads /proc; started first, so it sees the server start
        subprocess.Popen([sys.executable, "-c", _WATCHDOG, str(os.getpid())], stdin=subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    server = SubprocessASGIServer()
    # start() stops it at interpreter exit, after Prefect has flushed its logs and events to it
    # (those flushes run at thread shutdown; stopping it earlier makes them retry for a minute).
    with terminal.status("No PREFECT_API_URL: starting a temporary Prefect server for this run (about 10 s)…"), \
            _server_output_to_log(terminal):
        server.start(timeout=int(os.environ.get("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")))
    os.environ["PREFECT_API_URL"] = server.api_url  # inherited by the worker processes
    try:
        with temporary_settings(updates={PREFECT_API_URL: server.api_url}):
            yield
    finally:
        del os.environ["PREFECT_API_URL"]


@contextlib.contextmanager
def _server_output_to_log(terminal: Any) -> Iterator[None]:
    """The temporary server's own output (its errors while it is stopped at exit, tracebacks of
    events still arriving) goes to ``PREFECT_HOME/textwash-server.log``, not onto the terminal.

    Prefect starts it with ``subprocess.Popen`` and no way to pass ``stdout``: for the start only,
    its server module sees a ``subprocess`` whose ``Popen`` writes to the log (nothing else does).
    """
    import functools
    import subprocess
    import types

    import prefect.server.api.server as server_module
    from prefect.settings import get_current_settings

    log_path = get_current_settings().home / "textwash-server.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "ab") as log:
        logged = types.ModuleType("subprocess")
        logged.__dict__.update(subprocess.__dict__)
        logged.Popen = functools.partial(subprocess.Popen, stdout=log, stderr=log)  # type: ignore[attr-defined]
        server_module.subprocess = logged
        try:
            yield
        except RuntimeError as error:  # a start that timed out: the log says why
            raise RuntimeError(f"{error} (the server's output: {log_path})") from error
        finally:
            server_module.subprocess = subprocess
    if terminal.verbosity > 0:
        terminal.info(f"the temporary server's output: {log_path}")


def _inspect(args: argparse.Namespace) -> int:
    from cleaners import storage
    from cleaners.output import find_run, latest_run
    from flows.console import Terminal

    console = Terminal().out  # (markup off: titles and sentences are scraped text)
    output_dir = storage.location(args.output_dir)
    manifest = find_run(output_dir, args.run_id) if args.run_id else latest_run(output_dir)
    if manifest is None:
        from cleaners.output import list_runs

        runs = list_runs(output_dir) if output_dir.is_dir() else []
        if not runs:
            Terminal().error(f"no committed run in {args.output_dir}: `textwash run INPUT {args.output_dir}` makes one")
        else:
            known = ", ".join(run["run_id"][:12] for run in runs[-5:])
            Terminal().error(f"no run {args.run_id!r} in {args.output_dir}; its {len(runs)} runs end with: {known} "
                             f"(`textwash runs {args.output_dir}` lists them all)")
        return 1
    _print_summary(manifest, output_dir, console, max_rejects=args.rejects, max_clusters=args.clusters,
                   max_flags=args.flags)
    return 0


def _show_or_report(args: argparse.Namespace) -> int:
    if args.command == "show":
        from flows.show import show

        return show(args.selector, args.output_dir, args.run_id, as_json=args.json)
    from flows.report_cli import report_command

    return report_command(args.output_dir, args.run_id, args.output)


def _runs(args: argparse.Namespace) -> int:
    import json

    from rich.table import Table

    from cleaners import storage
    from cleaners.output import list_runs
    from flows.console import Terminal

    runs = list_runs(storage.location(args.output_dir))
    if args.json:
        for run in runs:
            print(json.dumps({key: run.get(key) for key in ("seq", "run_id", "attempt", "kind", "started_at",
                                                             "finished_at", "files", "counts", "table_versions",
                                                             "index_version")}, default=str))
        return 0
    console = Terminal().out  # (markup off: titles and sentences are scraped text)
    if not runs:
        console.print(f"no committed run in {args.output_dir}")
        return 1
    table = Table(title=f"runs of {args.output_dir} (oldest first)")
    for column in ("#", "run id", "attempt", "kind", "finished", "files", "documents", "lines", "table versions"):
        table.add_column(column, overflow="fold")
    for run in runs:
        counts = run.get("counts", {})
        versions = " ".join(f"{name[0]}{version}" for name, version in sorted(run["table_versions"].items()))
        table.add_row(str(run["seq"]), run["run_id"][:16], run["attempt"], run["kind"], run["finished_at"][:19],
                      f"{run['files']['count']:,}", f"{counts.get('documents', 0):,}", f"{counts.get('lines', 0):,}",
                      versions)
    console.print(table)
    console.print("read a table as a run left it: textwash inspect --run ATTEMPT, or "
                  "pl.read_delta(OUTPUT/lines, version=N) with N from 'table versions' (d=documents, f=flags, "
                  "l=lines, r=rejects)", style="dim")
    return 0


def _print_summary(manifest: dict[str, Any], output_dir: Any, console: Any, max_rejects: int,
                   max_clusters: int = 10, max_flags: int = 20) -> None:
    import polars as pl
    from rich.table import Table

    from cleaners import output

    run_id = manifest["run_id"]

    def scan_table(where: Any, table: str, _run: str) -> pl.LazyFrame:
        """The rows this run wrote, as the run left the table."""
        return output.scan_table(where, table, manifest.get("attempt")).filter(pl.col("run_id") == run_id)

    counts = manifest["counts"]
    files = manifest["files"]
    overview = Table(title=f"textwash run {run_id}", show_header=False)
    overview.add_column(style="bold")
    overview.add_column()
    for key, value in [
        ("finished", manifest["finished_at"]),
        ("took", f"{manifest['duration_s']:.1f} s"),
        ("input", manifest["input_dir"]),
        ("files", f"{files['count']:,} ({files['bytes']:,} bytes) {files['by_format']}"),
        ("encodings", str(files["by_encoding"])),
        ("documents", f"{counts['documents']:,} ({counts.get('documents_noncanonical', 0):,} near-duplicates "
                      "of another)"),
        ("lines", f"{counts['lines']:,}"),
        ("flags", f"{counts.get('flags', 0):,} {counts.get('flags_by_kind', {})}"),
        ("rejects", f"{counts['rejects']:,}"),
        ("schema", manifest["schema_version"]),
    ]:
        overview.add_row(key, value)
    console.print(overview)

    status_table = Table(title="lines by status")
    status_table.add_column("status")
    status_table.add_column("lines", justify="right")
    status_table.add_column("share", justify="right")
    for status, number in counts["lines_by_status"].items():
        status_table.add_row(status, f"{number:,}", f"{number / max(counts['lines'], 1):.1%}")
    console.print(status_table)

    fixes = (
        scan_table(output_dir, "lines", run_id).select(pl.col("fixes").explode().drop_nulls())
        .group_by("fixes").len().sort("len", descending=True).collect()
    )
    if fixes.height:
        fix_table = Table(title="lines changed by each fix")
        fix_table.add_column("fix")
        fix_table.add_column("lines", justify="right")
        for fix, number in fixes.iter_rows():
            fix_table.add_row(fix, f"{number:,}")
        console.print(fix_table)

    dedup = manifest.get("dedup", {})
    if dedup.get("top_boilerplate"):
        table = Table(title="top boilerplate clusters (lines removed from documents.text)")
        table.add_column("documents", justify="right")
        table.add_column("variants", justify="right")
        table.add_column("cluster text", overflow="fold")
        for cluster in dedup["top_boilerplate"][:max_clusters]:
            table.add_row(f"{cluster['cluster_docs']:,}", str(cluster["variants"]), cluster["cluster_text"])
        console.print(table)
    if dedup.get("top_document_clusters"):
        table = Table(title="largest near-duplicate document clusters (canonical shown)")
        table.add_column("size", justify="right")
        table.add_column("cluster id")
        table.add_column("source", overflow="fold")
        table.add_column("title", overflow="fold")
        for cluster in dedup["top_document_clusters"][:max_clusters]:
            table.add_row(str(cluster["dup_cluster_size"]), cluster["dup_cluster_id"], cluster["source"],
                          cluster["title"][:80])
        console.print(table)

    if counts.get("flags"):
        flags = (
            scan_table(output_dir, "flags", run_id)
            .join(scan_table(output_dir, "documents", run_id).select("doc_id", "source", "title"), on="doc_id", how="left")
            .with_columns(order=pl.col("severity").replace_strict({"high": 0, "medium": 1, "low": 2}, default=3))
            .sort("order", "source", "line_no", "sentence_no").head(max_flags).collect()
        )
        flag_table = Table(title=f"flags ({counts['flags']:,}: {counts['flags_by_kind']})")
        for column in ("kind", "where", "sentence", "explanation"):
            flag_table.add_column(column, overflow="fold")
        for row in flags.iter_rows(named=True):
            flag_table.add_row(f"{row['kind']} ({row['severity']})",
                               f"{row['source']} line {row['line_no']}.{row['sentence_no']}",
                               row["sentence"][:160], row["explanation"])
        console.print(flag_table)

    if counts["rejects"]:
        rejects = scan_table(output_dir, "rejects", run_id).head(max_rejects).collect()
        reject_table = Table(title=f"rejects ({counts['rejects']:,}; not part of the output, run went on)")
        for column in ("source", "record", "reason", "detail"):
            reject_table.add_column(column, overflow="fold")
        for row in rejects.iter_rows(named=True):
            reject_table.add_row(row["source"], row["record"] or "", row["reason"], row["detail"])
        console.print(reject_table)
        if counts["rejects"] > rejects.height:
            console.print(f"…{counts['rejects'] - rejects.height:,} more in the rejects table")
    console.print(f"Delta tables: {output_dir}/{{documents,lines,flags,rejects}} (run_id = {run_id}) · "
                  f"history: textwash runs {output_dir}", style="dim")
    _print_report_path(manifest, output_dir, console)


def _print_report_path(manifest: dict[str, Any], output_dir: Any, console: Any) -> None:
    """Where the run's HTML report is, if it was written (``textwash report`` writes it)."""
    from cleaners.html_report import report_location

    place = report_location(output_dir, manifest["run_id"])
    if place.exists():
        console.print(f"HTML report: {place}  ·  one document: textwash show SOURCE[#RECORD] {output_dir}")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
