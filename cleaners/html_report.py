"""The HTML report of a run: one self-contained file a person can open anywhere, offline.

Inline CSS, inline SVG charts (:mod:`cleaners.html_charts`), a few lines of inline script (a
"removed and flagged lines only" switch); no font, script or style is fetched from anywhere.
Every run writes its report beside the tables, to ``OUTPUT/reports/<run_id>.html``
(:func:`write_after_commit`, called after the run's commit by ``run_local`` and the Prefect
flow); ``textwash report`` writes it again, for any committed run.

Three steps, so that the HTML itself is a pure function of small tables:

- :func:`collect` reads what the report shows from the run's tables, lazily and capped (the
  figures are aggregates; only the sampled documents' lines are read);
- :func:`render` turns that :class:`ReportData` into a string: same data, same bytes (no clock,
  no random id; the only times shown are the run's own);
- :func:`write_report` writes it atomically (:func:`cleaners.storage.write_bytes`: a temporary
  file renamed on a local disk, one PUT on an object store).

The documents are rendered from :mod:`cleaners.document_view`, like ``textwash show``. All text
is escaped: it is scraped input, and may hold ``<script>``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import polars as pl

from cleaners import storage
from cleaners.document_view import FLAG_ORDER, RunTables, run_tables, views_of
from cleaners.html_page import page
from cleaners.statuses import STATUSES

REPORTS_DIR = "reports"
SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2}


@dataclass(frozen=True)
class Limits:
    """How much of a large run the report lists (the counts always cover everything)."""

    families: int = 10  # boilerplate families, document clusters, repeated paragraphs
    flags: int = 200
    rejects: int = 50
    flagged_documents: int = 20
    removed_documents: int = 10
    lines_per_document: int = 300


@dataclass(frozen=True)
class ReportData:
    """Everything the report shows, already aggregated and capped: :func:`render` only formats."""

    manifest: dict[str, Any]
    lines_by_status: list[tuple[str, int]]
    fixes: list[tuple[str, int]]
    flags_by_kind: list[tuple[str, int]]
    cluster_sizes: dict[int, int]
    boilerplate: list[dict[str, Any]]
    document_clusters: list[dict[str, Any]]
    repeated_paragraphs: list[dict[str, Any]]
    flags: list[dict[str, Any]]
    rejects: list[dict[str, Any]]
    samples: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # (why sampled, document view)
    limits: Limits = Limits()


def report_location(output_dir: Any, run_id: str) -> Any:
    """Where a run's report lives: ``OUTPUT/reports/<run_id>.html``."""
    return storage.location(output_dir) / REPORTS_DIR / f"{run_id}.html"


# ------------------------------------------------------------------ collect

def _pairs(frame: pl.DataFrame) -> list[tuple[str, int]]:
    return [(str(label), int(value)) for label, value in frame.iter_rows()]


def _ordered(counts: dict[str, int], order: tuple[str, ...]) -> list[tuple[str, int]]:
    known = [(name, counts[name]) for name in order if counts.get(name)]
    return known + sorted((name, number) for name, number in counts.items() if name not in order and number)


def _boilerplate(lines: pl.LazyFrame, limit: int) -> list[dict[str, Any]]:
    """Boilerplate families: documents (``boilerplate_cluster_docs``), lines, spellings, sources."""
    return (
        lines.filter(pl.col("status") == "boilerplate")
        .group_by("boilerplate_cluster_id")
        .agg(cluster_text=pl.col("boilerplate_cluster_text").min(), documents=pl.col("boilerplate_cluster_docs").max(),
             lines=pl.len(), variants=pl.col("text").n_unique(), examples=pl.col("text").unique().sort().head(3),
             sources=pl.col("source").unique().sort().head(3))
        .sort(["documents", "lines", "boilerplate_cluster_id"], descending=[True, True, False])
        .head(limit).collect().to_dicts()
    )


def _document_clusters(mine: pl.LazyFrame, documents: pl.LazyFrame, limit: int) -> list[dict[str, Any]]:
    """The largest near-duplicate clusters this run wrote: size, canonical (title, opening), members."""
    top = (mine.filter(pl.col("dup_cluster_size") > 1).group_by("dup_cluster_id")
           .agg(size=pl.col("dup_cluster_size").max(),
                members=pl.concat_str("source", pl.lit("#"), "record").unique().sort().head(4))
           .sort(["size", "dup_cluster_id"], descending=[True, False]).head(limit).collect())
    canonical = (documents.filter(pl.col("doc_id").is_in(top["dup_cluster_id"].implode()))
                 .select(dup_cluster_id="doc_id", canonical=pl.concat_str("source", pl.lit("#"), "record"),
                         title="title", opening=pl.col("text").str.slice(0, 301)).collect())
    return top.join(canonical, on="dup_cluster_id", how="left").sort(
        ["size", "dup_cluster_id"], descending=[True, False]).to_dicts()


def _repeated_paragraphs(lines: pl.LazyFrame, documents: pl.LazyFrame, limit: int) -> list[dict[str, Any]]:
    """Repeated paragraphs: lines marked as copies of a line of another document, by that line."""
    top = (lines.filter(pl.col("status") == "duplicate", pl.col("duplicate_of_doc_id") != pl.col("doc_id"))
           .group_by("duplicate_of_doc_id", "duplicate_of_line_no")
           .agg(copies=pl.len(), documents=pl.col("doc_id").n_unique(), example=pl.col("text").min(),
                sources=pl.col("source").unique().sort().head(3))
           .sort(["copies", "duplicate_of_doc_id", "duplicate_of_line_no"], descending=[True, False, False])
           .head(limit).collect())
    first = (documents.filter(pl.col("doc_id").is_in(top["duplicate_of_doc_id"].implode()))
             .select(duplicate_of_doc_id="doc_id", first_source="source").collect())
    return top.join(first, on="duplicate_of_doc_id", how="left").sort(
        ["copies", "duplicate_of_doc_id", "duplicate_of_line_no"], descending=[True, False, False]).to_dicts()


def _flags(flags: pl.LazyFrame, limit: int) -> list[dict[str, Any]]:
    return (flags.with_columns(order=pl.col("severity").replace_strict(SEVERITY_ORDER, default=3))
            .sort("order", "source", "doc_id", *FLAG_ORDER, nulls_last=True).head(limit).drop("order")
            .collect().to_dicts())


def _sampled(tables: RunTables, mine: dict[str, pl.LazyFrame], limits: Limits) -> list[tuple[str, dict[str, Any]]]:
    """Every flagged document (capped), then those with the most lines removed as duplicate or
    boilerplate, then (a tie, or a run without repeats) with the most removed lines of any status:
    blank lines are removed too, but say little about a document."""
    flagged = (mine["flags"].with_columns(order=pl.col("severity").replace_strict(SEVERITY_ORDER, default=3))
               .group_by("doc_id").agg(pl.col("order").min(), pl.col("source").first())
               .sort("order", "source", "doc_id").head(limits.flagged_documents).collect()["doc_id"].to_list())
    removed = (mine["lines"].filter(pl.col("status") != "kept",
                                    ~pl.col("doc_id").is_in(pl.Series(flagged, dtype=pl.String).implode()))
               .group_by("doc_id").agg(repeats=pl.col("status").is_in(["duplicate", "boilerplate"]).sum(),
                                       removed=pl.len(), source=pl.col("source").first())
               .sort(["repeats", "removed", "source", "doc_id"], descending=[True, True, False, False])
               .head(limits.removed_documents).collect()["doc_id"].to_list())
    views = {view["document"]["doc_id"]: view for view in views_of(tables, flagged + removed)}
    return ([("flagged", views[doc_id]) for doc_id in flagged if doc_id in views]
            + [("most lines removed", views[doc_id]) for doc_id in removed if doc_id in views])


def collect(tables: RunTables, limits: Limits = Limits()) -> ReportData:
    """What the report of ``tables.manifest``'s run shows: the rows that run wrote (the whole
    table after a full run; the files it re-read after an incremental one)."""
    manifest = tables.manifest
    run_id = manifest["run_id"]
    mine = {name: getattr(tables, name).filter(pl.col("run_id") == run_id)
            for name in ("documents", "lines", "flags", "rejects")}
    counts = manifest["counts"]
    fixes = (mine["lines"].select(pl.col("fixes").explode().drop_nulls()).group_by("fixes").len()
             .sort(["len", "fixes"], descending=[True, False]).collect())
    sizes = (mine["documents"].filter(pl.col("dup_cluster_size") > 1).group_by("dup_cluster_id")
             .agg(size=pl.col("dup_cluster_size").max()).group_by("size").len().collect())
    return ReportData(
        manifest=manifest,
        lines_by_status=_ordered(counts.get("lines_by_status", {}), STATUSES),
        fixes=_pairs(fixes),
        flags_by_kind=_ordered(counts.get("flags_by_kind", {}), ("contradiction", "numeric_conflict", "double_negation")),
        cluster_sizes={int(size): int(number) for size, number in sizes.iter_rows()},
        boilerplate=_boilerplate(mine["lines"], limits.families),
        document_clusters=_document_clusters(mine["documents"], tables.documents, limits.families),
        repeated_paragraphs=_repeated_paragraphs(mine["lines"], tables.documents, limits.families),
        flags=_flags(mine["flags"], limits.flags),
        rejects=(mine["rejects"].sort("source", "record", "reason", "detail", nulls_last=False).head(limits.rejects)
                 .collect().to_dicts()),
        samples=_sampled(tables, mine, limits),
        limits=limits,
    )


# ------------------------------------------------------------------ render and write

def render(data: ReportData) -> str:
    """The report as one HTML string (see :mod:`cleaners.html_page`)."""
    return page(data)


def write_report(output_dir: Any, run_id: str | None = None, target: Any = None, limits: Limits = Limits()) -> Any:
    """Write the report of the latest run (or ``run_id``) to ``target`` (default
    :func:`report_location`), atomically; return where it went."""
    tables = run_tables(output_dir, run_id)
    html = render(collect(tables, limits))
    place = storage.location(target) if target is not None else report_location(output_dir, tables.manifest["run_id"])
    storage.write_bytes(place, html.encode("utf-8"))
    return place


def write_after_commit(output_dir: Any, manifest: dict[str, Any]) -> tuple[Any, str | None]:
    """After a run's commit, write its report; never raise: the run is already committed, and a
    report that cannot be written (a full disk, a store that refuses) must not fail it.

    Returns ``(location, None)``, or ``(None, why)`` for the caller to warn with.
    """
    try:
        return write_report(output_dir, manifest["attempt"]), None
    except Exception as error:  # noqa: BLE001 - any failure here is reported, never raised
        return None, f"{type(error).__name__}: {error}"
