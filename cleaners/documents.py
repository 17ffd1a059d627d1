"""Give each line its first status, and assemble each document's cleaned text.

This is the "apply" end of identify-then-apply: earlier steps only annotate lines; here the
annotations decide which lines make up ``documents.text``. Nothing is deleted from ``lines``.

Statuses:

- ``kept``: part of the document's cleaned text;
- ``empty``: nothing left after normalisation (a blank line, or only invisible characters);
- ``duplicate``: repeats an earlier line of the same document (``cleaners/dedup.py``);
- ``boilerplate``: recurs across unrelated documents (``cleaners/dedup.py``).
"""

from __future__ import annotations

import polars as pl

from cleaners import schemas, statuses
from cleaners.normalise import normalise_texts
from cleaners.settings import NormaliseSettings

STATUSES = statuses.STATUSES

DOCUMENT_COLUMNS = list(schemas.DOCUMENTS)
LINE_COLUMNS = list(schemas.LINES)


def assign_status(lines: pl.DataFrame) -> pl.DataFrame:
    """Add the first ``status`` (``empty`` or ``kept``) and ``reason`` (:mod:`cleaners.statuses`)."""
    return statuses.first_status(lines)


def normalise_titles(raw_documents: pl.DataFrame, settings: NormaliseSettings | None = None) -> pl.DataFrame:
    """The raw documents with their titles normalised like lines, and without the body."""
    titles = normalise_texts(raw_documents.get_column("title"), settings).get_column("text")
    return raw_documents.with_columns(title=titles).drop("body")


def assemble_documents(documents: pl.DataFrame, lines: pl.DataFrame, clusters: pl.DataFrame) -> pl.DataFrame:
    """One row per document: the kept lines joined by newlines, counts and its cluster.

    ``clusters`` holds the documents that have near-duplicates (``cleaners/near_duplicates.py``);
    any other document is its own cluster of one.
    """
    kept = pl.col("status") == "kept"
    per_document = (
        lines.lazy()
        .group_by("doc_id")
        .agg(
            text=pl.col("text").filter(kept).sort_by(pl.col("line_no").filter(kept)).str.join("\n"),
            n_lines=pl.len().cast(pl.Int32),
            n_lines_kept=kept.sum().cast(pl.Int32),
        )
    )
    return (
        documents.lazy()
        .join(per_document, on="doc_id", how="left", maintain_order="left")
        .join(clusters.lazy(), on="doc_id", how="left", maintain_order="left")
        .with_columns(
            pl.col("text").fill_null(""),
            pl.col("n_lines").fill_null(0),
            pl.col("n_lines_kept").fill_null(0),
            pl.col("dup_cluster_id").fill_null(pl.col("doc_id")),
            pl.col("is_canonical").fill_null(True),
            pl.col("jaccard_to_canonical").fill_null(1.0),
            pl.col("dup_cluster_size").fill_null(1),
        )
        .select(DOCUMENT_COLUMNS)
        .collect()
    )
