"""Near-duplicate documents: candidate pairs → verified edges → clusters → scores, each bounded.

LSH band buckets (``cleaners/dedup.py``) give candidate pairs, a star per bucket around its
smallest document. Verifying every candidate pair of a story in 48 copies costs 8 bands × 47
pairs, all pairs of the cluster 1,128; with every shingle set in memory at once that was the
memory wall (13 GB at 284 MB of input). Here every step is linear in cluster size and every
reduce holds one partition, whatever the size of a cluster or of a chain of candidates:

1. :func:`star_routes`: each candidate pair goes to the partition of its star's centre, and
   each document's shingles to every partition that has one of its pairs (a copy usually has
   one centre, so it is routed about once).
2. :func:`verify_pairs` (one partition): pairs are visited in a fixed order with a union-find;
   a pair already joined is skipped, any other is verified by the *exact* Jaccard similarity of
   the two shingle sets. A cluster of n copies costs about n - 1 verifications.
3. :func:`join_clusters` (global, small: two ids per verified edge): connected components of the
   verified edges, vectorised (:func:`connected_labels`), and each cluster's canonical document:
   the one with the most text, then the first by source path and row.
4. :func:`score_members` (one partition of clusters): each member's exact Jaccard to its
   canonical, one comparison per member.

Skipping a pair already joined never changes the result: clusters are the connected components
of the verified edges, and an edge inside a component cannot change the components. So the
clusters are exactly those of verifying every candidate pair (a test checks this against brute
force), whatever the order, partition count or worker count.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl

from cleaners import schemas
from cleaners.keys import stable_hash64


def connected_labels(left: np.ndarray, right: np.ndarray, n_nodes: int) -> np.ndarray:
    """For each node ``0..n_nodes-1``, the smallest node of its connected component.

    ``left[i] -- right[i]`` are the edges. Each round hooks every edge's larger root under its
    smaller one, then jumps pointers until every node points at a root; rounds stop when no
    label changes (then every edge has equal labels at both ends).
    """
    labels = np.arange(n_nodes, dtype=np.int64)
    while True:
        at_left, at_right = labels[left], labels[right]
        low = np.minimum(at_left, at_right)
        hooked = labels.copy()
        np.minimum.at(hooked, at_left, low)
        np.minimum.at(hooked, at_right, low)
        while True:
            jumped = hooked[hooked]
            if np.array_equal(jumped, hooked):
                break
            hooked = jumped
        if np.array_equal(hooked, labels):
            return labels
        labels = hooked


def _stable_partition(doc_ids: pl.Expr, partitions: int) -> pl.Expr:
    """A partition number from a stable hash of the id (xxh3 of its UTF-8 bytes)."""
    return (doc_ids.map_batches(stable_hash64, return_dtype=pl.Int64) % partitions + partitions) % partitions


def star_routes(pairs: pl.DataFrame, partitions: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Candidate pairs with the ``partition`` of their star's centre (``doc_a``), and the routes
    ``doc_id, partition`` that every document's shingles must take (one per partition that has
    one of its pairs)."""
    routed = pairs.unique().with_columns(partition=_stable_partition(pl.col("doc_a"), partitions).cast(pl.Int32))
    routes = pl.concat([routed.select(doc_id="doc_a", partition="partition"),
                        routed.select(doc_id="doc_b", partition="partition")]).unique()
    return routed, routes


def connected_documents(pairs: pl.DataFrame) -> pl.DataFrame:
    """``doc_id, component`` for every document in a pair (``doc_a, doc_b``).

    ``component`` is the index (in sorted ``doc_id`` order) of the component's smallest
    document, so it depends only on the set of pairs.
    """
    if pairs.is_empty():
        return schemas.empty(schemas.COMPONENTS)
    nodes = pl.concat([pairs["doc_a"], pairs["doc_b"]]).unique().sort()
    number = pl.DataFrame({"doc_id": nodes, "n": np.arange(nodes.len(), dtype=np.int64)})
    edges = (pairs.join(number.rename({"doc_id": "doc_a", "n": "a"}), on="doc_a")
             .join(number.rename({"doc_id": "doc_b", "n": "b"}), on="doc_b"))
    labels = connected_labels(edges["a"].to_numpy(), edges["b"].to_numpy(), nodes.len())
    return number.select("doc_id", component=pl.Series(labels))


def jaccard_of(left: np.ndarray, right: np.ndarray) -> float:
    """Exact Jaccard similarity of two arrays of distinct values."""
    if left.size == 0 and right.size == 0:
        return 0.0
    shared = np.intersect1d(left, right, assume_unique=True).size
    return shared / (left.size + right.size - shared)


def _shingle_sets(shingles: pl.DataFrame) -> dict[str, np.ndarray]:
    """``doc_id → shingles`` as numpy arrays (one list column, converted without Python loops
    over the shingles themselves)."""
    column = shingles.get_column("shingles")
    lengths = column.list.len().fill_null(0).to_numpy()
    flat = column.filter(column.list.len() > 0).explode().to_numpy()  # (an empty list explodes to null)
    arrays = np.split(flat, np.cumsum(lengths)[:-1]) if len(lengths) else []
    return dict(zip(shingles.get_column("doc_id").to_list(), arrays))


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, node: str) -> str:
        parent = self.parent
        parent.setdefault(node, node)
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    def union(self, left: str, right: str) -> None:
        root_left, root_right = self.find(left), self.find(right)
        if root_left != root_right:
            self.parent[max(root_left, root_right)] = min(root_left, root_right)


def verify_pairs(pairs: pl.DataFrame, shingles: pl.DataFrame, threshold: float) -> tuple[pl.DataFrame, dict[str, int]]:
    """The verified edges (``doc_a, doc_b``) among ``pairs``, and what verifying cost.

    ``shingles``: ``doc_id, shingles`` of every document in the pairs. A pair whose documents are
    already joined by verified edges is skipped; any other is checked by exact Jaccard.
    """
    sets = _shingle_sets(shingles)
    del shingles  # the arrays are copies: hold the partition's shingles once (callers keep no other reference)
    found = _UnionFind()
    edges: list[tuple[str, str]] = []
    checked = skipped = 0
    for doc_a, doc_b in pairs.select("doc_a", "doc_b").unique().sort("doc_a", "doc_b").iter_rows():
        if found.find(doc_a) == found.find(doc_b):
            skipped += 1
            continue
        checked += 1
        if jaccard_of(sets[doc_a], sets[doc_b]) >= threshold:
            found.union(doc_a, doc_b)
            edges.append((doc_a, doc_b))
    frame = pl.DataFrame(edges, schema=dict(schemas.PAIRS), orient="row")
    return frame, {"candidate_pairs": checked + skipped, "pairs_verified": checked,
                   "pairs_skipped_already_joined": skipped, "verified_edges": len(edges)}


def join_clusters(edges: pl.DataFrame, doc_info: pl.DataFrame, partitions: int) -> pl.DataFrame:
    """Clusters of the verified ``edges`` with their canonical: ``schemas.MEMBERS``.

    ``doc_info``: ``doc_id, source, row, n_chars`` of (at least) every document in an edge.
    """
    components = connected_documents(edges)
    if components.is_empty():
        return schemas.empty(schemas.MEMBERS)
    members = (components.select("doc_id", "component")
               .join(doc_info.select("doc_id", "source", "row", "n_chars"), on="doc_id", how="left"))
    canonical = (
        members.sort(["component", "n_chars", "source", "row", "doc_id"],
                     descending=[False, True, False, False, False], nulls_last=True)
        .group_by("component", maintain_order=True).first()
        .select("component", dup_cluster_id=pl.col("doc_id"))
    )
    members = members.join(canonical, on="component").with_columns(
        is_canonical=pl.col("doc_id") == pl.col("dup_cluster_id"),
        dup_cluster_size=pl.len().over("component").cast(pl.Int32),
        partition=_stable_partition(pl.col("dup_cluster_id"), partitions).cast(pl.Int32),
    )
    return schemas.conform(members.sort("doc_id"), schemas.MEMBERS)


def score_members(members: pl.DataFrame, shingles: pl.DataFrame) -> pl.DataFrame:
    """``schemas.CLUSTERS`` for ``members`` (:func:`join_clusters`), with each member's exact
    Jaccard similarity to its canonical. ``shingles`` covers the members."""
    sets = _shingle_sets(shingles)
    similarity = [1.0 if doc_id == center else jaccard_of(sets[doc_id], sets[center])
                  for doc_id, center in zip(members["doc_id"].to_list(), members["dup_cluster_id"].to_list())]
    return schemas.conform(members.with_columns(jaccard_to_canonical=pl.Series(similarity, dtype=pl.Float64)),
                           schemas.CLUSTERS)


def verify_partition(pairs: pl.DataFrame, shingles: pl.DataFrame, doc_info: pl.DataFrame,
                     threshold: float) -> tuple[pl.DataFrame, dict[str, Any]]:
    """Every step in memory, as one partition (for small inputs, tests and notebooks): the
    clusters (``schemas.CLUSTERS``) of ``pairs`` and what verifying cost."""
    edges, cost = verify_pairs(pairs, shingles, threshold)
    members = join_clusters(edges, doc_info, 1)
    return score_members(members, shingles), cost
