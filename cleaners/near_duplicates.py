"""Near-duplicate documents: candidate pairs → candidate components → verified clusters.

LSH band buckets (``cleaners/dedup.py``) give candidate pairs, a star per bucket. Verifying every
candidate pair of a syndicated story in 48 copies costs 8 bands × 47 pairs, and verifying all
pairs of a cluster 1,128; with exact Jaccard over the shingle sets held in memory at once, that
was the memory wall (13 GB at 284 MB of input). Here the work is split so that both time and
memory are linear in cluster size and bounded by a partition:

1. :func:`candidate_components` (global, small: two ids per pair): connected components of the
   candidate graph, vectorised (label propagation with pointer jumping). Every component is
   given a partition, and the shingles of its documents are routed there.
2. :func:`verify_partition` (one partition's components and shingles): candidate pairs are
   visited in a fixed order with a union-find; a pair whose documents are already joined is
   skipped, any other pair is verified by the *exact* Jaccard similarity of its two shingle
   sets. A cluster of n copies costs about n - 1 verifications, not n² / 2.

Skipping a pair already joined never changes the result: clusters are the connected components
of the verified edges, and an edge inside a component cannot change the components. So the
clusters are exactly those of verifying every candidate pair (a test checks this against brute
force), whatever the order, partition count or worker count.

The canonical document of a cluster is the one with the most text, then the first by source
path and row; ``jaccard_to_canonical`` is exact, one comparison per member.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl

from cleaners import schemas


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


def candidate_components(pairs: pl.DataFrame, partitions: int) -> pl.DataFrame:
    """``doc_id, component, partition`` for every document in a candidate pair.

    ``component`` is the index (in sorted ``doc_id`` order) of the component's smallest document,
    so it depends only on the set of candidate pairs; ``partition`` spreads components evenly.
    """
    if pairs.is_empty():
        return schemas.empty(schemas.COMPONENTS)
    nodes = pl.concat([pairs["doc_a"], pairs["doc_b"]]).unique().sort()
    number = pl.DataFrame({"doc_id": nodes, "n": np.arange(nodes.len(), dtype=np.int64)})
    edges = (pairs.join(number.rename({"doc_id": "doc_a", "n": "a"}), on="doc_a")
             .join(number.rename({"doc_id": "doc_b", "n": "b"}), on="doc_b"))
    labels = connected_labels(edges["a"].to_numpy(), edges["b"].to_numpy(), nodes.len())
    return number.select(
        "doc_id", component=pl.Series(labels),
        partition=pl.Series((labels * 2_654_435_761) % partitions).cast(pl.Int32),
    )


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


def verify_partition(pairs: pl.DataFrame, shingles: pl.DataFrame, doc_info: pl.DataFrame,
                     threshold: float) -> tuple[pl.DataFrame, dict[str, Any]]:
    """Clusters (``schemas.CLUSTERS``) of one partition's candidate pairs, and what it cost.

    ``pairs``: ``doc_a, doc_b``; ``shingles``: ``doc_id, shingles`` of every document in them;
    ``doc_info``: ``doc_id, source, row, n_chars``.
    """
    sets = _shingle_sets(shingles)
    found = _UnionFind()
    checked = skipped = joined = 0
    for doc_a, doc_b in pairs.unique().sort("doc_a", "doc_b").iter_rows():
        if found.find(doc_a) == found.find(doc_b):
            skipped += 1
            continue
        checked += 1
        if jaccard_of(sets[doc_a], sets[doc_b]) >= threshold:
            found.union(doc_a, doc_b)
            joined += 1
    clusters = _clusters(found, sets, doc_info)
    return clusters, {"candidate_pairs": checked + skipped, "pairs_verified": checked,
                      "pairs_skipped_already_joined": skipped, "verified_edges": joined}


def _clusters(found: _UnionFind, sets: dict[str, np.ndarray], doc_info: pl.DataFrame) -> pl.DataFrame:
    roots = {node: found.find(node) for node in found.parent}
    members = (
        pl.DataFrame({"doc_id": list(roots), "root": list(roots.values())}, schema={"doc_id": pl.String,
                                                                                    "root": pl.String})
        .with_columns(size=pl.len().over("root"))
        .filter(pl.col("size") >= 2)
        .join(doc_info.select("doc_id", "source", "row", "n_chars"), on="doc_id", how="left")
    )
    if members.is_empty():
        return schemas.empty(schemas.CLUSTERS)
    canonical = (
        members.sort(["root", "n_chars", "source", "row", "doc_id"], descending=[False, True, False, False, False])
        .group_by("root", maintain_order=True).first()
        .select("root", canonical=pl.col("doc_id"))
    )
    members = members.join(canonical, on="root")
    similarity = [1.0 if doc_id == center else jaccard_of(sets[doc_id], sets[center])
                  for doc_id, center in zip(members["doc_id"].to_list(), members["canonical"].to_list())]
    clusters = members.select(
        "doc_id", dup_cluster_id=pl.col("canonical"), is_canonical=pl.col("doc_id") == pl.col("canonical"),
        jaccard_to_canonical=pl.Series(similarity, dtype=pl.Float64), dup_cluster_size=pl.col("size"),
    )
    return schemas.conform(clusters.sort("doc_id"), schemas.CLUSTERS)
