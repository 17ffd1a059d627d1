"""``make bench``: time the pipeline's core at three sizes, next to the naive ways.

For each size a labelled corpus is generated (``benchmarks.generate``, cached under
``benchmarks/out/``). Every measurement runs in a fresh process, so that its peak memory
(``ru_maxrss``) is its own:

- **textwash**: the whole core (ingest → normalise → dedup → Parquet) as
  :func:`cleaners.pipeline.run_local`, without Prefect start-up;
- **no-dedup**: ingest → normalise → Parquet only (``dedup.enabled = false``, ``flags.enabled =
  false``); **no-flags**: with dedup, without flags; the differences are the steps' costs;
- **naive normalise**: ``no-dedup`` with ``normalise.fast_path = false`` (ftfy on every line);
- **contradiction flags**: :func:`cleaners.contradictions.flag_documents` alone over the
  finished run (sentences per second; share of the whole core's time);
- **in-document dedup, ours vs naive** (best of three, both warm): the same keyed lines through
  :func:`cleaners.dedup.in_document_duplicates` and through the naive way (a dict for exact
  repeats, rapidfuzz over all pairs of lines in each document; ``benchmarks/naive.py``).

Outputs must agree: normalised text digests, and the in-document duplicates found. Quality of
dedup against the labels (``benchmarks/quality.py``) is printed for every size. Results also go
to ``benchmarks/out/results.json``.

Usage: ``python -m benchmarks.bench [--sizes 4,16,64]``
"""

from __future__ import annotations

import argparse
import hashlib
import json
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"
MODES = {
    "textwash": [],
    "no-dedup": ["dedup.enabled=false", "flags.enabled=false"],
    "no-flags": ["flags.enabled=false"],
    "naive-normalise": ["dedup.enabled=false", "flags.enabled=false", "normalise.fast_path=false"],
}


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _child_run(mode: str, input_dir: str, output_dir: str) -> dict:
    import polars as pl

    from cleaners.output import scan_table
    from cleaners.pipeline import run_local
    from cleaners.settings import Settings

    settings = Settings.load(None, ["run.shards=1", *MODES[mode]])
    shutil.rmtree(output_dir, ignore_errors=True)
    start = time.perf_counter()
    manifest = run_local(input_dir, output_dir, settings)
    seconds = time.perf_counter() - start
    peak = _peak_mb()
    text = (scan_table(output_dir, "lines").sort("doc_id", "line_no").select(pl.col("text").str.join("\n"))
            .collect().item())
    return {"mode": mode, "seconds": seconds, "peak_mb": peak, "bytes": manifest["files"]["bytes"],
            "lines": manifest["counts"]["lines"], "by_status": manifest["counts"]["lines_by_status"],
            "digest": hashlib.blake2b(text.encode(), digest_size=16).hexdigest()}


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
    lines = add_keys(assign_status(normalise_lines(split_lines(documents), settings.normalise)))
    keyed = keyed_lines(lines)
    naive_input = keyed.select("doc_id", "line_no", "key")

    def best_of_three(function):  # both warm: the first call pays for thread pools and imports
        timings = []
        for _ in range(3):
            start = time.perf_counter()
            result = function()
            timings.append(time.perf_counter() - start)
        return result, min(timings)

    ours, ours_seconds = best_of_three(lambda: in_document_duplicates(keyed, settings.dedup))
    naive, naive_seconds = best_of_three(lambda: naive_in_document_duplicates(naive_input, settings.dedup))
    columns = ["doc_id", "line_no", "dup_of_line_no"]
    same = ours.select(columns).sort(columns).equals(naive.select(columns).sort(columns))
    return {"ours_seconds": ours_seconds, "naive_seconds": naive_seconds, "duplicates": ours.height, "same": same}


def _child_flags(output_dir: str) -> dict:
    """Time the flag step alone over a finished run's kept lines (best of three, warm)."""
    from cleaners.contradictions import flag_documents
    from cleaners.output import scan_table

    documents = scan_table(output_dir, "documents").select("doc_id", "title").collect()
    lines = scan_table(output_dir, "lines").select("doc_id", "line_no", "status", "text").collect()
    all_sentences = int(lines.filter(lines["status"] == "kept").height)
    timings, stats = [], {}
    for _ in range(3):
        stats = {}
        start = time.perf_counter()
        flags = flag_documents(documents, lines, stats=stats)
        timings.append(time.perf_counter() - start)
    return {"seconds": min(timings), "sentences_analysed": stats.get("sentences", 0),
            "paragraphs": stats.get("paragraphs", 0),
            "documents_analysed": stats.get("documents", 0), "documents": documents.height,
            "kept_lines": all_sentences, "flags": flags.height}


def _measure(*args: str) -> dict:
    completed = subprocess.run([sys.executable, "-m", "benchmarks.bench", "--child", *args],
                               capture_output=True, text=True, check=True)
    return json.loads(completed.stdout.strip().splitlines()[-1])


def _corpus(megabytes: float) -> Path:
    from benchmarks.generate import generate

    folder = OUT / f"gen-{megabytes:g}mb-seed1"
    if not (folder / "SIZE").exists():
        print(f"generating a {megabytes:g} MB labelled corpus in {folder} …", flush=True)
        generate(folder, megabytes, seed=1)
    return folder


def _real_corpus() -> Path:
    """The shared corpora's articles (CSV + webpage JSON), linked into one folder."""
    from benchmarks.generate import SHARED

    folder = OUT / "real-corpora"
    if not folder.is_dir():
        folder.mkdir(parents=True)
        sources = [SHARED / "corpora" / "fakenewscorpus" / "news_sample.csv",
                   *sorted((SHARED / "corpora" / "fakenewsnet" / "Data").glob("*/*/*-Webpage.json"))]
        for index, source in enumerate(sources):
            (folder / f"{index:04d}-{source.name}").symlink_to(source.resolve())
    return folder


def _row(label: str, corpus: Path, generated: Path | None) -> dict:
    from benchmarks.quality import evaluate

    row: dict = {"input": label}
    for mode in MODES:
        row[mode] = _measure("run", mode, str(corpus), str(OUT / f"run-{mode}"))
        if mode == "textwash":
            row["flags"] = _measure("flags", str(OUT / "run-textwash"))
            if generated is not None:
                row["quality"] = evaluate(generated, OUT / "run-textwash")
    row["in_document"] = _measure("in-document", str(corpus))
    return row


def _print_row(row: dict) -> None:
    full, plain, naive = row["textwash"], row["no-dedup"], row["naive-normalise"]
    mb = full["bytes"] / 1e6
    dedup_seconds = max(row["no-flags"]["seconds"] - plain["seconds"], 1e-9)
    in_doc = row["in_document"]
    same = "identical text" if plain["digest"] == naive["digest"] else "TEXT DIFFERS"
    print(f"{row['input']:>10}: {mb:6.1f} MB {full['lines']:>9,} lines")
    print(f"  whole core               {full['seconds']:6.2f} s {mb / full['seconds']:6.1f} MB/s  peak {full['peak_mb']:5.0f} MB"
          f" (without flags {row['no-flags']['seconds']:.2f} s)")
    print(f"  normalise path           {plain['seconds']:6.2f} s {mb / plain['seconds']:6.1f} MB/s"
          f"  peak {plain['peak_mb']:5.0f} MB"
          f" | naive (ftfy every line) {naive['seconds']:6.2f} s {mb / naive['seconds']:5.1f} MB/s"
          f" peak {naive['peak_mb']:5.0f} MB | {naive['seconds'] / plain['seconds']:4.1f}x, {same}")
    print(f"  dedup step (difference)  {dedup_seconds:6.2f} s {mb / dedup_seconds:6.1f} MB/s")
    print(f"  in-document dedup        ours {in_doc['ours_seconds']:6.3f} s | naive (dict + all pairs) "
          f"{in_doc['naive_seconds']:6.3f} s | {in_doc['naive_seconds'] / in_doc['ours_seconds']:4.1f}x, "
          f"{in_doc['duplicates']:,} duplicates, {'same answer' if in_doc['same'] else 'ANSWERS DIFFER'}")
    flags = row["flags"]
    print(f"  contradiction flags      {flags['seconds']:6.2f} s for {flags['kept_lines']:,} kept lines "
          f"({flags['kept_lines'] / max(flags['seconds'], 1e-9):,.0f} lines/s overall); "
          f"{flags['documents_analysed']:,} of {flags['documents']:,} documents, {flags['paragraphs']:,} paragraphs "
          f"past the prefilter, {flags['sentences_analysed']:,} sentences split; {flags['flags']:,} flags; "
          f"{flags['seconds'] / full['seconds']:.0%} of the whole core's time")
    if "quality" in row:
        quality = row["quality"]
        print("  quality                  " + " | ".join(
            f"{name} P={quality[name]['precision']:.3f} R={quality[name]['recall']:.3f}"
            for name in ("duplicate", "boilerplate"))
            + f" | doc clusters P={quality['documents']['pairwise_precision']:.3f} "
              f"R={quality['documents']['pairwise_recall']:.3f} F1={quality['documents']['f1']:.3f}")
    print(f"  statuses                 {full['by_status']}", flush=True)


def _dedup_seconds(row: dict) -> float:
    return row["no-flags"]["seconds"] - row["no-dedup"]["seconds"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark the textwash core against the naive ways.")
    parser.add_argument("--sizes", default="4,16,64", help="corpus sizes in MB, comma-separated (default 4,16,64)")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        kind, *rest = args.child
        child = {"run": _child_run, "in-document": _child_in_document, "flags": _child_flags}[kind]
        print(json.dumps(child(*rest)))
        return 0

    results = [_row("real news", _real_corpus(), None)]
    _print_row(results[0])
    for megabytes in (float(size) for size in args.sizes.split(",")):
        generated = _corpus(megabytes)
        results.append(_row(f"{megabytes:g} MB", generated / "corpus", generated))
        _print_row(results[-1])

    synthetic = results[1:]
    print("\ngrowth (whole core): " + ", ".join(
        f"{b['input']}/{a['input']} = {b['textwash']['bytes'] / a['textwash']['bytes']:.1f}x input → "
        f"{b['textwash']['seconds'] / a['textwash']['seconds']:.2f}x time"
        for a, b in zip(synthetic, synthetic[1:])))
    print("growth (dedup step):  " + ", ".join(
        f"{b['input']}/{a['input']} → "
        f"{_dedup_seconds(b) / _dedup_seconds(a):.2f}x time"
        for a, b in zip(synthetic, synthetic[1:])))
    OUT.mkdir(exist_ok=True)
    (OUT / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    broken = [row["input"] for row in results
              if row["no-dedup"]["digest"] != row["naive-normalise"]["digest"] or not row["in_document"]["same"]]
    if broken:
        print(f"ERROR: textwash and the naive way disagree on {broken}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
