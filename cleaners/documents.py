"""Give each line a status and a reason, and assemble each document's cleaned text.

This is the "apply" half of identify-then-apply: earlier steps only annotate lines; here the
annotations decide which lines make up ``documents.text``. Nothing is deleted from ``lines``.

Statuses (this version):

- ``kept``: part of the document's cleaned text;
- ``empty``: nothing left after normalisation (a blank line, or only invisible characters).
"""

from __future__ import annotations

import polars as pl

from cleaners.normalise import normalise_texts
from cleaners.settings import NormaliseSettings

STATUSES = ("kept", "empty")

DOCUMENT_COLUMNS = [
    "doc_id", "source", "record", "title", "text", "encoding", "format", "n_lines", "n_lines_kept",
]
LINE_COLUMNS = ["doc_id", "line_no", "text_raw", "text", "status", "reason", "fixes"]


def assign_status(lines: pl.DataFrame) -> pl.DataFrame:
    """Add ``status`` and ``reason`` to normalised lines."""
    empty = pl.col("text") == ""
    was_blank = pl.col("text_raw").str.strip_chars() == ""
    return lines.with_columns(
        status=pl.when(empty).then(pl.lit("empty")).otherwise(pl.lit("kept")),
        reason=pl.when(empty & was_blank)
        .then(pl.lit("blank line"))
        .when(empty)
        .then(pl.lit("nothing left after normalisation"))
        .otherwise(pl.lit("kept: no rule removed it")),
    ).select(LINE_COLUMNS)


def assemble_documents(raw_documents: pl.DataFrame, lines: pl.DataFrame,
                       settings: NormaliseSettings | None = None) -> pl.DataFrame:
    """One row per document: its normalised title and its kept lines joined by newlines."""
    per_document = (
        lines.lazy()
        .group_by("doc_id")
        .agg(
            text=pl.col("text").filter(pl.col("status") == "kept").sort_by(
                pl.col("line_no").filter(pl.col("status") == "kept")).str.join("\n"),
            n_lines=pl.len().cast(pl.Int32),
            n_lines_kept=(pl.col("status") == "kept").sum().cast(pl.Int32),
        )
    )
    titles = normalise_texts(raw_documents.get_column("title"), settings).get_column("text")
    return (
        raw_documents.lazy()
        .with_columns(title=titles)
        .join(per_document, on="doc_id", how="left", maintain_order="left")
        .with_columns(
            pl.col("text").fill_null(""),
            pl.col("n_lines").fill_null(0),
            pl.col("n_lines_kept").fill_null(0),
        )
        .select(DOCUMENT_COLUMNS)
        .collect()
    )
