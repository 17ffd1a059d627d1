"""Precision and recall of deduplication against the generator's labels.

Usage: ``python -m benchmarks.quality GENERATED_DIR OUTPUT_DIR`` (a ``textwash`` output of
``GENERATED_DIR/corpus``). Prints and returns:

- line precision/recall of status ``duplicate`` (labels ``caption_repeat``, ``near_duplicate``,
  ``repeated_paragraph``), with the recall of each label
  and of status ``boilerplate`` (label ``boilerplate``);
- pairwise precision/recall/F1 of near-duplicate document clusters (label: syndicated copies).
"""

from __future__ import annotations

import json
import sys
from itertools import combinations
from pathlib import Path

import polars as pl

from cleaners.output import scan_table


def _ratio(numerator: int, denominator: int) -> float:
    return numerator / denominator if denominator else 1.0


def evaluate(generated: str | Path, output: str | Path) -> dict:
    generated, output = Path(generated), Path(output)
    labels = pl.read_parquet(generated / "labels.parquet")
    doc_labels = pl.read_parquet(generated / "doc_labels.parquet")
    documents = scan_table(output, "documents").select("doc_id", "record", "dup_cluster_id").collect()
    lines = (
        scan_table(output, "lines").select("doc_id", "line_no", "status").collect()
        .join(documents.select("doc_id", "record"), on="doc_id")
        .join(labels.rename({"id": "record"}), on=["record", "line_no"], how="left")
    )
    report: dict = {}
    for status, kinds in (("duplicate", ["caption_repeat", "near_duplicate", "repeated_paragraph"]),
                          ("boilerplate", ["boilerplate"])):
        predicted = pl.col("status") == status
        actual = pl.col("kind").is_in(kinds)
        counts = lines.select(
            tp=(predicted & actual).sum(), predicted=predicted.sum(), actual=actual.sum()).row(0, named=True)
        report[status] = {
            "precision": _ratio(counts["tp"], counts["predicted"]),
            "recall": _ratio(counts["tp"], counts["actual"]),
            **counts,
        }
        report[status]["recall_by_kind"] = {
            kind: round(_ratio(*lines.filter(pl.col("kind") == kind).select(predicted.sum(), pl.len()).row(0)), 4)
            for kind in kinds}
        report[status]["false_positive_kinds"] = dict(
            lines.filter(predicted & ~actual).group_by(pl.col("kind").fill_null("(unlabelled)")).len().iter_rows())
    clusters = documents.join(doc_labels.rename({"id": "record"}), on="record")
    predicted_pairs = _pairs(clusters, "dup_cluster_id")
    actual_pairs = _pairs(clusters, "cluster")
    true_pairs = len(predicted_pairs & actual_pairs)
    precision = _ratio(true_pairs, len(predicted_pairs))
    recall = _ratio(true_pairs, len(actual_pairs))
    report["documents"] = {
        "pairwise_precision": precision, "pairwise_recall": recall,
        "f1": 2 * precision * recall / (precision + recall) if precision + recall else 0.0,
        "predicted_pairs": len(predicted_pairs), "actual_pairs": len(actual_pairs),
    }
    return report


def _pairs(frame: pl.DataFrame, column: str) -> set[tuple[str, str]]:
    groups = frame.group_by(column).agg(pl.col("record").sort()).filter(pl.col("record").list.len() > 1)
    return {pair for members in groups["record"].to_list() for pair in combinations(members, 2)}


if __name__ == "__main__":
    print(json.dumps(evaluate(sys.argv[1], sys.argv[2]), indent=2))


def _pairs_within(groups: pl.DataFrame) -> int:
    """Unordered pairs inside groups of the given sizes (column ``n``)."""
    return int((groups["n"] * (groups["n"] - 1) // 2).sum()) if groups.height else 0


def cluster_agreement(doc_labels: str | Path, output: str | Path, label: str) -> dict:
    """Pairwise precision and recall of the near-duplicate clusters against a label column.

    Counted, not enumerated: a cluster of 48 copies has 1,128 pairs, and a 1 GB heavily
    syndicated corpus millions of them.
    """
    documents = scan_table(output, "documents").select("record", "dup_cluster_id").collect()
    joined = documents.join(pl.read_parquet(doc_labels).select(record="id", truth=label), on="record")
    predicted = _pairs_within(joined.group_by("dup_cluster_id").len("n"))
    actual = _pairs_within(joined.group_by("truth").len("n"))
    true = _pairs_within(joined.group_by("dup_cluster_id", "truth").len("n"))
    return {"pairwise_precision": _ratio(true, predicted), "pairwise_recall": _ratio(true, actual),
            "predicted_pairs": predicted, "actual_pairs": actual}
