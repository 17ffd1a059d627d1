"""Line statuses: the one place that says which statuses exist, which wins, and the reason each gives.

Every line of the input ends in ``lines`` with one status and a plain-English reason:

============  =====================================================================================
status        reason (template)
============  =====================================================================================
``empty``     ``blank line`` / ``nothing left after normalisation``
``boilerplate`` ``boilerplate: this line or a close variant (similarity S) is in N unrelated
              documents; cluster text: "T"``
``duplicate`` ``duplicate: repeats line L of this document (similarity S)``
``kept``      ``kept: first occurrence, not boilerplate`` when deduplication ran, ``kept: not
              checked for repeats (dedup.enabled = false)`` when it did not
============  =====================================================================================

Precedence when several apply: ``empty``, then ``boilerplate``, then ``duplicate``, else ``kept``.
Steps that identify (``cleaners/dedup.py``) only annotate; :func:`first_status` and
:func:`final_status` are the only code that writes ``status`` and ``reason``.
"""

from __future__ import annotations

import polars as pl

STATUSES = ("kept", "empty", "duplicate", "boilerplate")

BLANK = "blank line"
NOTHING_LEFT = "nothing left after normalisation"
KEPT_BEFORE_DEDUP = "kept: no rule removed it"
KEPT_AFTER_DEDUP = "kept: first occurrence, not boilerplate"
KEPT_WITHOUT_DEDUP = "kept: not checked for repeats (dedup.enabled = false)"


def first_status(lines: pl.DataFrame) -> pl.DataFrame:
    """Add the first ``status`` (``empty`` or ``kept``) and ``reason`` to normalised lines."""
    empty = pl.col("text") == ""
    was_blank = pl.col("text_raw").str.strip_chars() == ""
    return lines.with_columns(
        status=pl.when(empty).then(pl.lit("empty")).otherwise(pl.lit("kept")),
        reason=pl.when(empty & was_blank).then(pl.lit(BLANK))
        .when(empty).then(pl.lit(NOTHING_LEFT))
        .otherwise(pl.lit(KEPT_BEFORE_DEDUP)),
    )


def final_status(is_boilerplate: pl.Expr, is_duplicate: pl.Expr, similarity: pl.Expr,
                 dedup_ran: bool) -> dict[str, pl.Expr]:
    """``status`` and ``reason`` expressions over lines joined with what dedup found.

    ``is_boilerplate`` and ``is_duplicate`` say what was identified (before precedence);
    ``similarity`` is the rounded similarity to show. The joined frame must have the columns
    ``status`` (first status), ``reason``, ``cluster_docs``, ``cluster_text``, ``dup_of_line_no``.
    """
    is_empty = pl.col("status") == "empty"
    boilerplate = ~is_empty & is_boilerplate
    duplicate = ~is_empty & ~boilerplate & is_duplicate
    return {
        "status": pl.when(is_empty).then(pl.lit("empty"))
        .when(boilerplate).then(pl.lit("boilerplate"))
        .when(duplicate).then(pl.lit("duplicate"))
        .otherwise(pl.lit("kept")),
        "reason": pl.when(is_empty).then(pl.col("reason"))
        .when(boilerplate).then(
            pl.format('boilerplate: this line or a close variant (similarity {}) is in {} unrelated documents; '
                      'cluster text: "{}"', similarity.cast(pl.String), pl.col("cluster_docs"), pl.col("cluster_text")))
        .when(duplicate).then(
            pl.format("duplicate: repeats line {} of this document (similarity {})",
                      pl.col("dup_of_line_no"), similarity.cast(pl.String)))
        .otherwise(pl.lit(KEPT_AFTER_DEDUP if dedup_ran else KEPT_WITHOUT_DEDUP)),
    }
