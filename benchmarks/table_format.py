"""Write speed of the output tables: Hive folders + manifest (schema 1.3) against Delta Lake (2.0).

The same rows (the current view of a finished run's four tables) are written each way, in one
process, best of three:

- **hive**: one zstd Parquet file per table under ``<table>/run_id=<run>/``, written to a
  temporary name and renamed, then a JSON manifest: what schema 1.3 did;
- **delta-full**: one Delta commit per table that replaces it, through deltalake's writer (the
  path of ``textwash upgrade``);
- **hive-parts / delta-add-parts**: the way a run writes: each table as 8 zstd parts written by
  polars, then (Delta) one commit that adds them without rewriting (``cleaners/delta_files.py``);
- **delta-incremental**: one Delta commit per table that replaces the rows of 1% of the sources
  (an incremental run re-reading 1% of the files), against the full table;
- **read-current**: reading the current view back: a Delta read, against a Hive scan filtered
  to the latest run (which is what a 1.3 user had to work out by hand).

Usage: ``python -m benchmarks.table_format OUTPUT_OF_A_RUN [--s3]`` (``--s3`` also writes to a
moto S3 server on 127.0.0.1, to show what object storage costs).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

import polars as pl

from cleaners import output
from cleaners.settings import OutputSettings


def _best(function: Any, repeat: int = 3) -> float:
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        timings.append(time.perf_counter() - start)
    return min(timings)


def _hive(frames: dict[str, pl.DataFrame], folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)
    for table, frame in frames.items():
        target = folder / table / "run_id=r1" / "part-00000.parquet"
        target.parent.mkdir(parents=True)
        temporary = target.with_name(".tmp")
        frame.drop("run_id").write_parquet(temporary, compression="zstd", compression_level=3, statistics=True)
        os.replace(temporary, target)
    (folder / "runs").mkdir()
    (folder / "runs" / "r1.json").write_text(json.dumps({"run_id": "r1"}))


def _delta(frames: dict[str, pl.DataFrame], folder: Any, replace: list[str] | None) -> None:
    for table, frame in frames.items():
        output.write_delta(folder, table, frame.drop("run_id").lazy(), "r2", replace, OutputSettings())


def _parts(frames: dict[str, pl.DataFrame], folder: Path, n: int = 8) -> dict[str, list[Path]]:
    """Each table as ``n`` zstd Parquet parts, as the apply stage stages them."""
    shutil.rmtree(folder, ignore_errors=True)
    parts: dict[str, list[Path]] = {}
    for table, frame in frames.items():
        parts[table] = []
        size = max(1, -(-frame.height // n))
        for number in range(n):
            target = folder / table / f"part-{number:05d}.parquet"
            target.parent.mkdir(parents=True, exist_ok=True)
            frame.slice(number * size, size).write_parquet(target, compression="zstd", compression_level=3,
                                                           statistics=True)
            parts[table].append(target)
    return parts


def _commit_parts(frames: dict[str, pl.DataFrame], scratch: Path, root: Path, replace: list[str] | None,
                  tag: str) -> None:
    staged = _parts(frames, scratch / f"staged-{tag}")
    for table, parts in staged.items():
        output.commit_parts(root, table, parts, "r3", f"{tag}-{time.monotonic_ns()}", replace)


def measure(run_output: Path, s3: bool = False) -> dict[str, Any]:
    frames = {table: output.scan_table(run_output, table).collect() for table in output.TABLES}
    rows = sum(frame.height for frame in frames.values())
    in_memory_mb = sum(frame.estimated_size() for frame in frames.values()) / 1e6
    sources = sorted(frames["documents"]["source"].unique())
    some = sources[: max(1, len(sources) // 100)]
    some_frames = {table: frame.filter(pl.col("source").is_in(some)) for table, frame in frames.items()}
    scratch = Path(tempfile.mkdtemp(prefix="tw-format-"))
    results: dict[str, Any] = {"rows": rows, "in_memory_mb": round(in_memory_mb, 1), "sources": len(sources)}
    try:
        results["hive_s"] = _best(lambda: _hive(frames, scratch / "hive"))
        delta_root = scratch / "delta"

        def delta_full() -> None:
            shutil.rmtree(delta_root, ignore_errors=True)
            _delta(frames, delta_root, None)

        results["delta_full_s"] = _best(delta_full)
        parts_root = scratch / "delta-parts"

        def parts_full() -> None:
            shutil.rmtree(parts_root, ignore_errors=True)
            _commit_parts(frames, scratch, parts_root, None, "full")

        results["hive_parts_s"] = _best(lambda: _parts(frames, scratch / "hive-parts"))
        results["delta_add_parts_full_s"] = _best(parts_full)
        results["delta_add_parts_incremental_1pct_s"] = _best(
            lambda: _commit_parts(some_frames, scratch, parts_root, some, "inc"))
        results["read_current_delta_parts_s"] = _best(
            lambda: [pl.read_delta(str(parts_root / table)) for table in output.TABLES])
        results["delta_incremental_1pct_s"] = _best(lambda: _delta(some_frames, delta_root, some))
        results["read_current_delta_s"] = _best(
            lambda: [pl.read_delta(str(delta_root / table)) for table in output.TABLES])
        results["read_latest_hive_s"] = _best(lambda: [
            pl.scan_parquet(str(scratch / "hive" / table / "*" / "*.parquet"), hive_partitioning=True)
            .filter(pl.col("run_id") == "r1").collect() for table in output.TABLES])
        if s3:
            results["delta_full_s3_s"] = _s3(frames)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    for key in ("hive_s", "delta_full_s", "hive_parts_s", "delta_add_parts_full_s"):
        results[key.replace("_s", "_mb_per_s")] = round(in_memory_mb / results[key], 1)
    return results


def _s3(frames: dict[str, pl.DataFrame]) -> float:
    import subprocess
    import sys

    import s3fs

    os.environ.update({"AWS_ENDPOINT_URL": "http://127.0.0.1:5077", "AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "x",
                       "AWS_REGION": "us-east-1", "AWS_ALLOW_HTTP": "true"})
    server = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", "5077"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(3)
        s3fs.S3FileSystem().mkdir("bench")
        return _best(lambda: _delta(frames, "s3://bench/delta", None), repeat=1)
    finally:
        server.terminate()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("run_output", type=Path)
    parser.add_argument("--s3", action="store_true")
    args = parser.parse_args()
    print(json.dumps(measure(args.run_output, args.s3), indent=2))


if __name__ == "__main__":
    main()
