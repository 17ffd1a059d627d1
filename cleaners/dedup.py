"""Deduplication: identify repeated lines, boilerplate and near-duplicate documents.

This module only *identifies*; :func:`apply_dedup` turns what was found into line statuses and
reasons, and ``documents.text`` is assembled from the lines that stay ``kept``. Nothing is
deleted from ``lines``.

Three kinds of repetition, from cheapest to most global:

1. **Inside a document** (per shard; a document never spans shards). Two lines are compared by
   their *key* (:func:`cleaners.keys.line_key`: case, digits, punctuation and whitespace folded).
   Equal keys are exact repeats. Near repeats are found without comparing all pairs: lines of
   one document that share their first, middle or last ``block_chars`` characters become
   candidates, and rapidfuzz verifies each candidate pair (``fuzzy_threshold``). Keys shorter than ``min_fuzzy_chars`` only match
   exactly. A line is a ``duplicate`` when it matches an *earlier* line of its document; the
   first occurrence always stays.
2. **Near-duplicate documents** (syndicated and copied articles). Word-shingle (of content
   lines: longer than ``boilerplate_max_chars``, not repeats) MinHash
   signatures (one-permutation hashing, densified) are cut into LSH bands; documents sharing a
   band bucket are candidates; ``cleaners/near_duplicates.py`` verifies them by the exact
   Jaccard similarity of their shingle sets (``doc_jaccard_threshold``), skipping pairs already
   joined, and clusters them. The canonical document of a cluster is, deterministically, the one
   with the most text, then the first by source path and row.
3. **Boilerplate across the corpus.** Short lines (key at most ``boilerplate_max_chars``) are
   counted by the number of distinct *document clusters* they occur in, so that a syndicated
   article repeated five times does not make its own lines boilerplate. Recurring keys are then
   merged with their close variants ("Read more" / "Read more on our site"), blocked by shared
   word pairs and verified with rapidfuzz. A cluster seen in at least ``boilerplate_min_docs``
   document clusters is boilerplate; a close variant seen too rarely to be counted on its own
   joins its cluster when the lines are finally labelled (:func:`assign_boilerplate`).

The corpus-wide steps are written map → partition by a stable hash → reduce per partition, so
every partition is an independent task (see ``cleaners/stages.py``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import polars as pl
from rapidfuzz import fuzz, process

from cleaners import schemas, statuses
from cleaners.hashing import stable_hex
from cleaners.keys import PRIME, facts_differ, line_key, ngram_hashes, numbers, stable_hash64, word_shingles, words
from cleaners.near_duplicates import verify_partition
from cleaners.settings import DedupSettings

_BAND_BASE = 1_000_033


# --------------------------------------------------------------------------- keys

def add_keys(lines: pl.DataFrame) -> pl.DataFrame:
    """Add ``key``, ``key_hash`` (stable Int64), ``key_chars`` and ``numbers_hash`` (stable hash
    of the line's numbers, :func:`cleaners.keys.numbers`) to lines with a ``text`` column.

    Keys are computed once per distinct text and joined back (syndicated lines repeat).
    """
    distinct = lines.select(pl.col("text").unique()).with_columns(key=line_key(pl.col("text")),
                                                                    _numbers=numbers(pl.col("text")))
    distinct = distinct.with_columns(
        key_hash=stable_hash64(distinct.get_column("key")),
        key_chars=pl.col("key").str.len_chars().cast(pl.Int32),
        numbers_hash=pl.when(pl.col("_numbers") == "").then(pl.lit(0, dtype=pl.Int64))
        .otherwise(stable_hash64(distinct.get_column("_numbers"))),
    ).drop("_numbers")
    return lines.join(distinct, on="text", how="left", maintain_order="left", nulls_equal=True)


def _scores(left: Iterable[str], right: Iterable[str]) -> list[float]:
    """rapidfuzz ratio for each pair (element-wise, all cores)."""
    left, right = list(left), list(right)
    if not left:
        return []
    return process.cpdist(left, right, scorer=fuzz.ratio, workers=-1).tolist()


# --------------------------------------------------------------- inside a document

def keyed_lines(lines: pl.DataFrame) -> pl.DataFrame:
    """Non-empty lines with a row id ``lid`` and an integer ``doc_no`` (cheaper to group by)."""
    return lines.filter(pl.col("key_chars") > 0).with_row_index("lid").select(
        "lid", "doc_id", pl.col("doc_id").rank("dense").cast(pl.Int64).alias("doc_no"),
        "line_no", "key", "key_hash", "key_chars", "numbers_hash", "text")


def _windowed_pairs(members: pl.DataFrame, window: int) -> pl.DataFrame:
    """Candidate pairs ``lid < lid_b`` of each block (``members``: doc_no, block, lid, sorted):
    every pair of a block of up to ``window + 1`` lines, and in a larger block each line with the
    next ``window`` lines (a near repeat far down a huge block still meets its neighbours, which
    share its stretch). Memory and work are linear in the block's size."""
    if not members.height:
        return pl.DataFrame(schema={"lid": members.schema["lid"], "lid_b": members.schema["lid"]})
    largest = members.group_by("doc_no", "block").len().select(pl.col("len").max()).item() or 1
    shifts = [members.select("lid", lid_b=pl.col("lid").shift(-offset).over("doc_no", "block"))
              for offset in range(1, min(window, largest - 1) + 1)]
    return pl.concat(shifts).drop_nulls().unique()


def capped_blocks(keyed: pl.DataFrame, settings: DedupSettings) -> int:
    """How many in-document blocks exceed ``block_window + 1`` lines (compared by window only)."""
    size = settings.block_chars
    fuzzy = keyed.filter(pl.col("key_chars") >= settings.min_fuzzy_chars)
    if not fuzzy.height:
        return 0
    counts = fuzzy.group_by("doc_no", pl.col("key").str.slice(0, size)).len()
    return int((counts["len"] > settings.block_window + 1).sum())


def in_document_duplicates(keyed: pl.DataFrame, settings: DedupSettings) -> pl.DataFrame:
    """Lines that repeat an earlier line of the same document, exactly or nearly.

    Two lines whose numbers, names or dates differ are never duplicates, however alike their keys
    (which fold digits and case). ``keyed`` comes from :func:`keyed_lines`. Returns ``doc_id, line_no,
    dup_of_line_no, similarity`` for the duplicates only; each duplicate points at its closest
    earlier line (the earliest on ties).
    """
    exact = (
        keyed.with_columns(first=pl.col("line_no").min().over("doc_no", "key_hash", "numbers_hash"))
        .filter(pl.col("line_no") > pl.col("first"))
        .select("doc_id", "line_no", dup_of_line_no=pl.col("first"), similarity=pl.lit(100.0))
    )

    # Near repeats: lines long enough for fuzzy matching, blocked inside their document by their
    # first, middle and last few characters. A near repeat (ratio >= 90) differs in a few
    # places at most, so it keeps at least one of the three stretches; rapidfuzz verifies every
    # candidate pair. (polars' hash is fine here: blocks live only inside this call.)
    size = settings.block_chars
    key, length = pl.col("key"), pl.col("key_chars")
    stretches = [key.str.slice(0, size), key.str.slice(((length - size) // 2).clip(lower_bound=0), size),
                 key.str.tail(size)]
    fuzzy = keyed.filter(length >= settings.min_fuzzy_chars)
    blocks = pl.concat([fuzzy.select("lid", "doc_no", block=stretch.hash(seed=index))
                        for index, stretch in enumerate(stretches)])
    members = (
        blocks.filter(pl.struct("doc_no", "block").is_duplicated()).unique()
        .sort("doc_no", "block", "lid")
    )
    pairs = _windowed_pairs(members, settings.block_window)
    pairs = (
        pairs.join(keyed.select("lid", "doc_id", "doc_no", "line_no", "key", "key_hash", "numbers_hash"), on="lid")
        .join(keyed.select(pl.col("lid").alias("lid_b"), pl.col("doc_no").alias("doc_no_b"),
                           pl.col("line_no").alias("line_no_b"), pl.col("key").alias("key_b"),
                           pl.col("key_hash").alias("key_hash_b"), pl.col("numbers_hash").alias("numbers_b")),
              on="lid_b")
        .filter((pl.col("doc_no") == pl.col("doc_no_b")) & (pl.col("key_hash") != pl.col("key_hash_b"))
                & (pl.col("numbers_hash") == pl.col("numbers_b")))  # numbers are content
    )
    pairs = pairs.with_columns(similarity=pl.Series(_scores(pairs["key"], pairs["key_b"]), dtype=pl.Float64))
    near = pairs.filter(pl.col("similarity") >= settings.fuzzy_threshold)
    near = near.filter(~_facts_differ(near, keyed))
    near = (
        near.with_columns(
            earlier=pl.min_horizontal("line_no", "line_no_b"),
            later=pl.max_horizontal("line_no", "line_no_b"),
        )
        .select("doc_id", line_no=pl.col("later"), dup_of_line_no=pl.col("earlier"), similarity=pl.col("similarity"))
    )
    both = pl.concat([exact, near.with_columns(pl.col("line_no").cast(exact.schema["line_no"]),
                                               pl.col("dup_of_line_no").cast(exact.schema["line_no"]))])
    return (
        both.sort(["doc_id", "line_no", "similarity", "dup_of_line_no"], descending=[False, False, True, False])
        .unique(["doc_id", "line_no"], keep="first", maintain_order=True)
    )


def _facts_differ(pairs: pl.DataFrame, keyed: pl.DataFrame) -> pl.Series:
    """For each near pair (``lid``, ``lid_b``): whether the two lines' texts differ in a number, a
    name or a date (:func:`cleaners.keys.facts_differ`). Only pairs past the threshold get here."""
    texts = keyed.select("lid", "text")
    both = (pairs.select("lid", "lid_b").join(texts, on="lid", how="left", maintain_order="left")
            .join(texts.rename({"lid": "lid_b", "text": "text_b"}), on="lid_b", how="left", maintain_order="left"))
    return pl.Series([facts_differ(left, right) for left, right in zip(both["text"], both["text_b"], strict=True)],
                     dtype=pl.Boolean)


# ---------------------------------------------------------- near-duplicate documents

@dataclass(frozen=True)
class ContentGrams:
    """Content lines (``lid, doc_no, doc_id, line_no, key, key_hash, numbers_hash, kid``: longer
    than ``boilerplate_max_chars``, not in-document repeats; ``kid`` numbers distinct keys) and
    the word n-gram hashes of each distinct key (``kid, shingle``), computed once and used both
    for near-duplicate documents and for repeated paragraphs (:mod:`cleaners.paragraphs`)."""

    content: pl.DataFrame
    grams: pl.DataFrame


def content_grams(keyed: pl.DataFrame, duplicates: pl.DataFrame, settings: DedupSettings,
                  chunk_lines: int = 50_000) -> ContentGrams:
    """The content lines of ``keyed`` and their keys' n-grams (``doc_shingle_words`` words)."""
    content = (
        keyed.filter(pl.col("key_chars") > settings.boilerplate_max_chars)
        .join(duplicates.select("doc_id", "line_no"), on=["doc_id", "line_no"], how="anti", maintain_order="left")
        .select("lid", "doc_no", "doc_id", "line_no", "key", "key_hash", "numbers_hash")
    )
    # Shingles are a function of the key: hash each distinct key's n-grams once (syndicated
    # copies repeat their lines), then give them to every document that has the key.
    content = content.with_columns(kid=pl.col("key").rank("dense").cast(pl.Int64))
    keys = content.select("kid", "key").unique("kid").sort("kid")
    cache: dict[str, int] = {}
    key_grams = []
    for start in range(0, keys.height, chunk_lines):
        chunk_words = words(keys.slice(start, chunk_lines), "kid", "key", cache=cache)
        key_grams.append(ngram_hashes(chunk_words, "kid", settings.doc_shingle_words))
    grams = pl.concat(key_grams) if key_grams else pl.DataFrame(schema={"kid": pl.Int64, "shingle": pl.Int64})
    return ContentGrams(content=content, grams=grams)


def document_shingles(keyed: pl.DataFrame, duplicates: pl.DataFrame, settings: DedupSettings,
                      chunk_lines: int = 50_000, grams: ContentGrams | None = None) -> pl.DataFrame:
    """``doc_id, shingles``: the set of word n-gram hashes of each document's content lines, as
    one sorted list of distinct hashes per document (compact to store, route and compare).

    Content lines are those longer than ``boilerplate_max_chars`` that are not in-document
    duplicates. Leaving out short lines (where boilerplate lives) and repeats makes document
    similarity independent of what deduplication removes, so deduplicating the output again
    finds the same clusters and changes nothing. A document made only of short lines has no
    shingles and is never a near-duplicate. Shingles are taken inside each line, in chunks of
    ``chunk_lines`` lines to keep memory flat. ``grams``: :func:`content_grams`, if already known.
    """
    grams = grams or content_grams(keyed, duplicates, settings, chunk_lines)
    content, grams_of_key = grams.content, grams.grams
    parts = [np.empty(0, dtype=np.int64)]
    for start in range(0, content.height, chunk_lines):
        chunk = content.slice(start, chunk_lines).select("kid", "doc_no").join(grams_of_key, on="kid")
        # (document, shingle) as one int64 (doc_no < 2**32, shingle < 2**31): a flat array to
        # deduplicate, far lighter than a two-column unique.
        parts.append(_sorted_unique(chunk["doc_no"].to_numpy() * PRIME + chunk["shingle"].to_numpy()))
    combined = _sorted_unique(np.concatenate(parts))
    doc_ids = keyed.select("doc_no", "doc_id").unique("doc_no")
    return (
        pl.DataFrame({"doc_no": combined // PRIME, "shingle": combined % PRIME})
        .group_by("doc_no", maintain_order=True).agg(shingles=pl.col("shingle").cast(pl.Int32))  # sorted
        .join(doc_ids, on="doc_no", maintain_order="left")
        .select("doc_id", "shingles")
    )


def _sorted_unique(values: np.ndarray) -> np.ndarray:
    """Sorted distinct values (sort + neighbour test: far faster here than ``np.unique``)."""
    values = np.sort(values)
    if values.size == 0:
        return values
    keep = np.empty(values.size, dtype=bool)
    keep[0] = True
    np.not_equal(values[1:], values[:-1], out=keep[1:])
    return values[keep]


def minhash_bands(shingles: pl.DataFrame, settings: DedupSettings) -> pl.DataFrame:
    """``doc_id, band, bucket``: LSH band buckets of a one-permutation MinHash signature of each
    document's ``shingles`` (see :func:`document_shingles`).

    Each shingle hash falls in bin ``hash % bins`` with value ``hash // bins``; a bin's value is
    its minimum (one pass, no per-permutation hashing). Band ``b`` holds bins ``b*r .. b*r+r-1``;
    its bucket is a sum, modulo a prime, of each present bin's value mixed with a per-bin
    constant, so two documents land in the same bucket when they agree on every bin of the band
    (bins a short document lacks are simply absent from both). Verification is exact, so a rare
    collision only costs a comparison.
    """
    bins = settings.doc_minhash_bins
    if bins % settings.doc_bands:
        raise ValueError("doc_bands must divide doc_minhash_bins")
    rows = bins // settings.doc_bands
    mixers = pl.LazyFrame({
        "bin": list(range(bins)),
        "a": [(_BAND_BASE * (index + 1) * 7919) % PRIME or 1 for index in range(bins)],
        "b": [(_BAND_BASE * (index + 3) * 104729) % PRIME for index in range(bins)],
    }, schema={"bin": pl.Int64, "a": pl.Int64, "b": pl.Int64})
    return (
        shingles.lazy()
        .explode("shingles").drop_nulls("shingles").select("doc_id", shingle=pl.col("shingles").cast(pl.Int64))
        .group_by("doc_id", (pl.col("shingle") % bins).alias("bin"))
        .agg(pl.col("shingle").floordiv(bins).min().alias("value"))
        .join(mixers, on="bin")
        .with_columns(band=(pl.col("bin") // rows).cast(pl.Int32),
                      mixed=(pl.col("value") * pl.col("a") + pl.col("b")) % PRIME)
        .group_by("doc_id", "band")
        .agg(bucket=(pl.col("mixed").sum() + pl.len() * _BAND_BASE) % PRIME)
        .sort("doc_id", "band")
        .collect()
    )


def candidate_pairs(bands: pl.DataFrame) -> pl.DataFrame:
    """``doc_a, doc_b`` (doc_a < doc_b): documents sharing a band bucket.

    Each document in a bucket is paired with the bucket's smallest ``doc_id`` only (a star, not
    all pairs), so a bucket of n documents gives n - 1 candidates.
    """
    return (
        bands.with_columns(center=pl.col("doc_id").min().over("band", "bucket"))
        .filter(pl.col("doc_id") != pl.col("center"))
        .select(doc_a=pl.col("center"), doc_b=pl.col("doc_id"))
        .unique()
        .sort("doc_a", "doc_b")
    )


def _components(edges: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Union-find: each node → the smallest node of its connected component."""
    parent: dict[str, str] = {}

    def find(node: str) -> str:
        parent.setdefault(node, node)
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for left, right in edges:
        root_left, root_right = find(left), find(right)
        if root_left != root_right:
            parent[max(root_left, root_right)] = min(root_left, root_right)
    return {node: find(node) for node in parent}


# ------------------------------------------------------------------- boilerplate

def boilerplate_occurrences(lines: pl.DataFrame, doc_info: pl.DataFrame, settings: DedupSettings) -> pl.DataFrame:
    """Map: the short lines that could be boilerplate, with where they occur.

    ``key_hash, key, text, doc_id, source, row, line_no`` for non-empty lines whose key is at
    most ``boilerplate_max_chars`` long.
    """
    return (
        lines.filter((pl.col("key_chars") > 0) & (pl.col("key_chars") <= settings.boilerplate_max_chars))
        .join(doc_info.select("doc_id", "source", "row"), on="doc_id")
        .select("key_hash", "key", "text", "doc_id", "source", "row", "line_no")
    )


def key_statistics(occurrences: pl.DataFrame, doc_clusters: pl.DataFrame) -> pl.DataFrame:
    """Reduce (one partition): per key, in how many document clusters it occurs, and where first.

    Returns ``key_hash, key, text, n_docs, n_clusters, first_doc_id, first_line_no`` for keys in
    at least two documents; ``text`` is the key's most frequent spelling (ties: the smallest).
    """
    clustered = occurrences.join(doc_clusters.select("doc_id", "dup_cluster_id"), on="doc_id", how="left").with_columns(
        cluster=pl.coalesce("dup_cluster_id", "doc_id"))
    spelling = (
        clustered.group_by("key_hash", "text").len("n")
        .sort(["key_hash", "n", "text"], descending=[False, True, False])
        .group_by("key_hash", maintain_order=True).first()
        .select("key_hash", "text")
    )
    first = (
        clustered.sort("key_hash", "source", "row", "line_no", "doc_id")
        .group_by("key_hash", maintain_order=True).first()
        .select("key_hash", first_doc_id=pl.col("doc_id"), first_line_no=pl.col("line_no"))
    )
    return (
        clustered.group_by("key_hash")
        .agg(pl.col("key").first(), n_docs=pl.col("doc_id").n_unique(), n_clusters=pl.col("cluster").n_unique())
        .filter(pl.col("n_docs") >= 2)
        .join(spelling, on="key_hash")
        .join(first, on="key_hash")
        .sort("key_hash")
    )


def boilerplate_clusters(stats: pl.DataFrame, settings: DedupSettings) -> pl.DataFrame:
    """Merge recurring keys with their close variants; keep the clusters that are boilerplate.

    ``stats`` is every partition's :func:`key_statistics`. Variants are blocked by shared word
    pairs and verified with rapidfuzz (``fuzzy_threshold``; keys shorter than
    ``min_fuzzy_chars`` only match exactly). A cluster's document count is the sum of its keys'
    cluster counts. Returns, per member key of a boilerplate cluster: ``key_hash, cluster_id,
    key, cluster_text, cluster_docs, similarity`` (member key to the cluster's main key, 0-100),
    ``first_doc_id, first_line_no``.
    """
    schema = schemas.BOILERPLATE
    if stats.is_empty():
        return pl.DataFrame(schema=schema)
    fuzzy = stats.filter(pl.col("key").str.len_chars() >= settings.min_fuzzy_chars).select("key_hash", "key")
    shingles = word_shingles(fuzzy, "key_hash", "key", 2)
    pairs = (
        shingles.join(shingles, on="shingle", suffix="_b")
        .filter(pl.col("key_hash") < pl.col("key_hash_b"))
        .select("key_hash", "key_hash_b").unique()
        .join(fuzzy, on="key_hash")
        .join(fuzzy.rename({"key_hash": "key_hash_b", "key": "key_b"}), on="key_hash_b")
    )
    pairs = pairs.with_columns(similarity=pl.Series(_scores(pairs["key"], pairs["key_b"]), dtype=pl.Float64))
    edges = pairs.filter(pl.col("similarity") >= settings.fuzzy_threshold).select("key_hash", "key_hash_b")
    roots = _components((str(a), str(b)) for a, b in edges.iter_rows())
    stats = stats.with_columns(
        root=pl.col("key_hash").cast(pl.String).replace_strict(
            list(roots), list(roots.values()), default=pl.col("key_hash").cast(pl.String)))
    main = (
        stats.sort(["root", "n_clusters", "key"], descending=[False, True, False])
        .group_by("root", maintain_order=True).first()
        .select("root", main_key=pl.col("key"), cluster_text=pl.col("text"))
    )
    totals = stats.group_by("root").agg(cluster_docs=pl.col("n_clusters").sum())
    first = (
        stats.sort("root", "first_doc_id", "first_line_no")
        .group_by("root", maintain_order=True).first()
        .select("root", "first_doc_id", "first_line_no")
    )
    members = (
        stats.select("key_hash", "key", "root")
        .join(main, on="root").join(totals, on="root").join(first, on="root")
        .filter(pl.col("cluster_docs") >= settings.boilerplate_min_docs)
    )
    members = members.with_columns(similarity=pl.Series(_scores(members["key"], members["main_key"]), dtype=pl.Float64))
    cluster_ids = {key: "bp-" + stable_hex(key) for key in members["main_key"].unique().to_list()}
    return (
        members.with_columns(cluster_id=pl.col("main_key").replace_strict(cluster_ids, return_dtype=pl.String))
        .select(list(schema))
        .sort("key_hash")
        .cast(pl.Schema(schema))
    )


# ------------------------------------------------------------------------- apply

def _stretch_blocks(frame: pl.DataFrame, id_column: str, size: int) -> pl.DataFrame:
    """``id, block``: hashes of each key's first, middle and last ``size`` characters.

    Used only to pair candidates inside one call (polars' hash never leaves it).
    """
    key, length = pl.col("key"), pl.col("key").str.len_chars()
    stretches = [key.str.slice(0, size), key.str.slice(((length - size) // 2).clip(lower_bound=0), size),
                 key.str.tail(size)]
    return pl.concat([
        frame.select(pl.col(id_column), block=pl.struct(pl.lit(index), stretch).hash())
        for index, stretch in enumerate(stretches)
    ])


def assign_boilerplate(lines: pl.DataFrame, boilerplate: pl.DataFrame, settings: DedupSettings) -> pl.DataFrame:
    """Which lines are boilerplate: their key is a member of a boilerplate cluster, or (for a
    variant seen in too few documents to be counted) it is a close variant of a member.

    ``lines`` needs ``doc_id, line_no, key, key_hash, key_chars``. Returns ``doc_id, line_no,
    cluster_id, cluster_text, cluster_docs, bp_similarity, first_doc_id, first_line_no``.
    """
    columns = ["cluster_id", "cluster_text", "cluster_docs", "first_doc_id", "first_line_no"]
    exact = lines.join(boilerplate.select("key_hash", *columns, bp_similarity=pl.col("similarity")),
                       on="key_hash").select("doc_id", "line_no", *columns, "bp_similarity")
    # Close variants of member keys, among short lines that matched no member exactly.
    others = lines.filter(
        (pl.col("key_chars") >= settings.min_fuzzy_chars) & (pl.col("key_chars") <= settings.boilerplate_max_chars)
        & ~pl.col("key_hash").is_in(boilerplate["key_hash"].implode())
    ).with_row_index("lid")
    members = boilerplate.filter(pl.col("key").str.len_chars() >= settings.min_fuzzy_chars).with_row_index("mid")
    if others.is_empty() or members.is_empty():
        return exact
    pairs = (
        _stretch_blocks(others, "lid", settings.block_chars)
        .join(_stretch_blocks(members, "mid", settings.block_chars), on="block")
        .select("lid", "mid").unique()
        .join(others.select("lid", "doc_id", "line_no", "key"), on="lid")
        .join(members.select("mid", pl.col("key").alias("member_key"), *columns), on="mid")
    )
    pairs = pairs.with_columns(bp_similarity=pl.Series(_scores(pairs["key"], pairs["member_key"]), dtype=pl.Float64))
    variants = (
        pairs.filter(pl.col("bp_similarity") >= settings.fuzzy_threshold)
        .sort(["lid", "bp_similarity", "cluster_id"], descending=[False, True, False])
        .unique("lid", keep="first", maintain_order=True)
        .select("doc_id", "line_no", *columns, "bp_similarity")
    )
    return pl.concat([exact, variants.cast(exact.schema)])


_NO_BOILERPLATE: schemas.Schema = {
    "doc_id": pl.String, "line_no": pl.Int32, "cluster_id": pl.String, "cluster_text": pl.String,
    "cluster_docs": pl.Int64, "first_doc_id": pl.String, "first_line_no": pl.Int32, "bp_similarity": pl.Float64,
}


def apply_dedup(lines: pl.DataFrame, duplicates: pl.DataFrame | None = None,
                boilerplate: pl.DataFrame | None = None, repeats: pl.DataFrame | None = None) -> pl.DataFrame:
    """Give each line its final status, reason and what it duplicates.

    ``duplicates`` is :func:`in_document_duplicates`' answer, ``boilerplate``
    :func:`assign_boilerplate`'s and ``repeats`` :func:`cleaners.paragraphs.resolve_repeats`'
    (``None`` for all when dedup is off: kept lines then say so; ``None`` for ``repeats`` when
    repeated paragraphs are not looked for). Statuses, their precedence and their reasons come
    from :mod:`cleaners.statuses`.
    """
    checks = statuses.Checks(dedup=duplicates is not None or boilerplate is not None,
                             paragraphs=repeats is not None)
    duplicates = schemas.empty(schemas.DUPLICATES) if duplicates is None else duplicates
    boilerplate = schemas.empty(_NO_BOILERPLATE) if boilerplate is None else boilerplate
    repeats = schemas.empty(schemas.REPEATS) if repeats is None else repeats
    repeats = repeats.select("doc_id", "line_no", rp_doc_id="first_doc_id", rp_source="first_source",
                             rp_row="first_row", rp_line_no="first_line_no", rp_similarity="similarity", rp_docs="family_docs")
    joined = (
        lines.join(duplicates, on=["doc_id", "line_no"], how="left")
        .join(boilerplate, on=["doc_id", "line_no"], how="left")
        .join(repeats, on=["doc_id", "line_no"], how="left")
    )
    found = statuses.Found(boilerplate=pl.col("cluster_id").is_not_null(),
                           duplicate=pl.col("dup_of_line_no").is_not_null(),
                           repeat=pl.col("rp_doc_id").is_not_null())
    status = statuses.status_of(found)
    is_boilerplate, is_duplicate, is_repeat = (status == "boilerplate"), statuses.is_in_document(found), \
        statuses.is_repeat(found)
    is_first_boilerplate = (pl.col("first_doc_id") == pl.col("doc_id")) & (pl.col("first_line_no") == pl.col("line_no"))
    similarity = (pl.when(is_boilerplate).then(pl.col("bp_similarity"))
                  .when(is_duplicate).then(pl.col("similarity"))
                  .when(is_repeat).then(pl.col("rp_similarity")).round(1))
    return joined.with_columns(
        status=status,
        reason=statuses.reason_of(found, similarity, checks),
        duplicate_of_doc_id=pl.when(is_boilerplate & ~is_first_boilerplate).then(pl.col("first_doc_id"))
        .when(is_duplicate).then(pl.col("doc_id")).when(is_repeat).then(pl.col("rp_doc_id")),
        duplicate_of_line_no=pl.when(is_boilerplate & ~is_first_boilerplate).then(pl.col("first_line_no"))
        .when(is_duplicate).then(pl.col("dup_of_line_no")).when(is_repeat).then(pl.col("rp_line_no"))
        .cast(pl.Int32),
        similarity=similarity,
        boilerplate_cluster_id=pl.when(is_boilerplate).then(pl.col("cluster_id")),
        boilerplate_cluster_text=pl.when(is_boilerplate).then(pl.col("cluster_text")),
        boilerplate_cluster_docs=pl.when(is_boilerplate).then(pl.col("cluster_docs")).cast(pl.Int32),
    )


def deduplicate(lines: pl.DataFrame, doc_info: pl.DataFrame, settings: DedupSettings) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Every dedup step in memory, as one partition: for small inputs, tests and notebooks.

    ``lines``: ``doc_id, line_no, text_raw, text, status, reason`` (status ``kept``/``empty``);
    ``doc_info``: ``doc_id, source, row, n_chars``. Returns the lines with their final status
    (see :func:`apply_dedup`) and the document clusters. The pipeline runs the same functions
    partition by partition.
    """
    keyed_all = add_keys(lines)
    from cleaners import paragraphs  # (it builds on this module)

    keyed = keyed_lines(keyed_all)
    duplicates = in_document_duplicates(keyed, settings)
    grams = content_grams(keyed, duplicates, settings)
    shingles = document_shingles(keyed, duplicates, settings, grams=grams)
    pairs = candidate_pairs(minhash_bands(shingles, settings))
    clusters, _ = verify_partition(pairs, shingles, doc_info, settings.doc_jaccard_threshold)
    stats = key_statistics(boilerplate_occurrences(keyed_all, doc_info, settings), clusters)
    boilerplate = assign_boilerplate(keyed_all, boilerplate_clusters(stats, settings), settings)
    repeats = None
    if settings.repeated_paragraphs:
        candidates = paragraphs.candidate_repeats(paragraphs.paragraph_anchors(grams, doc_info, settings), clusters,
                                                   settings.fuzzy_threshold)
        keys = keyed.select("doc_id", "line_no", "text", "key")
        repeats = paragraphs.resolve_repeats(paragraphs.verify_repeats(candidates, keys, settings))
    return apply_dedup(keyed_all, duplicates, boilerplate, repeats), clusters
