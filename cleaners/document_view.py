"""One document as the pipeline saw it: every line with its status and reason, flags, cluster.

``textwash show`` and the HTML report (:mod:`cleaners.html_report`) both render what
:func:`document_view` returns, so the terminal and the report never disagree about a document.
The view is plain JSON-able data (``--json`` prints it as is); this module reads tables and
builds dicts, it never renders. It is Prefect-free.

A document is selected by a *selector*:

- ``SOURCE`` — the input file, relative to the input folder, when it holds one document;
- ``SOURCE#RECORD`` — a record of a file of several (``record`` of ``documents``: the record's own
  id, else its 1-based row);
- ``DOC_ID`` or a unique prefix of it of at least 8 hex digits.

A selector that matches nothing raises :class:`NoDocument` with close sources (difflib) as
suggestions; one that matches several documents raises :class:`AmbiguousSelector` listing them.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Any

import polars as pl

from cleaners import output, storage
from cleaners.statuses import STATUSES

#: Least hex digits of a doc id prefix: fewer would match many documents of a large corpus.
MIN_PREFIX = 8
#: Other members of a near-duplicate cluster listed by name (the size says how many there are).
CLUSTER_MEMBERS_SHOWN = 5
#: Choices listed when a selector is ambiguous.
CHOICES_SHOWN = 20

_DOCUMENT_COLUMNS = ("doc_id", "source", "record", "title", "format", "encoding", "n_lines", "n_lines_kept",
                     "dup_cluster_id", "is_canonical", "jaccard_to_canonical", "dup_cluster_size")
_LINE_COLUMNS = ("line_no", "status", "reason", "text", "text_raw", "fixes", "similarity", "duplicate_of_doc_id",
                 "duplicate_of_line_no", "boilerplate_cluster_id", "boilerplate_cluster_text",
                 "boilerplate_cluster_docs")
_FLAG_COLUMNS = ("line_no", "sentence_no", "char_start", "char_end", "sentence", "kind", "severity", "explanation",
                 "conflicts_with_line_no", "conflicts_with_sentence_no", "conflicts_with_text")


class SelectorError(LookupError):
    """A selector (or run) that does not name exactly one document; ``str()`` is one line."""


class NoRun(SelectorError):
    """The output folder has no committed run (or not the one asked for)."""


class NoDocument(SelectorError):
    """Nothing matches the selector; ``suggestions`` are the closest selectors that would."""

    def __init__(self, message: str, suggestions: list[str]):
        super().__init__(message)
        self.suggestions = suggestions


class AmbiguousSelector(SelectorError):
    """Several documents match; ``choices`` are ``{doc_id, source, record, title, selector}``."""

    def __init__(self, message: str, choices: list[dict[str, Any]], total: int):
        super().__init__(message)
        self.choices = choices
        self.total = total


@dataclass(frozen=True)
class RunTables:
    """The tables as one committed run left them (lazy), and that run's manifest."""

    manifest: dict[str, Any]
    documents: pl.LazyFrame
    lines: pl.LazyFrame
    flags: pl.LazyFrame
    rejects: pl.LazyFrame


def run_tables(output_dir: Any, run_id: str | None = None) -> RunTables:
    """The latest committed run's tables (or run ``run_id``'s, an id or attempt prefix)."""
    place = storage.location(output_dir)
    manifest = output.find_run(place, run_id) if run_id else output.latest_run(place)
    if manifest is None:
        which = f"no committed run {run_id!r}" if run_id else "no committed run"
        raise NoRun(f"{which} in {output_dir}")
    attempt = manifest["attempt"]  # exact: a re-run of the same input has the same run id
    tables = {table: output.scan_table(place, table, attempt) for table in output.TABLES}
    return RunTables(manifest, tables["documents"], tables["lines"], tables["flags"], tables["rejects"])


# ------------------------------------------------------------------ selecting a document

def selector_of(source: str, record: str | None, several: bool) -> str:
    """The shortest selector naming a document: ``SOURCE`` alone when its file has one document."""
    return f"{source}#{record}" if several and record is not None else source


def _choices(rows: pl.DataFrame, several: bool) -> list[dict[str, Any]]:
    return [{**{key: row[key] for key in ("doc_id", "source", "record", "title")},
             "selector": selector_of(row["source"], row["record"], several)}
            for row in rows.sort("source", "record", "doc_id").head(CHOICES_SHOWN).iter_rows(named=True)]


def _by_doc_id(documents: pl.LazyFrame, selector: str) -> str | None:
    prefix = selector.lower()
    if not re.fullmatch(rf"[0-9a-f]{{{MIN_PREFIX},16}}", prefix):
        return None
    rows = (documents.filter(pl.col("doc_id").str.starts_with(prefix))
            .select("doc_id", "source", "record", "title").head(CHOICES_SHOWN + 1).collect())
    if rows.height > 1:
        raise AmbiguousSelector(f"doc id prefix {selector!r} matches several documents; give more digits",
                                _choices(rows, several=True), rows.height)
    return rows["doc_id"][0] if rows.height else None


def _splits(selector: str) -> list[tuple[str, str]]:
    """``(source, record)`` for each ``#`` of the selector, longest source first (file names
    and record ids may both hold ``#``)."""
    return [(selector[:at], selector[at + 1:]) for at in reversed([m.start() for m in re.finditer("#", selector)])]


def resolve(documents: pl.LazyFrame, selector: str) -> str:
    """The ``doc_id`` that ``selector`` names in ``documents`` (see the module docstring)."""
    found = _by_doc_id(documents, selector)
    if found is not None:
        return found
    splits = _splits(selector)
    candidates = [selector, *(source for source, _ in splits)]
    rows = (documents.filter(pl.col("source").is_in(candidates))
            .select("doc_id", "source", "record", "title").collect())
    whole = rows.filter(pl.col("source") == selector)
    if whole.height == 1:
        return str(whole["doc_id"][0])
    if whole.height > 1:
        raise AmbiguousSelector(f"{selector} holds {whole.height:,} documents; pick one with SOURCE#RECORD or a doc id",
                                _choices(whole, several=True), whole.height)
    for source, record in splits:
        in_file = rows.filter(pl.col("source") == source)
        if in_file.is_empty():
            continue
        matches = in_file.filter(pl.col("record") == record)
        if matches.height == 1:
            return str(matches["doc_id"][0])
        if matches.height > 1:
            raise AmbiguousSelector(f"record {record!r} occurs {matches.height} times in {source}; pick one by doc id",
                                    _choices(matches, several=True), matches.height)
        records = [str(value) for value in in_file["record"].drop_nulls()]
        close = difflib.get_close_matches(record, records, n=3, cutoff=0.5)
        suggestions = [f"{source}#{value}" for value in close]
        hint = f"did you mean {' or '.join(repr(s) for s in suggestions)}?" if suggestions else \
            f"its records: {', '.join(sorted(records)[:5])}{' …' if len(records) > 5 else ''}"
        raise NoDocument(f"{source} has no record {record!r}; {hint}", suggestions)
    raise _no_document(documents, selector)


def _no_document(documents: pl.LazyFrame, selector: str) -> NoDocument:
    """The error for a selector that names no source: the closest sources, by difflib on the
    whole path and on the file name (a selector is often just the file name)."""
    sources = documents.select(pl.col("source").unique()).collect()["source"].sort().to_list()
    wanted = selector.split("#", 1)[0]
    by_name = [source for source in sources if source.rsplit("/", 1)[-1] == wanted.rsplit("/", 1)[-1]]
    names = {source.rsplit("/", 1)[-1]: source for source in sources}
    close_names = [names[name] for name in difflib.get_close_matches(wanted.rsplit("/", 1)[-1], list(names), n=3)]
    suggestions = list(dict.fromkeys([*by_name, *difflib.get_close_matches(wanted, sources, n=3), *close_names]))[:3]
    if suggestions:
        hint = f"did you mean {' or '.join(repr(s) for s in suggestions)}?"
    elif re.fullmatch(r"[0-9a-fA-F]{1,7}", selector):
        hint = f"a doc id prefix needs at least {MIN_PREFIX} hex digits"
    else:
        hint = f"no close match among {len(sources):,} sources"
    return NoDocument(f"no document {selector!r}: no such source or doc id; {hint}", suggestions)


# ------------------------------------------------------------------ building views

def _segments(text: str, flags: list[tuple[int, dict[str, Any]]]) -> list[dict[str, Any]]:
    """``text`` cut into plain and flagged pieces (``flag`` = index into the view's flags).

    A flag's offsets are used when they still find its sentence; otherwise the sentence is
    looked up in the line; a flag that finds neither is listed but not highlighted.
    """
    spans = []
    for number, flag in flags:
        start, end = flag["char_start"], flag["char_end"]
        if start is None or end is None or text[start:end] != flag["sentence"]:
            start = text.find(flag["sentence"]) if flag["sentence"] else -1
            end = start + len(flag["sentence"])
        if start >= 0:
            spans.append((start, end, number))
    pieces: list[dict[str, Any]] = []
    at = 0
    for start, end, number in sorted(spans):
        if start < at:  # overlapping sentences: the earlier highlight wins
            continue
        if start > at:
            pieces.append({"text": text[at:start], "flag": None})
        pieces.append({"text": text[start:end], "flag": number})
        at = end
    if at < len(text) or not pieces:
        pieces.append({"text": text[at:], "flag": None})
    return pieces


def _line_view(line: dict[str, Any], flags: list[tuple[int, dict[str, Any]]]) -> dict[str, Any]:
    view = {key: line[key] for key in _LINE_COLUMNS}
    view["fixes"] = list(line["fixes"] or [])
    view["removed"] = line["status"] != "kept"
    view["flags"] = [number for number, _ in flags]
    view["segments"] = _segments(line["text"] or "", flags)
    return view


def _member(row: dict[str, Any]) -> dict[str, Any]:
    return {key: row[key] for key in ("doc_id", "source", "record", "title", "jaccard_to_canonical")}


def _cluster_view(document: dict[str, Any], members: pl.DataFrame) -> dict[str, Any]:
    """The near-duplicate cluster of ``document``: its id, size, canonical and a few others
    (neither this document nor the canonical).

    ``members`` are the cluster's rows of ``documents`` (non-canonical copies are missing from
    it when ``dedup.write_noncanonical_documents = false``; the size still counts them).
    """
    canonical = members.filter(pl.col("doc_id") == document["dup_cluster_id"])
    others = (members.filter(pl.col("doc_id") != document["doc_id"], pl.col("doc_id") != document["dup_cluster_id"])
              .sort("source", "record", "doc_id"))
    not_others = 1 if document["is_canonical"] else 2  # this document, and the canonical if another
    return {
        "id": document["dup_cluster_id"],
        "size": document["dup_cluster_size"],
        "is_canonical": document["is_canonical"],
        "jaccard_to_canonical": document["jaccard_to_canonical"],
        "canonical": _member(canonical.row(0, named=True)) if canonical.height else None,
        "others": [_member(row) for row in others.head(CLUSTER_MEMBERS_SHOWN).iter_rows(named=True)],
        "others_not_listed": max(0, int(document["dup_cluster_size"]) - not_others - min(others.height,
                                                                                         CLUSTER_MEMBERS_SHOWN)),
    }


def build_view(document: dict[str, Any], lines: pl.DataFrame, flags: pl.DataFrame, members: pl.DataFrame,
               manifest: dict[str, Any]) -> dict[str, Any]:
    """The view of one document from its own rows of ``lines`` and ``flags``, and the rows of
    ``documents`` of its near-duplicate cluster. Pure: frames in, a JSON-able dict out."""
    flag_rows = [{key: row[key] for key in _FLAG_COLUMNS}
                 for row in flags.sort(*FLAG_ORDER, nulls_last=True).iter_rows(named=True)]
    by_line: dict[int, list[tuple[int, dict[str, Any]]]] = {}
    for number, flag in enumerate(flag_rows):
        by_line.setdefault(flag["line_no"], []).append((number, flag))
    line_views = [_line_view(line, by_line.get(line["line_no"], []))
                  for line in lines.sort("line_no").iter_rows(named=True)]
    seen = [line["status"] for line in line_views]
    order = [*STATUSES, *sorted(set(seen) - set(STATUSES))]
    by_status = {status: seen.count(status) for status in order}
    head = {key: document[key] for key in ("doc_id", "source", "record", "title", "format", "encoding",
                                            "n_lines", "n_lines_kept")}
    head["n_lines_removed"] = int(document["n_lines"]) - int(document["n_lines_kept"])
    return {
        "output_dir": manifest.get("output_dir"),
        "run": {key: manifest.get(key) for key in ("run_id", "attempt", "finished_at")},
        "document": head,
        "cluster": _cluster_view(document, members),
        "counts": {"lines_by_status": {status: n for status, n in by_status.items() if n}, "flags": len(flag_rows)},
        "lines": line_views,
        "flags": flag_rows,
    }


def views_of(tables: RunTables, doc_ids: list[str]) -> list[dict[str, Any]]:
    """Views of several documents (in the order given), reading each table once."""
    if not doc_ids:
        return []
    wanted = pl.Series(doc_ids, dtype=pl.String).implode()
    documents = tables.documents.filter(pl.col("doc_id").is_in(wanted)).select(_DOCUMENT_COLUMNS).collect()
    clusters = documents["dup_cluster_id"].unique().implode()
    members = tables.documents.filter(pl.col("dup_cluster_id").is_in(clusters)).select(_DOCUMENT_COLUMNS).collect()
    lines = tables.lines.filter(pl.col("doc_id").is_in(wanted)).select("doc_id", *_LINE_COLUMNS).collect()
    flags = tables.flags.filter(pl.col("doc_id").is_in(wanted)).select("doc_id", *_FLAG_COLUMNS).collect()
    rows = {row["doc_id"]: row for row in documents.iter_rows(named=True)}
    return [build_view(rows[doc_id], lines.filter(pl.col("doc_id") == doc_id), flags.filter(pl.col("doc_id") == doc_id),
                       members.filter(pl.col("dup_cluster_id") == rows[doc_id]["dup_cluster_id"]), tables.manifest)
            for doc_id in doc_ids if doc_id in rows]


#: Flags in reading order, ties broken by every column that tells two flags of one sentence
#: apart (polars' sort is not stable: without them, which highlight wins could change).
FLAG_ORDER = ("line_no", "sentence_no", "kind", "char_start", "conflicts_with_line_no", "conflicts_with_sentence_no")


def document_view(output_dir: Any, selector: str, run_id: str | None = None) -> dict[str, Any]:
    """The view of the document ``selector`` names, in the latest run's tables (or run ``run_id``'s).

    Raises :class:`NoRun`, :class:`NoDocument` or :class:`AmbiguousSelector`.
    """
    tables = run_tables(output_dir, run_id)
    doc_id = resolve(tables.documents, selector)
    views = views_of(tables, [doc_id])
    if not views:  # pragma: no cover - resolve found it in the same table version
        raise NoDocument(f"no document {selector!r}", [])
    return views[0]
