"""The staging folder of one run: every path a stage reads or writes, named in one place.

A run is staged whole under ``OUTPUT/_staging/<key>/`` (the key names the input contents and the
settings, so a re-run after a crash finds the shards it had finished). Stages never build paths
themselves; they ask a :class:`Staging` for them, so the layout can change in one place::

    stage/<table>/<part>.parquet        per shard and batch: files, documents, lines, doc_info,
                                        rejects, duplicates, shingles
    done/shard-<n>.json                 a finished prepare, with the parts it wrote
    map/bands/p=<p>/<part>              MinHash band buckets, partitioned by bucket
    map/occurrences/p=<p>/<part>        short-line occurrences, partitioned by key hash
    map/shingles/p=<p>/<part>           shingles of candidate documents, by their stars' partitions
    map/cluster_shingles/p=<p>/<part>   shingles of clustered documents, by their cluster's partition
    map/anchors/p=<p>/<part>            content lines' anchors (cleaners/paragraphs.py), by anchor
    map/paragraph_keys/p=<p>/<part>     keys of lines in near repeat pairs, by their pairs' partition
    map/verified/p=<p>/<part>           verified repeated paragraphs, by their copy's document
    map/first_refs/p=<p>/<part>         the firsts copies point at, by the first's document
    map/family_members/p=<p>/<part>     (root first, copy's document), by the root's document
    reduce/pairs/p=<p>.parquet          candidate near-duplicate pairs of a band partition
    reduce/routed_pairs/p=<p>.parquet   candidate pairs, by the partition of their star's centre
    reduce/routes.parquet               document → every partition its shingles go to
    reduce/edges/p=<p>.parquet          verified near-duplicate pairs of a partition
    reduce/members.parquet              clustered documents: cluster, canonical, partition
    reduce/clusters/p=<p>.parquet       clustered documents with their Jaccard to the canonical
    reduce/key_stats/p=<p>.parquet      per-key document counts of a key partition
    reduce/boilerplate.parquet          boilerplate clusters
    reduce/repeat_pairs/p=<p>.parquet   candidate repeated paragraphs of an anchor partition
    reduce/best_firsts/p=<p>.parquet    each copy's earliest verified first, by the copy's document
    reduce/links/p=<p>.parquet          copies that are also firsts (the links of chains)
    reduce/chain_roots.parquet          each link's root: the first its chain ends at
    reduce/resolved/p=<p>.parquet       each copy and its root first
    reduce/family_sizes/p=<p>.parquet   documents per root first, by the root's document
    final/<table>/<part>.parquet        the run's final tables, swapped in by the commit
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cleaners import storage
from cleaners.output import STAGING_DIR

STAGED_TABLES = ("files", "documents", "lines", "doc_info", "rejects", "duplicates", "shingles")
MAPPED_TABLES = ("bands", "occurrences", "shingles", "cluster_shingles", "anchors", "paragraph_keys", "verified",
                 "first_refs", "family_members")

REDUCED_TABLES = ("best_firsts", "links", "resolved", "family_sizes")


@dataclass(frozen=True)
class Staging:
    """Named paths under one run's staging folder (picklable: it crosses to worker processes)."""

    root: Any  # a local Path or a UPath on an object store (cleaners/storage.py)
    output_dir: Any

    @classmethod
    def under(cls, output_dir: Any, key: str) -> Staging:
        output_dir = storage.location(output_dir)
        return cls(root=output_dir / STAGING_DIR / key, output_dir=output_dir)

    # --- prepare
    def stage(self, table: str, part: str | None = None) -> Any:
        """``stage/<table>/`` or one part file in it."""
        assert table in STAGED_TABLES, table
        folder = self.root / "stage" / table
        return folder / part if part else folder

    def done(self, shard: int) -> Any:
        return self.root / "done" / f"shard-{shard:05d}.json"

    def mapped(self, table: str, partition: int | None = None) -> Any:
        """``map/<table>/`` or one partition folder in it."""
        assert table in MAPPED_TABLES, table
        folder = self.root / "map" / table
        return folder / f"p={partition}" if partition is not None else folder

    # --- reduce
    def pairs(self, partition: int) -> Any:
        return self.root / "reduce" / "pairs" / f"p={partition}.parquet"

    @property
    def pairs_dir(self) -> Any:
        return self.root / "reduce" / "pairs"

    def routed_pairs(self, partition: int) -> Any:
        return self.root / "reduce" / "routed_pairs" / f"p={partition}.parquet"

    @property
    def routes(self) -> Any:
        return self.root / "reduce" / "routes.parquet"

    def edges(self, partition: int) -> Any:
        return self.root / "reduce" / "edges" / f"p={partition}.parquet"

    @property
    def edges_dir(self) -> Any:
        return self.root / "reduce" / "edges"

    @property
    def members(self) -> Any:
        return self.root / "reduce" / "members.parquet"

    def clusters(self, partition: int) -> Any:
        return self.root / "reduce" / "clusters" / f"p={partition}.parquet"

    @property
    def clusters_dir(self) -> Any:
        return self.root / "reduce" / "clusters"

    def key_stats(self, partition: int) -> Any:
        return self.root / "reduce" / "key_stats" / f"p={partition}.parquet"

    @property
    def key_stats_dir(self) -> Any:
        return self.root / "reduce" / "key_stats"

    @property
    def boilerplate(self) -> Any:
        return self.root / "reduce" / "boilerplate.parquet"

    def repeat_pairs(self, partition: int | None = None) -> Any:
        folder = self.root / "reduce" / "repeat_pairs"
        return folder / f"p={partition}.parquet" if partition is not None else folder

    def reduced(self, table: str, partition: int | None = None) -> Any:
        """``reduce/<table>/`` or one partition's file in it, for the partitioned resolve of
        repeated paragraphs."""
        assert table in REDUCED_TABLES, table
        folder = self.root / "reduce" / table
        return folder / f"p={partition}.parquet" if partition is not None else folder

    @property
    def chain_roots(self) -> Any:
        return self.root / "reduce" / "chain_roots.parquet"

    # --- apply and commit
    @property
    def final_dir(self) -> Any:
        return self.root / "final"

    def final(self, table: str, part: str) -> Any:
        return self.root / "final" / table / part


def part_name(shard: int, batch: int) -> str:
    """File name of one shard's batch: the same in every staged table."""
    return f"part-{shard:05d}-{batch:04d}.parquet"
