"""Split document bodies into lines: one line = one paragraph.

Line breaks are, on purpose:

- ``\\n``, ``\\r\\n`` and ``\\r``;
- U+2028 LINE SEPARATOR and U+2029 PARAGRAPH SEPARATOR, which some CMSs emit between
  paragraphs;
- U+0085 NEXT LINE, but only where it is not part of mojibake: UTF-8 text that was decoded as
  latin-1 turns characters such as ``Å`` (bytes C3 85) into ``Ã`` + U+0085, so a NEL right
  after a character in U+0080-U+00FF is left for the normaliser to repair, not split.

Other characters that Python's ``str.splitlines`` treats as breaks (vertical tab, form feed,
U+001C-U+001E) are control characters here, removed by the normaliser.

One line terminator at the very end of a body does not start an extra empty line.
Every line keeps its 1-based ``line_no`` within its document.
"""

from __future__ import annotations

import polars as pl

_HARD_BREAKS = r"\r\n|\r|\x{2028}|\x{2029}"
_NEL_OUTSIDE_MOJIBAKE = r"(^|[^\x{80}-\x{FF}])\x{85}"

LINE_SCHEMA = {"doc_id": pl.String, "line_no": pl.Int32, "text_raw": pl.String}


def unify_line_breaks(text: pl.Expr) -> pl.Expr:
    """Turn every accepted line break into ``\\n``."""
    return text.str.replace_all(_HARD_BREAKS, "\n").str.replace_all(_NEL_OUTSIDE_MOJIBAKE, "${1}\n")


def split_lines(documents: pl.DataFrame, body: str = "body") -> pl.DataFrame:
    """One row per line of each document's ``body``: ``doc_id, line_no, text_raw``.

    Lines are ordered by document (as given) then ``line_no``.
    """
    pieces = (
        unify_line_breaks(pl.col(body))
        .str.strip_suffix("\n")
        .str.split("\n")
    )
    return (
        documents.lazy()
        .select(pl.col("doc_id"), pieces.alias("text_raw"))
        # An empty body has no lines (str.split would give one empty string).
        .filter((pl.col("text_raw").list.len() > 1) | (pl.col("text_raw").list.first() != ""))
        .with_columns(line_no=pl.int_ranges(1, pl.col("text_raw").list.len() + 1, dtype=pl.Int32))
        .explode(["text_raw", "line_no"])
        .select(list(LINE_SCHEMA))
        .collect()
    )
