"""Repeated paragraphs across the corpus: content lines that recur in unrelated documents.

A disclaimer, a credit paragraph or an author bio appended to many unrelated articles is longer
than boilerplate (``boilerplate_max_chars``) and is not a syndicated copy of anything, so neither
the boilerplate rule nor the near-duplicate documents catch it. This step does, as datatrove's
sentence dedup and dolma's paragraph dedup do, but *identifies* only: every later copy becomes a
``duplicate`` of the first occurrence in ``lines`` (``cleaners/statuses.py`` words the reason).

Map → partition → reduce, with no all-pairs comparison:

1. **Anchors** (map, per batch: :func:`paragraph_anchors`). Each content line (longer than
   ``boilerplate_max_chars``, not an in-document repeat) is anchored by its key's hash and by
   its ``paragraph_anchors`` smallest word n-gram hashes (a bottom-k sketch of its key: two
   copies with a word or two changed still share some), each with its numbers' hash. Anchors
   are partitioned by their value.
2. **Candidates** (reduce, per partition: :func:`candidate_repeats`). Lines sharing an anchor and
   their numbers (numbers are content: copies differ in words at most) form a group; the first
   occurrence is the smallest ``(source, row, line_no)``, so it does not depend on shards,
   partitions or file order. Every member from a document cluster other than the first's is
   paired with it (a star: linear in the group) when their lengths allow a ratio of
   ``fuzzy_threshold`` and they share their first or last ``EDGE_CHARS`` key characters (a
   shared quoted sentence alone is not enough). Members of the first's own near-duplicate
   cluster are left to the document clusters.
3. **Verify** (:func:`verify_repeats`): rapidfuzz between the keys (``fuzzy_threshold``), and
   no number, name or date may differ; equal keys need no text.
4. **Resolve** (:func:`resolve_repeats`): each line points at the earliest first it was verified
   against (:func:`best_firsts`, per partition of copies), followed through to the first that
   is not itself a copy. Only *links* (copies that are also firsts: :func:`chain_links`, per
   partition) are followed in one place (:func:`resolve_chains`); every copy then takes its
   first's root (:func:`follow_chains`) and its family's size (:func:`family_sizes`, per
   partition of firsts). No step holds every copy at once.
"""

from __future__ import annotations

import polars as pl
from rapidfuzz import fuzz, process

from cleaners import schemas
from cleaners.dedup import ContentGrams
from cleaners.keys import facts_differ
from cleaners.settings import DedupSettings

_ORDER = ("source", "row", "line_no", "doc_id")
#: A near copy (a word or two changed) keeps its key's first or its last this many characters.
EDGE_CHARS = 12


def paragraph_anchors(grams: ContentGrams, doc_info: pl.DataFrame, settings: DedupSettings) -> pl.DataFrame:
    """Map: ``ANCHORS`` rows for each content line: its key's hash (exact copies always meet,
    however common their words) and its ``paragraph_anchors`` smallest n-gram hashes (near copies)."""
    sketch = (  # (a key repeating an n-gram may give fewer distinct anchors: harmless)
        grams.grams.group_by("kid").agg(pl.col("shingle").bottom_k(settings.paragraph_anchors))
        .explode("shingle")
        .rename({"shingle": "anchor"})
    )
    lines = grams.content.select(
        "kid", "doc_id", "line_no", "key_hash", "numbers_hash", key_chars=pl.col("key").str.len_chars().cast(pl.Int32),
        head=pl.col("key").str.head(EDGE_CHARS), tail=pl.col("key").str.tail(EDGE_CHARS))
    anchored = pl.concat([lines.join(sketch, on="kid"), lines.with_columns(anchor=pl.col("key_hash"))])
    return schemas.conform(anchored.join(doc_info.select("doc_id", "source", "row"), on="doc_id"), schemas.ANCHORS)


def candidate_repeats(anchors: pl.DataFrame, clusters: pl.DataFrame, threshold: float) -> pl.DataFrame:
    """Reduce one anchor partition: ``REPEAT_PAIRS``, each member of a group paired with the group's
    first occurrence when they lie in different document clusters (``clusters``: ``doc_id,
    dup_cluster_id`` of clustered documents; any other document is its own cluster), their
    lengths allow a rapidfuzz ratio of ``threshold`` and, unless their keys are equal, they
    share their first or last ``EDGE_CHARS`` key characters."""
    if anchors.is_empty():
        return schemas.empty(schemas.REPEAT_PAIRS)
    group = ["anchor", "numbers_hash"]
    members = (
        anchors.filter(pl.len().over(group) > 1)  # most anchors are one line's alone
        .unique(["anchor", "numbers_hash", "doc_id", "line_no"])  # (a key repeating an n-gram)
        .join(clusters.select("doc_id", "dup_cluster_id"), on="doc_id", how="left")
        .with_columns(cluster=pl.coalesce("dup_cluster_id", "doc_id"))
        .with_columns(family_docs=pl.col("cluster").n_unique().over(group))
        .filter(pl.col("family_docs") >= 2)
    )
    first = (
        members.sort(*group, *_ORDER).group_by(group, maintain_order=True).first()
        .select(*group, first_doc_id="doc_id", first_source="source", first_row="row", first_line_no="line_no",
                first_key_hash="key_hash", first_chars="key_chars", first_head="head", first_tail="tail",
                first_cluster="cluster")
    )
    # rapidfuzz's ratio is 2·matches / (length sum) <= 2·shorter / (length sum): two keys whose
    # lengths differ more than that allows cannot pass the threshold, so they are not candidates.
    shorter = pl.min_horizontal("key_chars", "first_chars")
    # And a near copy keeps its first or its last EDGE_CHARS key characters: sharing an n-gram
    # with another line (a quoted sentence) is not enough.
    could_match = (pl.col("key_hash") == pl.col("first_key_hash")) | (
        (200 * shorter >= threshold * (pl.col("key_chars") + pl.col("first_chars")))
        & ((pl.col("head") == pl.col("first_head")) | (pl.col("tail") == pl.col("first_tail"))))
    return schemas.conform(
        members.join(first, on=group).filter((pl.col("cluster") != pl.col("first_cluster")) & could_match)
        .unique(["doc_id", "line_no", "first_doc_id", "first_line_no"], keep="first")
        .sort("doc_id", "line_no", "first_doc_id", "first_line_no"),
        schemas.REPEAT_PAIRS,
    )


def verify_repeats(pairs: pl.DataFrame, keys: pl.DataFrame, settings: DedupSettings) -> pl.DataFrame:
    """``pairs`` with their ``similarity`` (0-100), keeping those at least ``fuzzy_threshold``.

    ``keys``: ``doc_id, line_no, text, key`` of every line of a pair whose keys differ. A pair
    whose texts differ in a number, a name or a date is not a repeat
    (:func:`cleaners.keys.facts_differ`).
    """
    exact = pairs.filter(pl.col("key_hash") == pl.col("first_key_hash")).with_columns(similarity=pl.lit(100.0))
    near = (
        pairs.filter(pl.col("key_hash") != pl.col("first_key_hash"))
        .join(keys, on=["doc_id", "line_no"])
        .join(keys.rename({"doc_id": "first_doc_id", "line_no": "first_line_no", "key": "first_key",
                           "text": "first_text"}),
              on=["first_doc_id", "first_line_no"])
    )
    scores: list[float] = (process.cpdist(near["key"].to_list(), near["first_key"].to_list(), scorer=fuzz.ratio,
                                          workers=-1).tolist() if near.height else [])
    near = near.with_columns(similarity=pl.Series(scores, dtype=pl.Float64)).filter(
        pl.col("similarity") >= settings.fuzzy_threshold)
    near = near.filter(pl.Series([not facts_differ(left, right) for left, right in
                                  zip(near["text"], near["first_text"], strict=True)], dtype=pl.Boolean))
    return pl.concat([schemas.conform(exact, schemas.VERIFIED_REPEATS), schemas.conform(near, schemas.VERIFIED_REPEATS)])


_COPY = ["doc_id", "line_no"]
_FIRST = ["first_doc_id", "first_line_no"]
_FIRST_COLUMNS = ["first_doc_id", "first_source", "first_row", "first_line_no"]


def best_firsts(verified: pl.DataFrame) -> pl.DataFrame:
    """Per copy (``doc_id, line_no``), the verified row with the earliest first (then the most
    similar). Every verified row of a copy must be in ``verified``; nothing else need be."""
    return (
        verified.sort(*_COPY, "first_source", "first_row", "first_line_no", "similarity",
                      descending=[False, False, False, False, False, True])
        .group_by(*_COPY, maintain_order=True).first()
        .select(*_COPY, *_FIRST_COLUMNS, "similarity")
    )


def chain_links(best: pl.DataFrame, firsts: pl.DataFrame) -> pl.DataFrame:
    """The rows of ``best`` whose copy is itself the first of some copy (``firsts``: the
    ``first_doc_id, first_line_no`` that copies point at): the only links a chain can have."""
    return best.join(firsts.select(doc_id="first_doc_id", line_no="first_line_no").unique(), on=_COPY, how="semi")


def _hop(frame: pl.DataFrame, links: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with each first that is a link replaced by that link's own first (a left join:
    the frame keeps its rows and order)."""
    step = links.select(first_doc_id="doc_id", first_line_no="line_no", next_doc_id="first_doc_id",
                        next_source="first_source", next_row="first_row", next_line_no="first_line_no")
    joined = frame.join(step, on=_FIRST, how="left", maintain_order="left")
    return joined.with_columns(
        first_doc_id=pl.coalesce("next_doc_id", "first_doc_id"), first_source=pl.coalesce("next_source", "first_source"),
        first_row=pl.coalesce("next_row", "first_row"), first_line_no=pl.coalesce("next_line_no", "first_line_no"),
    ).drop("next_doc_id", "next_source", "next_row", "next_line_no")


def resolve_chains(links: pl.DataFrame, max_hops: int = 64) -> pl.DataFrame:
    """``doc_id, line_no, first_*``: each link's root, the first its chain ends at (a first
    that is not itself a copy). Only links are read: a corpus has far fewer than copies."""
    roots = links.select(*_COPY, *_FIRST_COLUMNS)
    for _ in range(max_hops):  # pointer doubling: each pass halves what is left of every chain
        if roots.join(roots, left_on=_FIRST, right_on=_COPY, how="semi").is_empty():
            break
        roots = _hop(roots, roots)
    return roots


def follow_chains(best: pl.DataFrame, roots: pl.DataFrame) -> pl.DataFrame:
    """``best`` with every first that is a link replaced by its root (:func:`resolve_chains`)."""
    return _hop(best, roots)


def family_sizes(copies: pl.DataFrame) -> pl.DataFrame:
    """``first_doc_id, first_line_no, family_docs`` from resolved copies (``doc_id`` and their
    first): the documents holding the paragraph, the first's and every copy's."""
    return copies.group_by(*_FIRST).agg(family_docs=pl.col("doc_id").n_unique().cast(pl.Int64) + 1)


def resolve_repeats(verified: pl.DataFrame, max_hops: int = 64) -> pl.DataFrame:
    """``REPEATS``: per copy, the first occurrence it repeats (in one process; the run does the
    same steps partitioned, ``cleaners/stages.py``).

    A line verified against several firsts takes the earliest (then the most similar); a first
    that is itself a copy is followed to its own first, so every copy names the family's first
    occurrence. ``similarity`` stays the verified one; ``family_docs`` counts the documents
    holding the paragraph (the first's and every copy's).
    """
    best = best_firsts(verified)
    roots = resolve_chains(chain_links(best, best.select(_FIRST)), max_hops)
    resolved = follow_chains(best, roots)
    return schemas.conform(resolved.join(family_sizes(resolved), on=_FIRST, how="left").sort(*_COPY), schemas.REPEATS)
