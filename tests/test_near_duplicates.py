"""Near-duplicate documents: components, linear verification, and the same answer as brute force."""

from __future__ import annotations

import random
from itertools import combinations

import numpy as np
import polars as pl
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from cleaners.dedup import (
    add_keys,
    candidate_pairs,
    document_shingles,
    in_document_duplicates,
    keyed_lines,
    minhash_bands,
)
from cleaners.near_duplicates import connected_documents, connected_labels, jaccard_of, verify_partition
from cleaners.settings import DedupSettings
from tests.conftest import FAKENEWSNET_DATA

SETTINGS = DedupSettings()


def _union_find_labels(edges: list[tuple[int, int]], n: int) -> list[int]:
    parent = list(range(n))

    def find(x: int) -> int:
        while parent[x] != x:
            x = parent[x]
        return x

    for a, b in edges:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return [find(x) for x in range(n)]


@hypothesis_settings(max_examples=200, deadline=None)
@given(st.integers(1, 40).flatmap(lambda n: st.tuples(
    st.just(n), st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=80))))
def test_connected_labels_match_a_union_find(case):
    n, edges = case
    left = np.array([a for a, _ in edges], dtype=np.int64)
    right = np.array([b for _, b in edges], dtype=np.int64)
    assert connected_labels(left, right, n).tolist() == _union_find_labels(edges, n)


def _real_paragraphs() -> list[list[str]]:
    """Bodies (as lists of long paragraphs) of real articles from ../shared."""
    import json

    bodies = []
    for path in sorted(FAKENEWSNET_DATA.glob("*/*/*-Webpage.json")):
        text = json.loads(path.read_text(encoding="utf-8")).get("text") or ""
        paragraphs = [" ".join(p.split()) for p in text.split("\n") if len(p.strip()) > 120]
        if len(paragraphs) >= 6:
            bodies.append(paragraphs)
    return bodies


def _perturbed(paragraphs: list[str], rng: random.Random) -> list[str]:
    paragraphs = list(paragraphs)
    index = rng.randrange(len(paragraphs))
    words = paragraphs[index].split()
    at = rng.randrange(len(words) - 1)
    words[at], words[at + 1] = words[at + 1], words[at]
    paragraphs[index] = " ".join(words)
    if rng.random() < 0.3:
        del paragraphs[rng.randrange(len(paragraphs))]
    return paragraphs


def _corpus(copies: int, others: int, seed: int = 3) -> tuple[pl.DataFrame, pl.DataFrame, set[str]]:
    """Lines and doc_info: one real article in ``copies`` perturbed copies, plus ``others``
    unrelated real articles; returns the copies' doc ids too."""
    rng = random.Random(seed)
    bodies = _real_paragraphs()
    story, unrelated = bodies[0], bodies[1:1 + others]
    documents = {f"copy-{number:04d}": _perturbed(story, rng) for number in range(copies)}
    documents |= {f"other-{number:04d}": body for number, body in enumerate(unrelated)}
    rows = [{"doc_id": doc_id, "line_no": number, "text": text}
            for doc_id, texts in documents.items() for number, text in enumerate(texts, start=1)]
    lines = pl.DataFrame(rows, schema={"doc_id": pl.String, "line_no": pl.Int32, "text": pl.String})
    doc_info = pl.DataFrame({"doc_id": list(documents), "source": [f"{d}.txt" for d in documents],
                             "row": [1] * len(documents), "n_chars": [sum(map(len, t)) for t in documents.values()]})
    return lines, doc_info, {doc_id for doc_id in documents if doc_id.startswith("copy-")}


def _shingles(lines: pl.DataFrame) -> pl.DataFrame:
    keyed = keyed_lines(add_keys(lines))
    return document_shingles(keyed, in_document_duplicates(keyed, SETTINGS), SETTINGS)


def test_a_cluster_of_hundreds_of_copies_costs_a_verification_per_copy():
    lines, doc_info, copies = _corpus(copies=400, others=30)
    shingles = _shingles(lines)
    pairs = candidate_pairs(minhash_bands(shingles, SETTINGS))
    clusters, cost = verify_partition(pairs, shingles, doc_info, SETTINGS.doc_jaccard_threshold)
    of_copy = clusters.filter(pl.col("doc_id") == "copy-0000")["dup_cluster_id"].item()
    story = set(clusters.filter(pl.col("dup_cluster_id") == of_copy)["doc_id"])
    assert story == copies  # every copy, nothing else (../shared has exact duplicates of its own)
    # Linear: all pairs would be 79,800; each copy is verified about once.
    assert cost["pairs_verified"] <= 2 * len(copies)
    assert cost["pairs_skipped_already_joined"] > 0
    assert clusters.filter(pl.col("doc_id").is_in(list(copies)))["is_canonical"].sum() == 1


def test_skipping_joined_pairs_gives_the_clusters_of_verifying_every_pair():
    lines, doc_info, _ = _corpus(copies=60, others=20, seed=5)
    shingles = _shingles(lines)
    pairs = candidate_pairs(minhash_bands(shingles, SETTINGS))
    clusters, _ = verify_partition(pairs, shingles, doc_info, SETTINGS.doc_jaccard_threshold)
    sets = {d: np.asarray(s) for d, s in shingles.iter_rows()}
    ids = sorted(sets)
    number = {doc_id: n for n, doc_id in enumerate(ids)}
    verified = [(number[a], number[b]) for a, b in combinations(ids, 2)
                if jaccard_of(sets[a], sets[b]) >= SETTINGS.doc_jaccard_threshold]
    labels = _union_find_labels(verified, len(ids))
    brute = {}
    for doc_id in ids:
        brute.setdefault(labels[number[doc_id]], set()).add(doc_id)
    expected = sorted(sorted(group) for group in brute.values() if len(group) > 1)
    found = sorted(sorted(group) for group in clusters.group_by("dup_cluster_id").agg("doc_id")["doc_id"].to_list())
    assert found == expected


def test_components_do_not_depend_on_pair_order():
    pairs = pl.DataFrame({"doc_a": ["a", "b", "x", "c"], "doc_b": ["b", "c", "y", "d"]})
    one = connected_documents(pairs).sort("doc_id")
    two = connected_documents(pairs.reverse()).sort("doc_id")
    assert one.equals(two)
    groups = one.group_by("component").agg("doc_id").sort("component")["doc_id"].to_list()
    assert sorted(map(sorted, groups)) == [["a", "b", "c", "d"], ["x", "y"]]
