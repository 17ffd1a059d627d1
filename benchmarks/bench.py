"""``make bench``: time the pipeline's core at three sizes, next to the naive way.

For each size a labelled corpus is generated (``benchmarks.generate``, cached under
``benchmarks/out/``), then cleaned twice, each time in a fresh process so that peak memory
(``ru_maxrss``) belongs to that run alone:

- **textwash**: ingest → split → normalise (vectorised prefilter, ftfy only where needed) →
  Parquet, i.e. :func:`cleaners.pipeline.run_local` without Prefect start-up;
- **naive**: the same pipeline with ``normalise.fast_path = false``: ftfy on every line.

Both must produce identical text (a digest of every line's normalised text is compared).
Prints MB/s (input bytes / wall seconds), peak memory, the speed-up, and how time grows with
size. Results also go to ``benchmarks/out/results.json``.

Usage: ``python -m benchmarks.bench [--sizes 4,16,64] [--no-naive]``
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


def _child(mode: str, input_dir: str, output_dir: str) -> None:
    import polars as pl

    from cleaners.output import scan_table
    from cleaners.pipeline import run_local
    from cleaners.settings import Settings

    settings = Settings.load(None, [f"normalise.fast_path={'true' if mode == 'textwash' else 'false'}", "run.shards=1"])
    shutil.rmtree(output_dir, ignore_errors=True)
    start = time.perf_counter()
    manifest = run_local(input_dir, output_dir, settings)
    seconds = time.perf_counter() - start
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    text = (scan_table(output_dir, "lines").sort("doc_id", "line_no").select(pl.col("text").str.join("\n"))
            .collect().item())
    print(json.dumps({
        "mode": mode, "seconds": seconds, "peak_mb": peak_kb / 1024, "bytes": manifest["files"]["bytes"],
        "lines": manifest["counts"]["lines"], "digest": hashlib.blake2b(text.encode(), digest_size=16).hexdigest(),
    }))


def _measure(mode: str, corpus: Path, output: Path) -> dict:
    completed = subprocess.run([sys.executable, "-m", "benchmarks.bench", "--child", mode, str(corpus), str(output)],
                               capture_output=True, text=True, check=True)
    return json.loads(completed.stdout.strip().splitlines()[-1])


def _corpus(megabytes: float) -> Path:
    from benchmarks.generate import generate

    folder = OUT / f"gen-{megabytes:g}mb-seed1"
    if not (folder / "SIZE").exists():
        print(f"generating a {megabytes:g} MB labelled corpus in {folder} …", flush=True)
        generate(folder, megabytes, seed=1)
    return folder / "corpus"


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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark the textwash core against ftfy on every line.")
    parser.add_argument("--sizes", default="4,16,64", help="corpus sizes in MB, comma-separated (default 4,16,64)")
    parser.add_argument("--no-naive", action="store_true", help="skip the naive baseline")
    parser.add_argument("--child", nargs=3, metavar=("MODE", "INPUT", "OUTPUT"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child(*args.child)
        return 0

    sizes = [float(size) for size in args.sizes.split(",")]
    results = []
    print("real news (../shared/corpora articles, no injected damage):")
    real = {"size_mb": "real", "textwash": _measure("textwash", _real_corpus(), OUT / "run-textwash")}
    if not args.no_naive:
        real["naive"] = _measure("naive", _real_corpus(), OUT / "run-naive")
    _print_row(real)
    print("synthetic labelled corpus (2% of paragraphs mojibake, captions, boilerplate, near-duplicates, spun):")
    for megabytes in sizes:
        corpus = _corpus(megabytes)
        row = {"size_mb": megabytes, "textwash": _measure("textwash", corpus, OUT / "run-textwash")}
        if not args.no_naive:
            row["naive"] = _measure("naive", corpus, OUT / "run-naive")
        results.append(row)
        _print_row(row)

    print()
    print("growth (textwash): " + ", ".join(
        f"{b['size_mb']:g}/{a['size_mb']:g} MB = {b['textwash']['bytes'] / a['textwash']['bytes']:.1f}x input → "
        f"{b['textwash']['seconds'] / a['textwash']['seconds']:.2f}x time"
        for a, b in zip(results, results[1:])))
    results.append(real)
    (OUT / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    if any("naive" in row and row["naive"]["digest"] != row["textwash"]["digest"] for row in results):
        print("ERROR: textwash and the naive way produced different text", file=sys.stderr)
        return 1
    return 0


def _print_row(row: dict) -> None:
    ours = row["textwash"]
    mb = ours["bytes"] / 1e6
    line = (f"{mb:7.1f} MB {ours['lines']:>10,} lines | textwash {ours['seconds']:6.2f} s "
            f"{mb / ours['seconds']:6.1f} MB/s peak {ours['peak_mb']:6.0f} MB")
    if "naive" in row:
        naive = row["naive"]
        same = "identical text" if naive["digest"] == ours["digest"] else "TEXT DIFFERS"
        line += (f" | naive {naive['seconds']:6.2f} s {mb / naive['seconds']:5.1f} MB/s peak {naive['peak_mb']:6.0f} MB"
                 f" | {naive['seconds'] / ours['seconds']:4.1f}x faster, {same}")
    print(line, flush=True)


if __name__ == "__main__":
    sys.exit(main())
