"""The pipeline's core, without Prefect: every stage of a run as a plain function.

A run is a sequence of stages over a staging folder; each stage reads and writes Parquet, so the
Prefect flow (``flows/clean_corpus.py``) can run each call as a task, on threads or on Dask, and
the benchmark and tests can run the very same functions in one process (:func:`run_local`).

=================  =========================================  ====================================
stage              runs once per                              writes (under the staging folder)
=================  =========================================  ====================================
``prepare``        shard (batch by batch inside)              ``stage/<table>/<part>`` and the
                                                              dedup *map* outputs, partitioned by
                                                              stable hash: ``bands/p=<p>/``,
                                                              ``occurrences/p=<p>/``
``pair_documents`` partition                                  candidate near-duplicate pairs
``cluster_documents`` run                                     verified document clusters
``count_keys``     partition                                  per-key document counts
``find_boilerplate`` run                                      boilerplate clusters
``apply``          shard                                      final ``documents``/``lines``/
                                                              ``rejects`` parts
``finish_run``     run                                        commits the run (atomic) + manifest
=================  =========================================  ====================================

Documents never span shards, so inside-document work happens in ``prepare``; the corpus-wide
steps are map (in ``prepare``) → partition by hash → reduce per partition → a small global step →
apply per shard. Memory is bounded by a batch (``run.batch_mb``) or a partition.
"""

from __future__ import annotations

import json
import platform
import shutil
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any

import polars as pl

from cleaners import SCHEMA_VERSION, __version__
from cleaners.dedup import (
    add_keys,
    apply_dedup,
    assign_boilerplate,
    boilerplate_clusters,
    boilerplate_occurrences,
    candidate_pairs,
    document_clusters,
    document_shingles,
    in_document_duplicates,
    jaccard,
    key_statistics,
    keyed_lines,
    minhash_bands,
)
from cleaners.contradictions import FLAG_SCHEMA, flag_documents
from cleaners.documents import LINE_COLUMNS, assemble_documents, assign_status, normalise_titles
from cleaners.hashing import stable_bucket, stable_hex
from cleaners import index
from cleaners.ingest import content_digest, discover, ingest_files
from cleaners.lines import split_lines
from cleaners.normalise import normalise_lines
from cleaners.output import STAGING_DIR, commit_run, write_json_atomic, write_parquet_atomic
from cleaners.settings import OutputSettings, Settings

CLUSTER_SCHEMA = {"doc_id": pl.String, "dup_cluster_id": pl.String, "is_canonical": pl.Boolean,
                  "jaccard_to_canonical": pl.Float64, "dup_cluster_size": pl.Int32}


def shard_sources(sources: list[str], n_shards: int) -> list[list[str]]:
    """Split relative paths into ``n_shards`` lists by a stable hash: same split on any machine."""
    shards: list[list[str]] = [[] for _ in range(n_shards)]
    for source in sorted(sources):
        shards[stable_bucket(source, n_shards)].append(source)
    return shards


def batch_sources(input_dir: str | Path, sources: list[str], batch_bytes: int) -> list[list[str]]:
    """Group sorted ``sources`` into consecutive batches of about ``batch_bytes`` of input."""
    batches: list[list[str]] = []
    current: list[str] = []
    size = 0
    for source in sorted(sources):
        try:
            file_size = (Path(input_dir) / source).stat().st_size
        except OSError:
            file_size = 0  # unreadable: ingest will reject it with the reason
        if current and size + file_size > batch_bytes:
            batches.append(current)
            current, size = [], 0
        current.append(source)
        size += file_size
    if current or not batches:
        batches.append(current)
    return batches


def _partition(column: str, n: int) -> pl.Expr:
    """Partition number of a (possibly negative) stable hash column."""
    return ((pl.col(column) % n) + n) % n


#: Staged files live for one run: fast compression beats small files.
STAGING_OUTPUT = OutputSettings(compression="lz4", compression_level=None)


def _write_partitioned(frame: pl.DataFrame, folder: Path, column: str, n: int, name: str) -> None:
    with_partition = frame.with_columns(_p=_partition(column, n))
    for partition in range(n):
        part = with_partition.filter(pl.col("_p") == partition).drop("_p")
        write_parquet_atomic(part, folder / f"p={partition}" / name, STAGING_OUTPUT)


def _read(folder: Path, pattern: str = "*.parquet", schema: dict | None = None) -> pl.DataFrame:
    files = sorted(folder.glob(pattern)) if folder.is_dir() else []
    if not files:
        return pl.DataFrame(schema=schema) if schema else pl.DataFrame()
    return pl.read_parquet(files)


# ----------------------------------------------------------------------- prepare

def prepare_shard(input_dir: str | Path, sources: list[str], staging: str | Path, shard: int,
                  settings: Settings) -> dict[str, Any]:
    """Ingest, split, normalise and find in-document duplicates for one shard; write map outputs.

    Returns counts and the part names written (never frames).
    """
    staging = Path(staging)
    done = staging / "done" / f"shard-{shard:05d}.json"
    if done.exists():  # finished by an earlier attempt of this same run (see resumable_staging_dir)
        return json.loads(done.read_text(encoding="utf-8"))
    totals = {"documents": 0, "lines": 0, "rejects": 0}
    parts = []
    for batch_no, batch in enumerate(batch_sources(input_dir, sources, int(settings.run.batch_mb * 1_000_000))):
        name = f"part-{shard:05d}-{batch_no:04d}.parquet"
        counts = _prepare_batch(input_dir, batch, staging, name, settings)
        for key in totals:
            totals[key] += counts[key]
        parts.append(name)
    result = {"shard": shard, "parts": parts, **totals}
    write_json_atomic(result, done)
    return result


def resumable_staging_dir(output_dir: str | Path, digests: dict[str, str | None], settings: Settings) -> Path:
    """The staging folder of *this* run: named after the input files' contents (``digests``:
    source → content hash, from :func:`plan_run`) and every setting, so that re-running after a
    crash finds the shards it had finished and does not redo them. Committing the run removes it."""
    listing = [f"{source}={digest}" for source, digest in sorted(digests.items())]
    key = stable_hex(SCHEMA_VERSION, __version__, settings.model_dump_json(), *listing)
    staging = Path(output_dir) / STAGING_DIR / key
    staging.mkdir(parents=True, exist_ok=True)
    return staging


def _prepare_batch(input_dir: str | Path, sources: list[str], staging: Path, name: str,
                   settings: Settings) -> dict[str, int]:
    ingested = ingest_files(input_dir, sources, settings.ingest)
    lines = split_lines(ingested.documents)
    lines = assign_status(normalise_lines(lines, settings.normalise))
    documents = normalise_titles(ingested.documents, settings.normalise)
    counts = {"documents": documents.height, "lines": lines.height, "rejects": ingested.rejects.height}
    stage = staging / "stage"
    write_parquet_atomic(ingested.files, stage / "files" / name, STAGING_OUTPUT)
    dedup = settings.dedup
    if not dedup.enabled:
        # Nothing corpus-wide to wait for: write the final tables now.
        _write_final(staging, name, apply_dedup(lines, *_no_dedup()), documents, ingested.rejects,
                     pl.DataFrame(schema=CLUSTER_SCHEMA), settings)
        return counts

    lines = add_keys(lines)
    doc_info = (
        documents.select("doc_id", "source", "row")
        .join(lines.group_by("doc_id").agg(n_chars=pl.col("text").str.len_chars().sum()), on="doc_id", how="left")
        .with_columns(pl.col("n_chars").fill_null(0))
    )
    keyed = keyed_lines(lines)
    duplicates = in_document_duplicates(keyed, dedup)
    shingles = document_shingles(keyed, duplicates, dedup)
    for table, frame in {
        # The key is kept (for short lines only) so that apply can match rare boilerplate variants.
        "lines": lines.with_columns(key=pl.when(pl.col("key_chars") <= dedup.boilerplate_max_chars).then("key")),
        "documents": documents, "doc_info": doc_info, "rejects": ingested.rejects,
        "duplicates": duplicates, "shingles": shingles,
    }.items():
        write_parquet_atomic(frame, stage / table / name, STAGING_OUTPUT)
    _write_partitioned(minhash_bands(shingles, dedup), staging / "map" / "bands", "bucket", dedup.partitions, name)
    _write_partitioned(boilerplate_occurrences(lines, doc_info, dedup), staging / "map" / "occurrences",
                       "key_hash", dedup.partitions, name)
    return counts


def _no_dedup() -> tuple[pl.DataFrame, pl.DataFrame]:
    """Empty duplicates and boilerplate assignments, for runs with dedup turned off."""
    duplicates = pl.DataFrame(schema={"doc_id": pl.String, "line_no": pl.Int32, "dup_of_line_no": pl.Int32,
                                      "similarity": pl.Float64})
    boilerplate = pl.DataFrame(schema={"doc_id": pl.String, "line_no": pl.Int32, "cluster_id": pl.String,
                                       "cluster_text": pl.String, "cluster_docs": pl.Int64, "first_doc_id": pl.String,
                                       "first_line_no": pl.Int32, "bp_similarity": pl.Float64})
    return duplicates, boilerplate


def _write_final(staging: Path, name: str, lines: pl.DataFrame, documents: pl.DataFrame, rejects: pl.DataFrame,
                 clusters: pl.DataFrame, settings: Settings) -> dict[str, int]:
    lines = lines.select(LINE_COLUMNS)
    documents = assemble_documents(documents, lines, clusters)
    not_written = 0
    if not settings.dedup.write_noncanonical_documents:
        not_written = documents.filter(~pl.col("is_canonical")).height
        documents = documents.filter(pl.col("is_canonical"))
    flags = flag_documents(documents, lines) if settings.flags.enabled else pl.DataFrame(schema=FLAG_SCHEMA)
    for table, frame in {"lines": lines, "documents": documents, "rejects": rejects, "flags": flags}.items():
        write_parquet_atomic(frame, staging / "final" / table / name, settings.output)
    return {"documents": documents.height, "noncanonical_not_written": not_written}


# -------------------------------------------------------------- corpus-wide steps

def pair_documents(staging: str | Path, partition: int, settings: Settings) -> str:
    """Reduce one band partition to candidate near-duplicate pairs."""
    staging = Path(staging)
    bands = _read(staging / "map" / "bands" / f"p={partition}",
                  schema={"doc_id": pl.String, "band": pl.Int32, "bucket": pl.Int64})
    pairs = candidate_pairs(bands)
    if settings.run.incremental:
        earlier = _earlier(staging, "bands").filter(_partition("bucket", settings.dedup.partitions) == partition)
        # Earlier documents were paired among themselves by earlier runs: keep new-to-earlier pairs.
        current = bands.get_column("doc_id").unique().implode()
        mixed = candidate_pairs(pl.concat([bands, earlier.cast(bands.schema)]))
        pairs = mixed.filter(pl.col("doc_a").is_in(current) | pl.col("doc_b").is_in(current))
    path = staging / "reduce" / "pairs" / f"p={partition}.parquet"
    write_parquet_atomic(pairs, path, STAGING_OUTPUT)
    return str(path)


def cluster_documents(staging: str | Path, settings: Settings) -> dict[str, int]:
    """Verify candidate pairs by exact Jaccard and cluster near-duplicate documents."""
    staging = Path(staging)
    pairs = _read(staging / "reduce" / "pairs", schema={"doc_a": pl.String, "doc_b": pl.String}).unique()
    involved = pl.concat([pairs["doc_a"], pairs["doc_b"]]).unique() if pairs.height else pl.Series([], dtype=pl.String)
    shingles = (
        pl.scan_parquet(str(staging / "stage" / "shingles" / "*.parquet")).filter(pl.col("doc_id").is_in(involved.implode())).collect()
        if pairs.height else pl.DataFrame(schema={"doc_id": pl.String, "shingle": pl.Int64})
    )
    if settings.run.incremental and pairs.height:
        shingles = pl.concat([shingles, _earlier(staging, "shingles").filter(pl.col("doc_id").is_in(involved.implode()))])
    scored = jaccard(pairs, shingles) if pairs.height else pairs.with_columns(jaccard=pl.lit(0.0))
    verified = scored.filter(pl.col("jaccard") >= settings.dedup.doc_jaccard_threshold)
    doc_info = pl.scan_parquet(str(staging / "stage" / "doc_info" / "*.parquet")).filter(
        pl.col("doc_id").is_in(involved.implode())).collect()
    if settings.run.incremental:
        doc_info = pl.concat([doc_info, _earlier(staging, "doc_info").filter(pl.col("doc_id").is_in(involved.implode()))
                              .cast(doc_info.schema)])
    clusters = document_clusters(verified, doc_info, shingles)
    write_parquet_atomic(clusters, staging / "reduce" / "doc_clusters.parquet", STAGING_OUTPUT)
    return {"candidate_pairs": pairs.height, "verified_pairs": verified.height,
            "clusters": clusters["dup_cluster_id"].n_unique() if clusters.height else 0}


def _earlier(staging: Path, part: str) -> pl.DataFrame:
    """Rows of the output folder's index (earlier runs), minus the documents this run re-processes."""
    output_dir = staging.parent.parent  # OUTPUT/_staging/<run>
    current = _read(staging / "stage" / "doc_info", schema=index.PARTS["doc_info"]).get_column("doc_id")
    return index.read_part(output_dir, part).filter(~pl.col("doc_id").is_in(current.implode()))


def _doc_clusters(staging: Path) -> pl.DataFrame:
    path = staging / "reduce" / "doc_clusters.parquet"
    return pl.read_parquet(path) if path.exists() else pl.DataFrame(schema=CLUSTER_SCHEMA)


def count_keys(staging: str | Path, partition: int, settings: Settings) -> str:
    """Reduce one key partition: in how many document clusters each short line occurs."""
    staging = Path(staging)
    occurrences = _read(staging / "map" / "occurrences" / f"p={partition}")
    if settings.run.incremental:
        earlier = _earlier(staging, "occurrences").filter(_partition("key_hash", settings.dedup.partitions) == partition)
        occurrences = pl.concat([occurrences, earlier.cast(occurrences.schema)]) if occurrences.height else earlier
    path = staging / "reduce" / "key_stats" / f"p={partition}.parquet"
    stats = key_statistics(occurrences, _doc_clusters(staging)) if occurrences.height else pl.DataFrame()
    write_parquet_atomic(stats, path, STAGING_OUTPUT)
    return str(path)


def find_boilerplate(staging: str | Path, settings: Settings) -> dict[str, int]:
    """Merge recurring keys with their variants into clusters; keep those that are boilerplate."""
    staging = Path(staging)
    files = [path for path in sorted((staging / "reduce" / "key_stats").glob("*.parquet"))]
    frames = [frame for frame in (pl.read_parquet(path) for path in files) if frame.height]
    stats = pl.concat(frames) if frames else pl.DataFrame()
    clusters = boilerplate_clusters(stats, settings.dedup)
    write_parquet_atomic(clusters, staging / "reduce" / "boilerplate.parquet", STAGING_OUTPUT)
    return {"recurring_keys": stats.height, "boilerplate_keys": clusters.height,
            "boilerplate_clusters": clusters["cluster_id"].n_unique() if clusters.height else 0}


# ------------------------------------------------------------------------- apply

def apply_shard(staging: str | Path, parts: list[str], settings: Settings) -> dict[str, int]:
    """Final tables for one shard's parts: statuses, reasons, cleaned document text."""
    staging = Path(staging)
    stage = staging / "stage"
    boilerplate = pl.read_parquet(staging / "reduce" / "boilerplate.parquet")
    clusters = _doc_clusters(staging)
    counts = {"documents": 0, "noncanonical_not_written": 0}
    for name in parts:
        lines = pl.read_parquet(stage / "lines" / name)
        assigned = assign_boilerplate(lines, boilerplate, settings.dedup)
        lines = apply_dedup(lines, pl.read_parquet(stage / "duplicates" / name), assigned)
        written = _write_final(staging, name, lines, pl.read_parquet(stage / "documents" / name),
                               pl.read_parquet(stage / "rejects" / name), clusters, settings)
        for key in counts:
            counts[key] += written[key]
    return counts


# ------------------------------------------------------------------------ finish

def run_id_for(files: pl.DataFrame, settings: Settings) -> str:
    """Deterministic run id: the same files (by content) and settings give the same id."""
    listing = files.sort("source").select(
        pl.concat_str([pl.col("source"), pl.col("digest").fill_null("-")], separator="=")
    ).to_series().to_list()
    return stable_hex(SCHEMA_VERSION, __version__, settings.fingerprint_json(), *listing)


def _versions() -> dict[str, str]:
    versions = {"python": platform.python_version(), "textwash": __version__}
    for package in ("polars", "ftfy", "rapidfuzz", "xxhash", "prefect", "pydantic", "pyarrow"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            pass
    return versions


def count_tables(folder: str | Path) -> dict[str, Any]:
    """Counts of the tables under ``folder`` (a staging ``final`` folder or one run's partitions)."""
    folder = Path(folder)

    def scan(table: str) -> pl.LazyFrame:
        return pl.scan_parquet(str(folder / table / "*.parquet"))

    by_status = scan("lines").group_by("status").len().collect()
    by_reason = scan("rejects").group_by("reason").len().collect()
    by_kind = scan("flags").group_by("kind").len().collect()
    documents = scan("documents").select(
        pl.len().alias("n"), (~pl.col("is_canonical")).sum().alias("noncanonical")).collect()
    return {
        "documents": documents["n"].item(),
        "documents_noncanonical": documents["noncanonical"].item(),
        "lines": int(by_status["len"].sum()),
        "lines_by_status": dict(sorted(zip(by_status["status"], by_status["len"]))),
        "rejects": int(by_reason["len"].sum()),
        "rejects_by_reason": dict(sorted(zip(by_reason["reason"], by_reason["len"]))),
        "flags": int(by_kind["len"].sum()),
        "flags_by_kind": dict(sorted(zip(by_kind["kind"], by_kind["len"]))),
    }


def top_boilerplate(staging: str | Path, limit: int = 20) -> list[dict[str, Any]]:
    """The largest boilerplate clusters of a staged run: id, text, documents, variants."""
    path = Path(staging) / "reduce" / "boilerplate.parquet"
    if not path.exists():
        return []
    return (
        pl.read_parquet(path).group_by("cluster_id")
        .agg(pl.col("cluster_text").first(), pl.col("cluster_docs").first(), variants=pl.len())
        .sort(["cluster_docs", "cluster_id"], descending=[True, False]).head(limit).to_dicts()
    )


def top_document_clusters(staging: str | Path, limit: int = 20) -> list[dict[str, Any]]:
    """The largest near-duplicate document clusters: canonical id, source, size."""
    staging = Path(staging)
    clusters = _doc_clusters(staging)
    if clusters.is_empty():
        return []
    info = pl.read_parquet(sorted((staging / "stage" / "documents").glob("*.parquet"))).select("doc_id", "source", "title")
    return (
        clusters.filter(pl.col("is_canonical")).join(info, on="doc_id")
        .select(pl.col("dup_cluster_id"), "source", "title", "dup_cluster_size")
        .sort(["dup_cluster_size", "dup_cluster_id"], descending=[True, False]).head(limit).to_dicts()
    )


def finish_run(input_dir: str | Path, output_dir: str | Path, staging: str | Path, settings: Settings,
               started_at: datetime, sources: list[str], steps: dict[str, Any] | None = None) -> dict[str, Any]:
    """Name the run, commit its final tables and write its manifest; return the manifest."""
    staging = Path(staging)
    files = _read(staging / "stage" / "files")
    run_id = run_id_for(files, settings)
    finished_at = datetime.now(timezone.utc)
    manifest: dict[str, Any] = {
        "run_id": run_id,
        "schema_version": SCHEMA_VERSION,
        "started_at": started_at.isoformat(),
        "finished_at": finished_at.isoformat(),
        "duration_s": round((finished_at - started_at).total_seconds(), 3),
        "input_dir": str(Path(input_dir).resolve()),
        "output_dir": str(Path(output_dir).resolve()),
        "settings": settings.model_dump(mode="json"),
        "versions": _versions(),
        "incremental": settings.run.incremental,
        "files": {
            "count": len(sources),
            "bytes": int(files["bytes"].fill_null(0).sum()) if files.height else 0,
            "by_format": dict(sorted(files.group_by("format").len().iter_rows())) if files.height else {},
            "by_encoding": dict(sorted(files.drop_nulls("encoding").group_by("encoding").len().iter_rows()))
            if files.height else {},
            "digests": dict(files.drop_nulls("digest").select("source", "digest").iter_rows()) if files.height else {},
        },
        "counts": count_tables(staging / "final"),
        "dedup": {**(steps or {}), "top_boilerplate": top_boilerplate(staging),
                  "top_document_clusters": top_document_clusters(staging)},
        "tables": {table: f"{table}/run_id={run_id}" for table in ("documents", "lines", "rejects", "flags")},
    }
    commit_run(staging / "final", output_dir, run_id, manifest)
    _update_index(staging, output_dir, run_id, files, settings)
    shutil.rmtree(staging, ignore_errors=True)
    return manifest


def _update_index(staging: Path, output_dir: str | Path, run_id: str, files: pl.DataFrame, settings: Settings) -> None:
    """After the tables are committed: the run's files, documents, shingles, bands and short-line
    occurrences into the cross-run index (replacing it after a full run, merged after an
    incremental one)."""
    new = {
        "files": files.select("source", "digest").drop_nulls("digest").with_columns(run_id=pl.lit(run_id))
        if files.height else pl.DataFrame(schema=index.PARTS["files"]),
        "doc_info": _read(staging / "stage" / "doc_info", schema=index.PARTS["doc_info"]),
        "shingles": _read(staging / "stage" / "shingles", schema=index.PARTS["shingles"]),
        "bands": _read_all(staging / "map" / "bands", index.PARTS["bands"]),
        "occurrences": _read_all(staging / "map" / "occurrences", index.PARTS["occurrences"]),
    }
    index.write_index(output_dir, index.merged(output_dir, new, settings.run.incremental))


def _read_all(folder: Path, schema: dict) -> pl.DataFrame:
    files = sorted(folder.glob("p=*/*.parquet")) if folder.is_dir() else []
    return pl.read_parquet(files).cast(schema) if files else pl.DataFrame(schema=schema)


def rebuild_index(output_dir: str | Path, settings: Settings | None = None) -> dict[str, int]:
    """Rebuild the cross-run index from the committed output tables and manifests alone.

    Every committed run is read in order; a document re-processed by a later run counts in its
    latest version. Keys, shingles and bands are recomputed with the same functions as a run.
    """
    from cleaners.output import list_runs, scan_table

    settings = settings or Settings()
    runs = list_runs(output_dir)
    order = {run["run_id"]: number for number, run in enumerate(runs)}
    with index.run_lock(output_dir):
        if not runs:
            index.write_index(output_dir, {part: pl.DataFrame(schema=schema) for part, schema in index.PARTS.items()})
            return {"runs": 0, "documents": 0}
        documents = (
            scan_table(output_dir, "documents").select("doc_id", "source", "run_id").collect()
            .with_columns(order=pl.col("run_id").replace_strict(order, return_dtype=pl.Int64))
            .sort("order").unique("doc_id", keep="last")
        )
        lines = (
            scan_table(output_dir, "lines").select("doc_id", "line_no", "text", "run_id").collect()
            .join(documents.select("doc_id", "run_id"), on=["doc_id", "run_id"], how="semi")
            .select("doc_id", "line_no", "text")
        )
        lines = add_keys(lines.with_columns(pl.col("line_no").cast(pl.Int32)))
        doc_info = (
            documents.select("doc_id", "source", row=pl.lit(0, dtype=pl.Int64))
            .join(lines.group_by("doc_id").agg(n_chars=pl.col("text").str.len_chars().sum()), on="doc_id", how="left")
            .with_columns(pl.col("n_chars").fill_null(0))
        )
        keyed = keyed_lines(lines)
        shingles = document_shingles(keyed, in_document_duplicates(keyed, settings.dedup), settings.dedup)
        digests = {}
        for run in runs:
            for source, digest in run.get("files", {}).get("digests", {}).items():
                digests[source] = (digest, run["run_id"])
        parts = {
            "files": pl.DataFrame([{"source": source, "digest": digest, "run_id": run_id}
                                   for source, (digest, run_id) in sorted(digests.items())],
                                  schema=index.PARTS["files"]),
            "doc_info": doc_info,
            "shingles": shingles,
            "bands": minhash_bands(shingles, settings.dedup),
            "occurrences": boilerplate_occurrences(lines, doc_info, settings.dedup),
        }
        index.write_index(output_dir, parts)
    return {"runs": len(runs), "documents": documents.height}


def plan_run(input_dir: str | Path, output_dir: str | Path, sources: list[str],
             settings: Settings) -> dict[str, str | None]:
    """``source → content hash`` of the files this run reads: all of ``sources``, or in an
    incremental run only those new or changed since the index. Each file is hashed once here
    (ingest reads it again, usually from the page cache)."""
    digests = {source: content_digest(input_dir, source) for source in sorted(sources)}
    if not settings.run.incremental:
        return digests
    known = index.indexed_files(output_dir)
    return {source: digest for source, digest in digests.items() if digest is None or known.get(source) != digest}


def run_local(input_dir: str | Path, output_dir: str | Path, settings: Settings | None = None) -> dict[str, Any]:
    """Every stage in this process, in order, without Prefect (benchmark, tests, debugging)."""
    settings = settings or Settings()
    with index.run_lock(output_dir):
        return _run_local(input_dir, output_dir, settings)


def _run_local(input_dir: str | Path, output_dir: str | Path, settings: Settings) -> dict[str, Any]:
    started_at = datetime.now(timezone.utc)
    digests = plan_run(input_dir, output_dir, discover(input_dir), settings)
    sources = list(digests)
    staging = resumable_staging_dir(output_dir, digests, settings)
    prepared = [prepare_shard(input_dir, shard_files, staging, shard, settings)
                for shard, shard_files in enumerate(shard_sources(sources, settings.run.shards))]
    steps: dict[str, Any] = {}
    if settings.dedup.enabled:
        for partition in range(settings.dedup.partitions):
            pair_documents(staging, partition, settings)
        steps["documents"] = cluster_documents(staging, settings)
        for partition in range(settings.dedup.partitions):
            count_keys(staging, partition, settings)
        steps["boilerplate"] = find_boilerplate(staging, settings)
        for result in prepared:
            apply_shard(staging, result["parts"], settings)
    return finish_run(input_dir, output_dir, staging, settings, started_at, sources, steps)
