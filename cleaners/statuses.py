"""Line statuses: the one place that says which statuses exist, which wins, and the reason each gives.

Every line of the input ends in ``lines`` with one status and a plain-English reason:

=================  ================================================================================
status             reason (template)
=================  ================================================================================
``empty``          ``blank line`` / ``nothing left after normalisation``
``boilerplate``    ``boilerplate: this line or a close variant (similarity S) is in N unrelated
                   documents; cluster text: "T"``
``duplicate``      ``duplicate: repeats line L of this document (similarity S)`` (in-document), or
                   ``duplicate: repeats line L of document D (SOURCE, row R), a paragraph found
                   in N documents (similarity S)`` (a repeated paragraph: D is not a near-duplicate
                   of this document, ``cleaners/paragraphs.py``)
``kept``           ``kept: first occurrence, not boilerplate`` when deduplication ran (and
                   ``kept: first occurrence, not boilerplate; repeated paragraphs not looked for``
                   with ``dedup.repeated_paragraphs = false``), ``kept: not checked for repeats
                   (dedup.enabled = false)`` when it did not
=================  ================================================================================

Precedence when several apply: ``empty``, then ``boilerplate``, then an in-document
``duplicate``, then a repeated paragraph, else ``kept``. Steps that identify
(``cleaners/dedup.py``, ``cleaners/paragraphs.py``) only annotate; :func:`first_status`,
:func:`status_of` and :func:`reason_of` are the only code that writes ``status`` and ``reason``.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

STATUSES = ("kept", "empty", "duplicate", "boilerplate")

BLANK = "blank line"
NOTHING_LEFT = "nothing left after normalisation"
KEPT_BEFORE_DEDUP = "kept: no rule removed it"
KEPT_AFTER_DEDUP = "kept: first occurrence, not boilerplate"
KEPT_WITHOUT_PARAGRAPHS = "kept: first occurrence, not boilerplate; repeated paragraphs not looked for"
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


@dataclass(frozen=True)
class Checks:
    """Which identifying steps ran (what a ``kept`` line may claim)."""

    dedup: bool
    paragraphs: bool


@dataclass(frozen=True)
class Found:
    """Boolean expressions over a line joined with what the identifying steps found (before
    precedence): a boilerplate cluster, an earlier line of its document, a repeated paragraph."""

    boilerplate: pl.Expr
    duplicate: pl.Expr
    repeat: pl.Expr


_EMPTY = pl.col("status") == "empty"


def _boilerplate(found: Found) -> pl.Expr:
    return ~_EMPTY & found.boilerplate


def is_in_document(found: Found) -> pl.Expr:
    """A duplicate of an earlier line of its own document (after precedence)."""
    return ~_EMPTY & ~found.boilerplate & found.duplicate


def is_repeat(found: Found) -> pl.Expr:
    """A copy of a paragraph first seen in an unrelated document (after precedence)."""
    return ~_EMPTY & ~found.boilerplate & ~found.duplicate & found.repeat


def status_of(found: Found) -> pl.Expr:
    """The final ``status`` (the line's first status must be in column ``status``)."""
    return (pl.when(_EMPTY).then(pl.lit("empty"))
            .when(_boilerplate(found)).then(pl.lit("boilerplate"))
            .when(is_in_document(found) | is_repeat(found)).then(pl.lit("duplicate"))
            .otherwise(pl.lit("kept")))


def reason_of(found: Found, similarity: pl.Expr, checks: Checks) -> pl.Expr:
    """The final ``reason``. Needs the columns ``reason`` (first reason), ``cluster_docs``,
    ``cluster_text``, ``dup_of_line_no``, ``rp_doc_id``, ``rp_source``, ``rp_row``, ``rp_line_no``, ``rp_docs``."""
    shown = similarity.cast(pl.String)
    if not checks.dedup:
        kept = KEPT_WITHOUT_DEDUP
    else:
        kept = KEPT_AFTER_DEDUP if checks.paragraphs else KEPT_WITHOUT_PARAGRAPHS
    return (
        pl.when(_EMPTY).then(pl.col("reason"))
        .when(_boilerplate(found)).then(
            pl.format('boilerplate: this line or a close variant (similarity {}) is in {} unrelated documents; '
                      'cluster text: "{}"', shown, pl.col("cluster_docs"), pl.col("cluster_text")))
        .when(is_in_document(found)).then(
            pl.format("duplicate: repeats line {} of this document (similarity {})", pl.col("dup_of_line_no"), shown))
        .when(is_repeat(found)).then(
            pl.format("duplicate: repeats line {} of document {} ({}, row {}), a paragraph found in {} "
                      "documents (similarity {})", pl.col("rp_line_no"), pl.col("rp_doc_id"),
                      pl.col("rp_source"), pl.col("rp_row"), pl.col("rp_docs"), shown))
        .otherwise(pl.lit(kept))
    )
