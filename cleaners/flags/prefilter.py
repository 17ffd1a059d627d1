"""The flags table step: a vectorised polars prefilter, then :func:`flag_document` per document."""

from __future__ import annotations

from typing import Any

import polars as pl

from cleaners import schemas
from cleaners.flags.document import flag_document
from cleaners.flags.lexicon import Lexicon, load_lexicon

FLAG_SCHEMA = dict(schemas.FLAGS)


def flag_documents(documents: pl.DataFrame, lines: pl.DataFrame, lexicon: Lexicon | None = None,
                   stats: dict[str, int] | None = None) -> pl.DataFrame:
    """The ``flags`` table for documents (``doc_id, title``) and their final ``lines`` (kept only)."""
    lexicon = lexicon or load_lexicon()
    kept = lines.filter(pl.col("status") == "kept").select("doc_id", "line_no", "text").sort("doc_id", "line_no")
    grouped = kept.group_by("doc_id", maintain_order=True).agg("line_no", "text").join(
        documents.select("doc_id", "title"), on="doc_id")
    rows: list[dict[str, Any]] = []
    for doc_id, numbers, texts, title in grouped.select("doc_id", "line_no", "text", "title").iter_rows():
        for flag in flag_document(title or "", list(zip(numbers, texts)), lexicon, stats):
            rows.append({"doc_id": doc_id, **flag})
    return pl.DataFrame(rows, schema=FLAG_SCHEMA)
