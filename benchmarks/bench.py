"""``make bench``: textwash on realistic corpora, next to datatrove and the naive ways, in one command.

Corpora (generated from ``../shared/corpora``, cached under ``benchmarks/out/``):

- **heavy syndication** (:mod:`benchmarks.syndicate`): every real article in 30-66 perturbed copies,
  the shape of news as it is scraped (and the one that found last round's memory wall);
- **synthetic** (:mod:`benchmarks.generate`): labelled articles of real sentences, 5% syndicated;
- **real news**: the 672 articles of ``../shared/corpora`` as they are (423 files).

For each corpus, every measurement runs in a fresh process whose *whole process tree* is sampled
for memory (:mod:`benchmarks.measure`), on the same input and the same number of workers:

- **textwash**: the whole core (ingest → normalise → dedup → flags → Parquet) with
  :func:`cleaners.plan.execute` on worker processes, without Prefect start-up; per stage: seconds
  and the peak memory of the tree while it ran;
- **datatrove** (:mod:`benchmarks.peer_datatrove`): ftfy + exact line dedup, the peer doing less;
- **naive normalise** (up to 64 MB): ingest → normalise → Parquet with ftfy on every line, next to
  the same path on textwash's fast path (the text must be identical);
- **in-document dedup vs naive** (up to 64 MB): the same duplicates, ours against a dict plus
  rapidfuzz over all pairs of lines of each document;
- **quality**: dedup against the generators' labels (lines and document clusters).

Also the fixed cost of ``textwash run data/raw`` (Prefect's temporary server included), with a
fresh and a warm ``PREFECT_HOME``. Results go to ``benchmarks/out/results.json``.

Usage: ``python -m benchmarks.bench [--quick] [--workers N]``
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC
from pathlib import Path
from typing import Any

from benchmarks.measure import run_measured

OUT = Path(__file__).resolve().parent / "out"
REPO = Path(__file__).resolve().parents[1]
FULL = {"heavy": [256, 1000], "synthetic": [256, 1000], "peer_max_mb": 300, "naive_max_mb": 64}
QUICK = {"heavy": [16, 64], "synthetic": [16], "peer_max_mb": 64, "naive_max_mb": 64}


# ------------------------------------------------------------------ children

class _StageSampler:
    """Peak memory of this process and its children, per stage (sampled every 50 ms)."""

    def __init__(self) -> None:
        import psutil

        self.process = psutil.Process()
        self.stage = "start"
        self.peaks: dict[str, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        from benchmarks.measure import _tree_rss

        while not self._stop.is_set():
            mb = _tree_rss(self.process) / 2**20
            self.peaks[self.stage] = max(self.peaks.get(self.stage, 0.0), mb)
            time.sleep(0.05)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


def _child_run(input_dir: str, output_dir: str, workers: str, *overrides: str) -> dict:
    from datetime import datetime

    from cleaners import plan
    from cleaners.ingest import discover
    from cleaners.pipeline import finish_run, input_bytes, make_job, plan_run
    from cleaners.plan import ProcessRunner, execute, useful_workers
    from cleaners.settings import Settings

    settings = Settings.load(None, list(overrides))
    shutil.rmtree(output_dir, ignore_errors=True)
    sampler = _StageSampler()
    start = time.perf_counter()
    digests = plan_run(input_dir, output_dir, discover(input_dir), settings)
    job = make_job(input_dir, output_dir, digests, settings, int(workers))
    n = useful_workers(input_bytes(input_dir, list(digests)), int(workers))

    class Observed(ProcessRunner):
        def run_stage(self, stage, job, units, done=plan.ignore_unit):  # type: ignore[no-untyped-def]
            sampler.stage = stage.name
            return super().run_stage(stage, job, units, done)

    with Observed(n) as runner:
        steps = execute(job, runner)
    sampler.stage = "commit"
    manifest = finish_run(job, datetime.now(UTC), steps)
    seconds = time.perf_counter() - start
    sampler.stop()
    cpu = sum(resource.getrusage(who).ru_utime + resource.getrusage(who).ru_stime
              for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))  # the workers have exited
    stages = {name: {"seconds": step["seconds"], "peak_tree_mb": round(sampler.peaks.get(name, 0.0))}
              for name, step in steps.items()}
    stages["commit"] = {"seconds": round(seconds - sum(step["seconds"] for step in steps.values()), 3),
                        "peak_tree_mb": round(sampler.peaks.get("commit", 0.0))}
    return {"seconds": seconds, "bytes": manifest["files"]["bytes"], "lines": manifest["counts"]["lines"],
            "documents": manifest["counts"]["documents"], "by_status": manifest["counts"]["lines_by_status"],
            "flags": manifest["counts"]["flags"], "stages": stages, "workers": n, "layout": manifest["layout"],
            "cpu_seconds": round(cpu, 3), "flags_cpu_seconds": steps.get("apply", {}).get("flags_cpu_ms", 0) / 1000,
            "clusters": manifest["dedup"].get("documents", {})}


def _child_digest(output_dir: str) -> dict:
    """A digest of a finished run's normalised text (in its own process: reading every line's
    text at once is the check's cost, not the run's)."""
    import polars as pl

    from cleaners.output import scan_table

    text = (scan_table(output_dir, "lines").sort("doc_id", "line_no").select(pl.col("text").str.join("\n"))
            .collect().item())
    return {"digest": hashlib.blake2b(text.encode(), digest_size=16).hexdigest()}


def _child_in_document(input_dir: str) -> dict:
    from benchmarks.naive import naive_in_document_duplicates
    from cleaners.dedup import add_keys, in_document_duplicates, keyed_lines
    from cleaners.documents import assign_status
    from cleaners.ingest import discover, ingest_files
    from cleaners.lines import split_lines
    from cleaners.normalise import normalise_lines
    from cleaners.settings import Settings

    settings = Settings()
    documents = ingest_files(input_dir, discover(input_dir), settings.ingest).documents
    keyed = keyed_lines(add_keys(assign_status(normalise_lines(split_lines(documents), settings.normalise))))
    naive_input = keyed.select("doc_id", "line_no", "key", "numbers_hash")

    def best_of_three(function):  # type: ignore[no-untyped-def]
        timings, result = [], None
        for _ in range(3):
            start = time.perf_counter()
            result = function()
            timings.append(time.perf_counter() - start)
        return result, min(timings)

    ours, ours_seconds = best_of_three(lambda: in_document_duplicates(keyed, settings.dedup))
    naive, naive_seconds = best_of_three(lambda: naive_in_document_duplicates(naive_input, settings.dedup))
    columns = ["doc_id", "line_no", "dup_of_line_no"]
    same = ours.select(columns).sort(columns).equals(naive.select(columns).sort(columns))
    only_ours = ours.join(naive, on=columns, how="anti").height
    only_naive = naive.join(ours, on=columns, how="anti").height
    return {"ours_seconds": ours_seconds, "naive_seconds": naive_seconds, "duplicates": ours.height, "same": same,
            "only_ours": only_ours, "only_naive": only_naive}


CHILDREN = {"run": _child_run, "in-document": _child_in_document, "digest": _child_digest}


def _measure(*args: str) -> dict:
    measured = run_measured([sys.executable, "-m", "benchmarks.bench", "--child", *args])
    if measured.returncode:
        raise RuntimeError(f"benchmark child {args} failed:\n{measured.stderr[-3000:]}")
    result = json.loads(measured.stdout.strip().splitlines()[-1])
    return {**result, "wall_seconds": measured.seconds, "peak_tree_mb": measured.peak_tree_mb}


# ------------------------------------------------------------------- corpora

def _heavy(megabytes: float) -> Path:
    from benchmarks.syndicate import generate

    folder = OUT / f"syn-{megabytes:g}mb-seed7"
    if not (folder / "SIZE").exists():
        print(f"generating a {megabytes:g} MB heavy-syndication corpus in {folder} …", flush=True)
        generate(folder, megabytes, files=48, seed=7)
    return folder


def _synthetic(megabytes: float) -> Path:
    from benchmarks.generate import generate

    folder = OUT / f"gen-{megabytes:g}mb-seed1"
    if not (folder / "SIZE").exists():
        print(f"generating a {megabytes:g} MB labelled synthetic corpus in {folder} …", flush=True)
        generate(folder, megabytes, seed=1)
    return folder


def _real() -> Path:
    """The shared corpora's articles (CSV + webpage JSON), linked into one folder."""
    from benchmarks.generate import SHARED

    folder = OUT / "real-corpora"
    if not folder.is_dir():
        folder.mkdir(parents=True)
        sources = [SHARED / "corpora" / "fakenewscorpus" / "news_sample.csv",
                   *sorted((SHARED / "corpora" / "fakenewsnet" / "Data").glob("*/*/*-Webpage.json"))]
        for number, source in enumerate(sources):
            shutil.copyfile(source, folder / f"{number:04d}-{source.name}")  # links out of the input are refused
    return folder


# ---------------------------------------------------------------------- rows

def _row(kind: str, label: str, folder: Path | None, corpus: Path, megabytes: float, workers: int,
         plan: dict) -> dict:
    from benchmarks.quality import cluster_agreement, evaluate

    row: dict[str, Any] = {"kind": kind, "input": label}
    out = OUT / "run-textwash"
    row["textwash"] = _measure("run", str(corpus), str(out), str(workers))
    if kind == "synthetic" and folder is not None:
        row["quality"] = evaluate(folder, out)
    if kind == "heavy" and folder is not None:
        row["quality"] = {"documents": cluster_agreement(folder / "doc_labels.parquet", out, "body")}
    if kind == "heavy" and megabytes <= plan["peer_max_mb"]:
        from benchmarks.peer_datatrove import run_datatrove

        row["datatrove"] = run_datatrove(str(corpus), str(OUT / "run-datatrove"), workers)
    if megabytes <= plan["naive_max_mb"]:
        plain = ["dedup.enabled=false", "flags.enabled=false"]
        row["normalise"] = _measure("run", str(corpus), str(OUT / "run-plain"), str(workers), *plain)
        row["naive_normalise"] = _measure("run", str(corpus), str(OUT / "run-naive"), str(workers), *plain,
                                          "normalise.fast_path=false")
        for name, folder_name in (("normalise", "run-plain"), ("naive_normalise", "run-naive")):
            row[name]["digest"] = _measure("digest", str(OUT / folder_name))["digest"]
        row["in_document"] = _measure("in-document", str(corpus))
    return row


def _print_row(row: dict) -> None:
    ours = row["textwash"]
    mb = ours["bytes"] / 1e6
    print(f"\n{row['kind']} {row['input']}: {mb:,.1f} MB, {ours['documents']:,} documents, {ours['lines']:,} lines, "
          f"{ours['workers']} workers")
    print(f"  textwash whole core   {ours['wall_seconds']:7.1f} s {mb / ours['wall_seconds']:6.1f} MB/s  "
          f"peak {ours['peak_tree_mb']:6.0f} MB (whole process tree)")
    if "datatrove" in row:
        peer = row["datatrove"]
        print(f"  datatrove ftfy+lines  {peer['seconds']:7.1f} s {mb / peer['seconds']:6.1f} MB/s  "
              f"peak {peer['peak_tree_mb']:6.0f} MB | textwash is {peer['seconds'] / ours['wall_seconds']:.1f}x "
              "the peer's speed, doing more")
    print("  stages (s / peak MB)  " + ", ".join(
        f"{name} {stage['seconds']:.1f}/{stage['peak_tree_mb']:,}" for name, stage in ours["stages"].items()))
    if "normalise" in row:
        plain, naive = row["normalise"], row["naive_normalise"]
        same = "identical text" if plain["digest"] == naive["digest"] else "TEXT DIFFERS"
        print(f"  normalise path        {plain['wall_seconds']:7.1f} s {mb / plain['wall_seconds']:6.1f} MB/s | "
              f"ftfy on every line {naive['wall_seconds']:.1f} s | "
              f"{naive['wall_seconds'] / plain['wall_seconds']:.1f}x, {same}")
        in_doc = row["in_document"]
        print(f"  in-document dedup     ours {in_doc['ours_seconds']:.3f} s | naive {in_doc['naive_seconds']:.3f} s | "
              f"{in_doc['naive_seconds'] / in_doc['ours_seconds']:.1f}x, {in_doc['duplicates']:,} duplicates, "
              f"{'same answer' if in_doc['same'] else _difference(in_doc)}")
    quality = row.get("quality", {})
    if "duplicate" in quality:
        print("  quality               " + " | ".join(
            f"{name} P={quality[name]['precision']:.3f} R={quality[name]['recall']:.3f}"
            for name in ("duplicate", "boilerplate")))
    if "documents" in quality:
        docs = quality["documents"]
        print(f"  document clusters     pairwise P={docs['pairwise_precision']:.4f} R={docs['pairwise_recall']:.4f}")
    if ours.get("cpu_seconds"):
        share = ours["flags_cpu_seconds"] / ours["cpu_seconds"]
        print(f"  flags step            {ours['flags_cpu_seconds']:.1f} s of the core's {ours['cpu_seconds']:.1f} s CPU "
              f"({share:.0%}; target < 20%)")
    print(f"  statuses              {ours['by_status']}, {ours['flags']} flags", flush=True)


def _difference(in_doc: dict) -> str:
    """The blocked search may miss a pair all-pairs finds (never the reverse: that is an error)."""
    return (f"the naive way also finds {in_doc.get('only_naive', '?')} the blocks miss, "
            f"{in_doc.get('only_ours', '?')} only ours")


def _growth(results: list[dict]) -> list[dict]:
    growth = []
    for kind in ("heavy", "synthetic"):
        rows = [row for row in results if row["kind"] == kind]
        for small, large in zip(rows, rows[1:]):
            a, b = small["textwash"], large["textwash"]
            growth.append({"kind": kind, "from": small["input"], "to": large["input"],
                           "input": b["bytes"] / a["bytes"], "time": b["wall_seconds"] / a["wall_seconds"],
                           "memory": b["peak_tree_mb"] / a["peak_tree_mb"]})
    for item in growth:
        print(f"growth {item['kind']} {item['from']} → {item['to']}: {item['input']:.1f}x input → "
              f"{item['time']:.2f}x time, {item['memory']:.2f}x peak memory")
    return growth


def _fixed_cost() -> dict:
    """``textwash run data/raw`` end to end, with a fresh and then a warm PREFECT_HOME."""
    home = tempfile.mkdtemp(prefix="textwash-bench-prefect-")
    env = {key: value for key, value in os.environ.items() if key != "PREFECT_API_URL"}
    env |= {"PREFECT_HOME": home, "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    textwash = str(Path(sys.executable).with_name("textwash"))
    result = {}
    for attempt in ("fresh", "warm"):
        out = OUT / "run-cli"
        shutil.rmtree(out, ignore_errors=True)
        measured = run_measured([textwash, "run", str(REPO / "data" / "raw"), str(out), "--no-progress"], env=env)
        result[attempt] = {"seconds": measured.seconds, "peak_tree_mb": measured.peak_tree_mb,
                           "returncode": measured.returncode}
    out = OUT / "run-cli"
    shutil.rmtree(out, ignore_errors=True)
    measured = run_measured([textwash, "run", str(REPO / "data" / "raw"), str(out), "--task-runner", "local"], env=env)
    result["local"] = {"seconds": measured.seconds, "peak_tree_mb": measured.peak_tree_mb,
                       "returncode": measured.returncode}
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import flows.clean_corpus"], check=True, env=env)
    result["import_seconds"] = time.perf_counter() - start
    shutil.rmtree(home, ignore_errors=True)
    print(f"\nfixed cost of `textwash run data/raw`: {result['fresh']['seconds']:.1f} s with a fresh PREFECT_HOME, "
          f"{result['warm']['seconds']:.1f} s warm, {result['local']['seconds']:.1f} s without Prefect "
          f"(--task-runner local); importing the flow alone: {result['import_seconds']:.1f} s")
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark textwash against datatrove and the naive ways.")
    parser.add_argument("--quick", action="store_true", help="small corpora only (a few minutes)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2, help="workers for textwash and the peer")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        kind, *rest = args.child
        print(json.dumps(CHILDREN[kind](*rest)))
        return 0

    plan = QUICK if args.quick else FULL
    results = [_row("real", "real news", None, _real(), 4, args.workers, plan)]
    _print_row(results[-1])
    for megabytes in plan["heavy"]:
        folder = _heavy(megabytes)
        results.append(_row("heavy", f"{megabytes:g} MB", folder, folder / "corpus", megabytes, args.workers, plan))
        _print_row(results[-1])
    for megabytes in plan["synthetic"]:
        folder = _synthetic(megabytes)
        results.append(_row("synthetic", f"{megabytes:g} MB", folder, folder / "corpus", megabytes, args.workers, plan))
        _print_row(results[-1])
    summary = {"results": results, "growth": _growth(results), "fixed_cost": _fixed_cost(), "workers": args.workers,
               "quick": args.quick}
    OUT.mkdir(exist_ok=True)
    (OUT / "results.json").write_text(json.dumps(summary, indent=2) + "\n")
    broken = [row["input"] for row in results if "normalise" in row and (
        row["normalise"]["digest"] != row["naive_normalise"]["digest"] or row["in_document"].get("only_ours", 1))]
    if broken:
        print(f"ERROR: textwash and the naive way disagree on {broken}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
