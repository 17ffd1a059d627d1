"""Every stage of a run, as a plain function ``stage(job, unit) -> dict`` over Parquet files.

A stage reads and writes files under the run's staging folder (:class:`cleaners.staging.Staging`)
and returns only small counts, so any runner can execute it anywhere: in this process, in a pool
of worker processes, as a Prefect task on threads or processes, or on Dask. ``unit`` is the shard
or partition number (0 for a stage that runs once). The order of stages is declared once, in
:data:`cleaners.plan.PLAN`.

=====================  ===========  ======================================================
stage                  runs per     reads → writes
=====================  ===========  ======================================================
``prepare_shard``      shard        input files → ``stage/*``, ``map/bands``,
                                    ``map/occurrences`` (batch by batch)
``pair_documents``     partition    ``map/bands/p=`` → candidate pairs ``reduce/pairs/p=``
``route_pairs``        once         all candidate pairs (two ids each) → pairs by star centre
``route_shingles``     shard        the shard's shingles → ``map/shingles/p=``
``verify_documents``   partition    a partition's pairs and shingles → verified edges
``cluster_documents``  once         all verified edges (two ids each) → clusters, canonicals
``route_cluster_shingles`` shard    clustered documents' shingles → ``map/cluster_shingles/p=``
``score_clusters``     partition    exact Jaccard of each member to its canonical
``pair_paragraphs``    partition    ``map/anchors/p=`` → candidate repeated paragraphs
``route_paragraph_keys`` shard      keys of lines in near candidates → ``map/paragraph_keys/p=``
``verify_paragraphs``  partition    candidates + keys → ``map/verified/p=`` (by copy's document)
``choose_firsts``      partition    each copy's earliest first; firsts → ``map/first_refs/p=``
``find_links``         partition    copies that are also firsts (links of chains)
``resolve_paragraph_chains`` once   all links → each link's root first
``route_families``     partition    copies with their root → ``map/family_members/p=``
``count_families``     partition    documents per root first
``count_keys``         partition    ``map/occurrences/p=`` → per-key document counts
``find_boilerplate``   once         recurring keys (small) → boilerplate clusters
``apply_shard``        shard        staged lines + dedup results → final tables, flags
=====================  ===========  ======================================================

Memory is bounded by a batch (``run.batch_mb``) in the per-shard stages and by a partition in the
reduces; the only corpus-wide frames hold two ids per candidate pair or verified edge, the
recurring short keys, and the links of repeated-paragraph chains (copies that are also firsts).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import polars as pl

from cleaners import index, schemas, storage
from cleaners.dedup import (
    add_keys,
    apply_dedup,
    assign_boilerplate,
    boilerplate_clusters,
    boilerplate_occurrences,
    candidate_pairs,
    capped_blocks,
    content_grams,
    document_shingles,
    in_document_duplicates,
    key_statistics,
    keyed_lines,
    minhash_bands,
)
from cleaners.documents import assemble_documents, assign_status, normalise_titles
from cleaners.flags import flag_documents
from cleaners.ingest import IngestResult, ingest_files
from cleaners.keys import line_key, stable_hash64
from cleaners.lines import split_lines
from cleaners.near_duplicates import join_clusters, score_members, star_routes, verify_pairs
from cleaners.normalise import normalise_lines
from cleaners.output import scan_table, write_json_atomic, write_table
from cleaners.paragraphs import (
    best_firsts,
    candidate_repeats,
    chain_links,
    family_sizes,
    follow_chains,
    paragraph_anchors,
    resolve_chains,
    verify_repeats,
)
from cleaners.settings import OutputSettings, Settings
from cleaners.staging import Staging, part_name

#: Staged files live for one run: fast compression beats small files.
STAGING_OUTPUT = OutputSettings(compression="lz4", compression_level=None)


@dataclass(frozen=True)
class Job:
    """Everything a stage needs, picklable: it is sent to worker processes and Dask workers."""

    input_dir: str
    staging: Staging
    settings: Settings
    shards: tuple[tuple[str, ...], ...]
    partitions: int
    run_id: str = "-"  # written into every final row (cleaners/pipeline.run_id_for)
    deleted: tuple[str, ...] = ()  # incremental: indexed files gone from the input
    attempt: str = "-"  # names one attempt at committing the run (cleaners/pipeline.make_job)

    @property
    def output_dir(self) -> Any:
        return self.staging.output_dir


def _partition(column: str, n: int) -> pl.Expr:
    """Partition number of a (possibly negative) stable hash column."""
    return ((pl.col(column) % n) + n) % n


def scan_parts(folder: Any, schema: schemas.Schema, pattern: str = "*.parquet") -> pl.LazyFrame:
    """The Parquet parts of a folder, lazily, as ``schema`` (empty, with its columns, if none)."""
    files = sorted(folder.glob(pattern)) if folder.exists() else []
    if not files:
        return schemas.empty(schema).lazy()
    return pl.scan_parquet([storage.uri(path) for path in files]).cast(pl.Schema(schema))


def _read(path: Any) -> pl.DataFrame:
    """One staged Parquet file, local or on a store."""
    return pl.read_parquet(storage.uri(path))


def _stage_write(frame: pl.DataFrame, path: Any, schema: schemas.Schema) -> None:
    write_table(frame, path, schema, STAGING_OUTPUT)


def _write_partitioned(frame: pl.DataFrame, folder: Any, column: str, n: int, name: str,
                       schema: schemas.Schema) -> None:
    with_partition = frame.with_columns(_p=_partition(column, n))
    for number, part in with_partition.partition_by("_p", as_dict=True, include_key=False).items():
        _stage_write(part, folder / f"p={number[0]}" / name, schema)


# ----------------------------------------------------------------------- prepare

def batch_sources(input_dir: Any, sources: list[str] | tuple[str, ...], batch_bytes: int) -> list[list[str]]:
    """Group sorted ``sources`` into consecutive batches of about ``batch_bytes`` of input."""
    root = storage.location(input_dir)
    batches: list[list[str]] = []
    current: list[str] = []
    size = 0
    for source in sorted(sources):
        try:
            file_size = (root / source).stat().st_size
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


def prepare_shard(job: Job, shard: int) -> dict[str, Any]:
    """Ingest, split, normalise and find in-document duplicates for one shard; write map outputs.

    A shard is read in batches of about ``run.batch_mb`` of files, and a batch is cleaned in
    slices of at most ``run.batch_records`` documents, each slice its own part: memory is bounded
    by a slice whatever the shape of the input (one huge file of tiny records included).
    Resumable: a shard finished by an earlier attempt of the same run is not redone.
    """
    done = job.staging.done(shard)
    if done.exists():
        return dict(json.loads(done.read_text(encoding="utf-8")))
    totals = {"documents": 0, "lines": 0, "rejects": 0, "capped_blocks": 0}
    parts: list[str] = []
    run = job.settings.run
    for batch in batch_sources(job.input_dir, job.shards[shard], int(run.batch_mb * 1_000_000)):
        ingested = ingest_files(job.input_dir, batch, job.settings.ingest)
        name = part_name(shard, len(parts))
        _stage_write(ingested.files, job.staging.stage("files", name), schemas.FILES)
        for documents, rejects in record_slices(ingested, run.batch_records):
            name = part_name(shard, len(parts))
            counts = _prepare_slice(job, documents, rejects, name)
            for key in totals:
                totals[key] += counts[key]
            parts.append(name)
    result = {"shard": shard, "parts": parts, **totals}
    write_json_atomic(result, done)
    return result


def record_slices(ingested: IngestResult, size: int) -> Iterator[tuple[pl.DataFrame, pl.DataFrame]]:
    """``(documents, rejects)`` in slices of at most ``size`` documents (rejects go with the first)."""
    yield ingested.documents.slice(0, size), ingested.rejects
    for offset in range(size, ingested.documents.height, size):
        yield ingested.documents.slice(offset, size), ingested.rejects.clear()


def _prepare_slice(job: Job, raw_documents: pl.DataFrame, rejects: pl.DataFrame, name: str) -> dict[str, int]:
    settings, staging = job.settings, job.staging
    lines = assign_status(normalise_lines(split_lines(raw_documents), settings.normalise))
    documents = normalise_titles(raw_documents, settings.normalise)
    counts = {"documents": documents.height, "lines": lines.height, "rejects": rejects.height,
              "capped_blocks": 0}
    if not settings.dedup.enabled:  # nothing corpus-wide to wait for: the final tables now
        _write_final(job, name, apply_dedup(lines), documents, rejects)
        return counts

    dedup = settings.dedup
    lines = add_keys(lines)
    doc_info = (
        documents.select("doc_id", "source", "row")
        .join(lines.group_by("doc_id").agg(n_chars=pl.col("text").str.len_chars().sum()), on="doc_id", how="left")
        .with_columns(pl.col("n_chars").fill_null(0))
    )
    keyed = keyed_lines(lines)
    duplicates = in_document_duplicates(keyed, dedup)
    counts["capped_blocks"] = capped_blocks(keyed, dedup)
    grams = content_grams(keyed, duplicates, dedup)
    shingles = document_shingles(keyed, duplicates, dedup, grams=grams)
    if dedup.repeated_paragraphs:
        _write_partitioned(paragraph_anchors(grams, doc_info, dedup), staging.mapped("anchors"), "anchor",
                           job.partitions, name, schemas.ANCHORS)
    del grams
    # The key is kept for short lines only, so that apply can match rare boilerplate variants.
    short_keys = lines.with_columns(key=pl.when(pl.col("key_chars") <= dedup.boilerplate_max_chars).then("key"))
    for table, frame, schema in [
        ("lines", short_keys, schemas.STAGED_LINES), ("documents", documents, schemas.STAGED_DOCUMENTS),
        ("doc_info", doc_info, schemas.DOC_INFO), ("rejects", rejects, schemas.REJECTS),
        ("duplicates", duplicates, schemas.DUPLICATES), ("shingles", shingles, schemas.SHINGLES),
    ]:
        _stage_write(frame, staging.stage(table, name), schema)
    _write_partitioned(minhash_bands(shingles, dedup), staging.mapped("bands"), "bucket", job.partitions, name,
                       schemas.BANDS)
    _write_partitioned(boilerplate_occurrences(lines, doc_info, dedup), staging.mapped("occurrences"), "key_hash",
                       job.partitions, name, schemas.OCCURRENCES)
    return counts


def _write_final(job: Job, name: str, lines: pl.DataFrame, documents: pl.DataFrame, rejects: pl.DataFrame,
                 clusters: pl.DataFrame | None = None) -> dict[str, int]:
    settings = job.settings
    sources = documents.select("doc_id", "source")
    lines = schemas.conform(lines.join(sources, on="doc_id", how="left", maintain_order="left")
                            .with_columns(run_id=pl.lit(job.run_id)), schemas.LINES)
    clusters = schemas.empty(schemas.CLUSTERS) if clusters is None else clusters
    documents = assemble_documents(documents.with_columns(run_id=pl.lit(job.run_id)), lines, clusters)
    not_written = 0
    if not settings.dedup.write_noncanonical_documents:
        not_written = documents.filter(~pl.col("is_canonical")).height
        documents = documents.filter(pl.col("is_canonical"))
    started = time.process_time()  # every thread's CPU: the benchmark reports the flags step's share
    flags = flag_documents(documents, lines) if settings.flags.enabled else schemas.empty(schemas.FLAGS)
    flags_cpu_ms = round((time.process_time() - started) * 1000)
    flags = flags.drop("source").join(sources, on="doc_id", how="left", maintain_order="left")
    for table, frame in {"lines": lines, "documents": documents, "rejects": rejects, "flags": flags}.items():
        write_table(frame.with_columns(run_id=pl.lit(job.run_id)), job.staging.final(table, name), schemas.FINAL[table],
                    settings.output)
    return {"documents": documents.height, "noncanonical_not_written": not_written, "flags_cpu_ms": flags_cpu_ms}


# ----------------------------------------------------- near-duplicate documents

def _earlier(job: Job, part: str) -> pl.LazyFrame:
    """Rows of the output folder's index (earlier runs), minus every document of the files this
    run re-reads (a record gone from a changed file must not stay a first occurrence) and of the
    files deleted from the input."""
    stale = index.stale_documents(job.output_dir, [*[source for shard in job.shards for source in shard], *job.deleted])
    current = scan_parts(job.staging.stage("doc_info"), schemas.DOC_INFO).select("doc_id").collect()["doc_id"]
    gone = pl.concat([current, stale]).implode()
    return index.scan_part(job.output_dir, part).filter(~pl.col("doc_id").is_in(gone))


def pair_documents(job: Job, partition: int) -> dict[str, int]:
    """Reduce one band partition to candidate near-duplicate pairs (a star per bucket)."""
    bands = scan_parts(job.staging.mapped("bands", partition), schemas.BANDS).collect()
    pairs = candidate_pairs(bands)
    if job.settings.run.incremental:
        # Only earlier documents sharing a bucket with this run's can pair with them.
        earlier = (_earlier(job, "bands").filter(_partition("bucket", job.partitions) == partition)
                   .join(bands.lazy().select("band", "bucket").unique(), on=["band", "bucket"], how="semi").collect())
        # Earlier documents were paired among themselves by earlier runs: keep new-to-earlier pairs.
        current = bands.get_column("doc_id").unique().implode()
        mixed = candidate_pairs(pl.concat([bands, earlier]))
        pairs = mixed.filter(pl.col("doc_a").is_in(current) | pl.col("doc_b").is_in(current))
    _stage_write(pairs, job.staging.pairs(partition), schemas.PAIRS)
    return {"candidate_pairs": pairs.height}


def route_pairs(job: Job, _unit: int = 0) -> dict[str, int]:
    """Send each candidate pair to the partition of its star's centre; note where every
    candidate document's shingles must go."""
    pairs = scan_parts(job.staging.pairs_dir, schemas.PAIRS).collect()
    routed, routes = star_routes(pairs, job.partitions)
    _stage_write(routes, job.staging.routes, schemas.ROUTES)
    for partition in range(job.partitions):
        _stage_write(routed.filter(pl.col("partition") == partition), job.staging.routed_pairs(partition),
                     schemas.ROUTED_PAIRS)
    return {"candidate_pairs": routed.height, "candidate_documents": routes["doc_id"].n_unique(),
            "shingle_routes": routes.height}


def _route(job: Job, shard: int, routes: pl.DataFrame, target: str) -> int:
    """Map: the shingles of this shard's documents to the partitions ``routes`` names."""
    routed = 0
    for name in _parts(job, shard):
        shingles = _read(job.staging.stage("shingles", name)).join(routes, on="doc_id")
        routed += shingles.height
        _write_partitioned(shingles, job.staging.mapped(target), "partition", job.partitions, name, schemas.SHINGLES)
    return routed


def route_shingles(job: Job, shard: int) -> dict[str, int]:
    """Map: candidate documents' shingles to the partitions of their pairs."""
    return {"shingles_routed": _route(job, shard, _read(job.staging.routes), "shingles")}


def _with_earlier_shingles(job: Job, shingles: pl.DataFrame, wanted: pl.Series) -> pl.DataFrame:
    """In an incremental run, add the earlier runs' shingles of the ``wanted`` documents."""
    if not job.settings.run.incremental:
        return shingles
    earlier = _earlier(job, "shingles").filter(pl.col("doc_id").is_in(wanted.implode())).collect()
    return pl.concat([shingles, earlier])


def verify_documents(job: Job, partition: int) -> dict[str, int]:
    """Verify one partition's candidate pairs by exact Jaccard, skipping pairs already joined."""
    staging = job.staging
    pairs = _read(staging.routed_pairs(partition))
    wanted = pl.concat([pairs["doc_a"], pairs["doc_b"]]).unique()
    # Passed without a name here, so verify_pairs can free the frame once it has the arrays.
    edges, counts = verify_pairs(
        pairs, _with_earlier_shingles(job, scan_parts(staging.mapped("shingles", partition), schemas.SHINGLES).collect(),
                                      wanted), job.settings.dedup.doc_jaccard_threshold)
    _stage_write(edges, staging.edges(partition), schemas.PAIRS)
    return counts


def cluster_documents(job: Job, _unit: int = 0) -> dict[str, int]:
    """Join the verified edges into clusters and choose each cluster's canonical document."""
    staging = job.staging
    edges = scan_parts(staging.edges_dir, schemas.PAIRS).collect()
    wanted = pl.concat([edges["doc_a"], edges["doc_b"]]).unique().implode()
    doc_info = scan_parts(staging.stage("doc_info"), schemas.DOC_INFO).filter(pl.col("doc_id").is_in(wanted)).collect()
    if job.settings.run.incremental:
        doc_info = pl.concat([doc_info, _earlier(job, "doc_info").filter(pl.col("doc_id").is_in(wanted)).collect()])
    members = join_clusters(edges, doc_info, job.partitions)
    _stage_write(members, staging.members, schemas.MEMBERS)
    return {"clusters": int(members["is_canonical"].sum()), "clustered_documents": members.height}


def route_cluster_shingles(job: Job, shard: int) -> dict[str, int]:
    """Map: clustered documents' shingles to their cluster's partition."""
    routes = _read(job.staging.members).select("doc_id", "partition")
    return {"shingles_routed": _route(job, shard, routes, "cluster_shingles")}


def score_clusters(job: Job, partition: int) -> dict[str, int]:
    """Each clustered document's exact Jaccard to its canonical, for one partition of clusters."""
    staging = job.staging
    members = _read(staging.members).filter(pl.col("partition") == partition)
    shingles = scan_parts(staging.mapped("cluster_shingles", partition), schemas.SHINGLES).collect()
    shingles = _with_earlier_shingles(job, shingles, members["doc_id"])
    clusters = score_members(members, shingles)
    _stage_write(clusters, staging.clusters(partition), schemas.CLUSTERS)
    return {"scored_documents": clusters.height}


def _clusters_of(job: Job, doc_ids: pl.Series) -> pl.DataFrame:
    """The near-duplicate clusters of the given documents (those that have any)."""
    return (scan_parts(job.staging.clusters_dir, schemas.CLUSTERS)
            .filter(pl.col("doc_id").is_in(doc_ids.unique().implode())).collect())


# ------------------------------------------------------------------- boilerplate

def count_keys(job: Job, partition: int) -> dict[str, int]:
    """Reduce one key partition: in how many document clusters each short line occurs."""
    occurrences = scan_parts(job.staging.mapped("occurrences", partition), schemas.OCCURRENCES).collect()
    if job.settings.run.incremental:
        earlier = _earlier(job, "occurrences").filter(_partition("key_hash", job.partitions) == partition)
        occurrences = pl.concat([occurrences, earlier.collect()])
    stats = (key_statistics(occurrences, _clusters_of(job, occurrences["doc_id"])) if occurrences.height
             else schemas.empty(schemas.KEY_STATS))
    _stage_write(stats, job.staging.key_stats(partition), schemas.KEY_STATS)
    return {"recurring_keys": stats.height}


def find_boilerplate(job: Job, _unit: int = 0) -> dict[str, int]:
    """Merge recurring keys with their variants into clusters; keep those that are boilerplate."""
    stats = scan_parts(job.staging.key_stats_dir, schemas.KEY_STATS).collect()
    clusters = boilerplate_clusters(stats, job.settings.dedup)
    _stage_write(clusters, job.staging.boilerplate, schemas.BOILERPLATE)
    return {"boilerplate_keys": clusters.height,
            "boilerplate_clusters": clusters["cluster_id"].n_unique() if clusters.height else 0}


# ------------------------------------------------------------- repeated paragraphs

def pair_paragraphs(job: Job, partition: int) -> dict[str, int]:
    """Reduce one anchor partition to candidate repeated paragraphs (a star per anchor group)."""
    anchors = scan_parts(job.staging.mapped("anchors", partition), schemas.ANCHORS).collect()
    if job.settings.run.incremental:  # earlier runs' lines sharing an anchor with this run's
        earlier = (_earlier(job, "anchors").filter(_partition("anchor", job.partitions) == partition)
                   .join(anchors.lazy().select("anchor", "numbers_hash").unique(), on=["anchor", "numbers_hash"],
                         how="semi").collect())
        anchors = pl.concat([anchors, earlier])
    pairs = candidate_repeats(anchors, _clusters_of(job, anchors["doc_id"]), job.settings.dedup.fuzzy_threshold)
    _stage_write(pairs, job.staging.repeat_pairs(partition), schemas.REPEAT_PAIRS)
    return {"repeat_candidates": pairs.height}


def _near_repeat_lines(job: Job) -> pl.DataFrame:
    """``doc_id, line_no, partition``: the lines whose key a partition needs to verify a pair."""
    parts = []
    for partition in range(job.partitions):
        path = job.staging.repeat_pairs(partition)
        if not path.exists():
            continue
        near = pl.scan_parquet(storage.uri(path)).filter(pl.col("key_hash") != pl.col("first_key_hash"))
        parts.append(pl.concat([near.select("doc_id", "line_no"),
                                near.select(doc_id="first_doc_id", line_no="first_line_no")])
                     .unique().with_columns(partition=pl.lit(partition, dtype=pl.Int32)))
    return pl.concat(parts).collect() if parts else schemas.empty(
        {"doc_id": pl.String, "line_no": pl.Int32, "partition": pl.Int32})


def route_paragraph_keys(job: Job, shard: int) -> dict[str, int]:
    """Map: the keys of this shard's lines that near repeat pairs compare, to those pairs' partitions."""
    needed = _near_repeat_lines(job)
    routed = 0
    if needed.is_empty():
        return {"paragraph_keys_routed": 0}
    for name in _parts(job, shard):
        lines = (pl.scan_parquet(storage.uri(job.staging.stage("lines", name))).select("doc_id", "line_no", "text")
                 .cast({"line_no": pl.Int32}).join(needed.lazy(), on=["doc_id", "line_no"]).collect())
        routed += lines.height
        keys = lines.with_columns(key=line_key(pl.col("text")))
        _write_partitioned(keys, job.staging.mapped("paragraph_keys"), "partition", job.partitions, name,
                           schemas.PARAGRAPH_KEYS)
    return {"paragraph_keys_routed": routed}


def verify_paragraphs(job: Job, partition: int) -> dict[str, int]:
    """Verify one partition's candidate repeated paragraphs with rapidfuzz."""
    pairs = _read(job.staging.repeat_pairs(partition))
    keys = scan_parts(job.staging.mapped("paragraph_keys", partition), schemas.PARAGRAPH_KEYS).collect()
    if job.settings.run.incremental:  # lines of earlier runs: their text is in the lines table
        near = pairs.filter(pl.col("key_hash") != pl.col("first_key_hash"))
        wanted = pl.concat([near.select("doc_id", "line_no"),
                            near.select(doc_id="first_doc_id", line_no="first_line_no")]).unique()
        missing = wanted.join(keys, on=["doc_id", "line_no"], how="anti")
        if missing.height:
            earlier = (scan_table(job.output_dir, "lines").select("doc_id", "line_no", "text")
                       .join(missing.lazy(), on=["doc_id", "line_no"]).collect())
            keys = pl.concat([keys, schemas.conform(earlier.with_columns(key=line_key(pl.col("text"))),
                                                    schemas.PARAGRAPH_KEYS)])
    verified = verify_repeats(pairs, keys.unique(["doc_id", "line_no"]), job.settings.dedup)
    _write_by_document(verified, "doc_id", job.staging.mapped("verified"), job.partitions, f"part-{partition:05d}.parquet",
                       schemas.VERIFIED_REPEATS)
    return {"repeats_verified": verified.height}


def _write_by_document(frame: pl.DataFrame, column: str, folder: Any, n: int, name: str, schema: schemas.Schema) -> None:
    """Map ``frame`` to partitions by the stable hash of its ``column`` document id."""
    hashed = frame.with_columns(_document_hash=stable_hash64(frame.get_column(column)))
    _write_partitioned(hashed, folder, "_document_hash", n, name, schema)


# Repeated paragraphs are resolved in partitions (cleaners/paragraphs.py, step 4): copies by their
# document, firsts by theirs. Only the links of chains (copies that are also firsts) meet in one
# place; no unit holds every copy.

def choose_firsts(job: Job, partition: int) -> dict[str, int]:
    """Reduce: each copy's earliest verified first, for the copies of one partition's documents;
    map the firsts they point at to their own documents' partitions."""
    verified = scan_parts(job.staging.mapped("verified", partition), schemas.VERIFIED_REPEATS).collect()
    best = best_firsts(verified)
    _stage_write(best, job.staging.reduced("best_firsts", partition), schemas.BEST_FIRSTS)
    firsts = best.select("first_doc_id", "first_line_no").unique()
    _write_by_document(firsts, "first_doc_id", job.staging.mapped("first_refs"), job.partitions,
                       f"part-{partition:05d}.parquet", schemas.FIRST_REFS)
    return {"repeated_paragraph_copies": best.height}


def _best_firsts(job: Job, partition: int) -> pl.DataFrame:
    path = job.staging.reduced("best_firsts", partition)
    return _read(path) if path.exists() else schemas.empty(schemas.BEST_FIRSTS)


def find_links(job: Job, partition: int) -> dict[str, int]:
    """Reduce: the copies of one partition that some other copy points at as its first."""
    firsts = scan_parts(job.staging.mapped("first_refs", partition), schemas.FIRST_REFS).collect()
    links = chain_links(_best_firsts(job, partition), firsts)
    _stage_write(links, job.staging.reduced("links", partition), schemas.BEST_FIRSTS)
    return {"chain_links": links.height}


def resolve_paragraph_chains(job: Job, _unit: int = 0) -> dict[str, int]:
    """Once: every link's root, following chains through all partitions' links."""
    links = scan_parts(job.staging.reduced("links"), schemas.BEST_FIRSTS, "p=*.parquet").collect()
    roots = resolve_chains(links)
    _stage_write(roots, job.staging.chain_roots, schemas.CHAIN_ROOTS)
    return {"chain_links": links.height}


def route_families(job: Job, partition: int) -> dict[str, int]:
    """Each copy of one partition with its root first; map (root, copy's document) to the
    root's partition, where its family is counted."""
    best = _best_firsts(job, partition)
    roots = (pl.scan_parquet(storage.uri(job.staging.chain_roots)).cast(pl.Schema(schemas.CHAIN_ROOTS))
             .join(best.lazy().select(doc_id="first_doc_id", line_no="first_line_no").unique(),
                   on=["doc_id", "line_no"], how="semi").collect())
    resolved = follow_chains(best, roots)
    _stage_write(resolved, job.staging.reduced("resolved", partition), schemas.BEST_FIRSTS)
    members = resolved.select("first_doc_id", "first_line_no", "doc_id").unique()
    _write_by_document(members, "first_doc_id", job.staging.mapped("family_members"), job.partitions,
                       f"part-{partition:05d}.parquet", schemas.FAMILY_MEMBERS)
    return {"repeated_paragraph_copies": resolved.height}


def count_families(job: Job, partition: int) -> dict[str, int]:
    """Reduce: the documents of each family whose root first is in one partition's documents."""
    members = scan_parts(job.staging.mapped("family_members", partition), schemas.FAMILY_MEMBERS).collect()
    sizes = family_sizes(members)
    _stage_write(sizes, job.staging.reduced("family_sizes", partition), schemas.FAMILY_SIZES)
    return {"repeated_paragraphs": sizes.height}


def _repeats_of(job: Job, doc_ids: pl.Series) -> pl.DataFrame | None:
    """``REPEATS`` of the lines of these documents (None when the run does not look for them)."""
    if not (job.settings.dedup.enabled and job.settings.dedup.repeated_paragraphs):
        return None
    wanted = doc_ids.unique().implode()
    resolved = (scan_parts(job.staging.reduced("resolved"), schemas.BEST_FIRSTS, "p=*.parquet")
                .filter(pl.col("doc_id").is_in(wanted)).collect())
    sizes = (scan_parts(job.staging.reduced("family_sizes"), schemas.FAMILY_SIZES, "p=*.parquet")
             .join(resolved.lazy().select("first_doc_id", "first_line_no").unique(), on=["first_doc_id", "first_line_no"],
                   how="semi").collect())
    repeats = resolved.join(sizes, on=["first_doc_id", "first_line_no"], how="left").sort("doc_id", "line_no")
    return schemas.conform(repeats, schemas.REPEATS)


# ------------------------------------------------------------------------- apply

def _parts(job: Job, shard: int) -> list[str]:
    return list(json.loads(job.staging.done(shard).read_text(encoding="utf-8"))["parts"])


def apply_shard(job: Job, shard: int) -> dict[str, int]:
    """Final tables for one shard, batch by batch: statuses, reasons, cleaned text, flags."""
    staging = job.staging
    boilerplate = _read(staging.boilerplate)
    counts = {"documents": 0, "noncanonical_not_written": 0, "flags_cpu_ms": 0}
    for name in _parts(job, shard):
        lines = _read(staging.stage("lines", name))
        assigned = assign_boilerplate(lines, boilerplate, job.settings.dedup)
        documents = _read(staging.stage("documents", name))
        lines = apply_dedup(lines, _read(staging.stage("duplicates", name)), assigned,
                            _repeats_of(job, documents["doc_id"]))
        written = _write_final(job, name, lines, documents, _read(staging.stage("rejects", name)),
                               _clusters_of(job, documents["doc_id"]))
        for key in counts:
            counts[key] += written[key]
    return counts
