"""The report page: :class:`cleaners.html_report.ReportData` in, one HTML string out.

Sections: overview, charts, boilerplate families, duplicate families (near-duplicate documents,
repeated paragraphs), flags, rejects, sampled documents. Styles and the one small script are
inline; the page loads nothing. Escaping is done here and in :mod:`cleaners.html_document`, at
the point where text meets markup.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING, Any

from cleaners.html_charts import bar_chart, column_chart, size_bins
from cleaners.html_document import anchor, document_html

if TYPE_CHECKING:
    from cleaners.html_report import ReportData

STATUS_COLOURS = {"kept": "#4f9a5b", "empty": "#9aa3ad", "duplicate": "#d9822b", "boilerplate": "#7a5cc0"}
KIND_COLOURS = {"contradiction": "#c0392b", "numeric_conflict": "#d9822b", "double_negation": "#c9a227"}

STYLE = """
:root { --ink:#1d2329; --muted:#667380; --line:#dde2e7; --bg:#ffffff; --soft:#f4f6f8; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
       color: var(--ink); background: var(--bg); }
header.top { background: #1f3a5f; color: #fff; padding: 18px 28px; }
header.top h1 { margin: 0 0 4px; font-size: 22px; }
header.top p { margin: 0; opacity: .85; }
main { padding: 8px 28px 40px; max-width: 1280px; }
h2 { margin: 28px 0 10px; font-size: 18px; border-bottom: 2px solid var(--line); padding-bottom: 4px; }
table { border-collapse: collapse; margin: 6px 0 12px; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: 5px 8px; border-bottom: 1px solid var(--line); }
th { background: var(--soft); font-weight: 600; }
td.n, th.n { text-align: right; white-space: nowrap; }
table.overview { width: auto; }
table.overview th { background: none; width: 11em; }
.charts { display: flex; flex-wrap: wrap; gap: 18px; }
figure { margin: 0; padding: 10px 12px; border: 1px solid var(--line); border-radius: 6px; background: #fff; }
figcaption { font-weight: 600; margin-bottom: 6px; }
svg.chart text { fill: var(--ink); font-family: inherit; }
svg.chart text.empty, svg.chart text.axis { fill: var(--muted); }
code { font: 12px/1.4 ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; background: var(--soft);
       padding: 0 3px; border-radius: 3px; }
.muted { color: var(--muted); }
.quote { font-style: italic; }
ul.examples { margin: 0; padding-left: 18px; }
details.document { border: 1px solid var(--line); border-radius: 6px; margin: 10px 0; background: #fff; }
details.document > summary { cursor: pointer; padding: 8px 12px; background: var(--soft); }
.why { display: inline-block; font-size: 11px; text-transform: uppercase; letter-spacing: .04em; color: #fff;
       background: #1f3a5f; border-radius: 3px; padding: 0 5px; margin-right: 4px; }
article { padding: 6px 12px 10px; }
dl.doc-head { display: grid; grid-template-columns: 6em 1fr; gap: 2px 10px; margin: 4px 0 10px; }
dl.doc-head dt { font-weight: 600; color: var(--muted); }
dl.doc-head dd { margin: 0; }
.line { display: grid; grid-template-columns: 3.2em 1fr; gap: 8px; padding: 2px 0; border-top: 1px solid #f0f2f4; }
.line.status-empty { padding: 0; font-size: 12px; }
.line .no { color: var(--muted); text-align: right; font-variant-numeric: tabular-nums; }
.line.removed .text, .line.removed del { color: #98a1aa; }
.line.removed .no::after { content: " ✗"; color: #c0392b; }
.blank { color: #b7bec5; font-size: 12px; font-style: italic; }
.reason { color: var(--muted); font-size: 12px; font-style: italic; }
.fixes { color: #2a7a9c; font-size: 12px; }
mark { background: #ffe066; color: #1d2329; padding: 0 2px; border-radius: 2px; }
mark.sev-high { background: #ffc9c2; box-shadow: inset 0 -2px #c0392b; }
mark.sev-medium { background: #ffe0b3; }
.flag-note { font-size: 12px; margin: 2px 0; color: #8a2d22; }
.flag-note.sev-medium { color: #8a5a12; }
.flag-note.sev-low { color: #6d5c0c; }
body.compact .line.kept:not(.flagged) { display: none; }
.toolbar { margin: 8px 0; }
"""

#: The page's only script: show only removed and flagged lines in the sampled documents.
SCRIPT = """
document.getElementById("compact").addEventListener("change", function (event) {
  document.body.classList.toggle("compact", event.target.checked);
});
"""


def _e(value: Any) -> str:
    return escape("" if value is None else str(value))


def _n(value: Any) -> str:
    return f"{value:,}" if isinstance(value, int) else _e(value)


def _table(headers: list[str], rows: list[list[str]], numeric: set[int] | None = None, cls: str = "") -> str:
    """A table from already-escaped cells (``numeric``: right-aligned columns)."""
    numeric = numeric or set()
    head = "".join(f'<th{" class=n" if i in numeric else ""}>{_e(h)}</th>' for i, h in enumerate(headers))
    body = "".join("<tr>" + "".join(f'<td{" class=n" if i in numeric else ""}>{cell}</td>'
                                    for i, cell in enumerate(row)) + "</tr>" for row in rows)
    return f'<table{f" class={cls}" if cls else ""}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _more(total: int, shown: int, what: str) -> str:
    return f'<p class="muted">… and {total - shown:,} more {_e(what)}.</p>' if total > shown else ""


def overview(data: ReportData) -> str:
    """Files, bytes, documents, lines, flags, rejects, time and where the output is."""
    manifest = data.manifest
    files, counts = manifest["files"], manifest["counts"]
    rows = [
        ("run id", f"<code>{_e(manifest['run_id'])}</code> ({_e(manifest.get('kind', 'full'))}; attempt "
                   f"<code>{_e(manifest.get('attempt'))}</code>)"),
        ("input", f"<code>{_e(manifest['input_dir'])}</code>"),
        ("output", f"<code>{_e(manifest.get('output_dir'))}</code>"),
        ("files", f"{files['count']:,} ({files['bytes']:,} bytes): "
                  + ", ".join(f"{_n(n)} {_e(k)}" for k, n in files.get("by_format", {}).items())),
        ("encodings", ", ".join(f"{_n(n)} {_e(k)}" for k, n in files.get("by_encoding", {}).items()) or "–"),
        ("documents", f"{counts['documents']:,} ({counts.get('documents_noncanonical', 0):,} near-duplicates of another)"),
        ("lines", f"{counts['lines']:,} ("
                  + ", ".join(f"{n:,} {_e(s)}" for s, n in data.lines_by_status) + ")"),
        ("flags", f"{counts.get('flags', 0):,}"),
        ("rejects", f"{counts.get('rejects', 0):,}"
                    + (" (" + ", ".join(f"{_n(n)} {_e(r)}" for r, n in counts.get("rejects_by_reason", {}).items()) + ")"
                       if counts.get("rejects") else "")),
        ("time", f"{manifest.get('duration_s', 0):.1f} s, {_e(manifest.get('started_at'))} → "
                 f"{_e(manifest.get('finished_at'))}"),
        ("versions", f"textwash {_e(manifest.get('versions', {}).get('textwash'))}, schema "
                     f"{_e(manifest.get('schema_version'))}"),
    ]
    return ('<h2 id="overview">Overview</h2><table class="overview"><tbody>'
            + "".join(f"<tr><th>{_e(key)}</th><td>{value}</td></tr>" for key, value in rows) + "</tbody></table>")


def charts(data: ReportData) -> str:
    """The five charts, each from the data it is drawn from."""
    singles = data.manifest["counts"]["documents"] - sum(size * n for size, n in data.cluster_sizes.items())
    figures = [
        ("Lines by status", bar_chart("lines-by-status", "lines by status", data.lines_by_status, STATUS_COLOURS)),
        ("Lines changed by each fix", bar_chart("fixes", "lines changed by each fix", data.fixes,
                                                empty="no line needed a fix")),
        ("Top boilerplate families (documents)",
         bar_chart("boilerplate", "documents per boilerplate family",
                   [(row["cluster_text"] or "", int(row["documents"] or 0)) for row in data.boilerplate],
                   empty="no boilerplate")),
        (f"Near-duplicate clusters by size ({max(singles, 0):,} documents alone)",
         column_chart("cluster-sizes", "near-duplicate document clusters by size", size_bins(data.cluster_sizes),
                      "documents in the cluster", empty="no near-duplicate documents")),
        ("Flags by kind", bar_chart("flags-by-kind", "flags by kind", data.flags_by_kind, KIND_COLOURS,
                                    empty="no flags")),
    ]
    return ('<h2 id="charts">Charts</h2><div class="charts">'
            + "".join(f"<figure><figcaption>{_e(title)}</figcaption>{svg}</figure>" for title, svg in figures)
            + "</div>")


def _examples(values: list[Any]) -> str:
    return '<ul class="examples">' + "".join(f'<li class="quote">{_e(v)}</li>' for v in values) + "</ul>"


def families(data: ReportData) -> str:
    """The top boilerplate families and duplicate families, each with example text."""
    parts = ['<h2 id="boilerplate">Top boilerplate families</h2>']
    if data.boilerplate:
        parts.append(_table(["cluster text", "documents", "lines", "spellings", "examples (as written)", "sources"], [
            [f'<span class="quote">{_e(row["cluster_text"])}</span><br><code>{_e(row["boilerplate_cluster_id"])}</code>',
             _n(row["documents"]), _n(row["lines"]), _n(row["variants"]), _examples(row["examples"]),
             "<br>".join(_e(s) for s in row["sources"])] for row in data.boilerplate], numeric={1, 2, 3}))
    else:
        parts.append('<p class="muted">No boilerplate in this run.</p>')
    parts.append('<h2 id="duplicates">Top duplicate families</h2><h3>Near-duplicate documents</h3>')
    if data.document_clusters:
        parts.append(_table(["size", "canonical", "title and opening", "members"], [
            [_n(row["size"]), f'{_e(row["canonical"])}<br><code>{_e(row["dup_cluster_id"])}</code>',
             f'<strong>{_e(row["title"])}</strong><div class="quote">{_e(_short(row["opening"] or "", 300))}</div>',
             "<br>".join(_e(m) for m in row["members"])] for row in data.document_clusters], numeric={0}))
    else:
        parts.append('<p class="muted">No near-duplicate documents in this run.</p>')
    parts.append("<h3>Repeated paragraphs (copies of a line of another document)</h3>")
    if data.repeated_paragraphs:
        parts.append(_table(["copies", "documents", "first occurrence", "text", "copied in"], [
            [_n(row["copies"]), _n(row["documents"]),
             f'{_e(row["first_source"])} line {_n(row["duplicate_of_line_no"])}',
             f'<span class="quote">{_e(_short(row["example"], 600))}</span>', "<br>".join(_e(s) for s in row["sources"])]
            for row in data.repeated_paragraphs], numeric={0, 1}))
    else:
        parts.append('<p class="muted">No repeated paragraphs in this run.</p>')
    return "".join(parts)


def flags(data: ReportData, sampled: set[str]) -> str:
    """Every flag (capped), most severe first: where, sentence, explanation, what it conflicts with."""
    total = data.manifest["counts"].get("flags", 0)
    parts = [f'<h2 id="flags">Flags ({total:,})</h2>']
    if not data.flags:
        return parts[0] + '<p class="muted">No sentence was flagged.</p>'

    def where(row: dict[str, Any]) -> str:
        text = f"{_e(row['source'])} line {row['line_no']}.{row['sentence_no']}"
        return f'<a href="#{anchor(row["doc_id"])}">{text}</a>' if row["doc_id"] in sampled else text

    parts.append(_table(["kind", "where", "sentence", "explanation", "conflicts with"], [
        [f"{_e(row['kind'])}<br><span class=muted>{_e(row['severity'])}</span>", where(row),
         f'<mark class="sev-{_e(row["severity"])}">{_e(_short(row["sentence"], 1000))}</mark>', _e(row["explanation"]),
         f'<span class="quote">{_e(row["conflicts_with_text"])}</span>' if row["conflicts_with_text"] else "–"]
        for row in data.flags], cls="flags"))
    parts.append(_more(total, len(data.flags), "in the flags table"))
    return "".join(parts)


def rejects(data: ReportData) -> str:
    total = data.manifest["counts"].get("rejects", 0)
    if not total:
        return '<h2 id="rejects">Rejects (0)</h2><p class="muted">Every input became a document.</p>'
    return (f'<h2 id="rejects">Rejects ({total:,}: not part of the output; the run went on)</h2>'
            + _table(["source", "record", "reason", "detail"],
                     [[_e(r["source"]), _e(r["record"] or ""), _e(r["reason"]), _e(r["detail"])] for r in data.rejects])
            + _more(total, len(data.rejects), "in the rejects table"))


def samples(data: ReportData) -> str:
    """The sampled documents, rendered like ``textwash show``."""
    head = ('<h2 id="documents">Sample of documents</h2><p class="muted">Every flagged document (at most '
            f"{data.limits.flagged_documents}) and the {data.limits.removed_documents} with the most lines removed "
            "(duplicate or boilerplate first, then any). "
            "Removed lines are struck through with their reason; flagged sentences are highlighted.</p>"
            '<p class="toolbar"><label><input type="checkbox" id="compact"> only removed and flagged lines</label></p>')
    if not data.samples:
        return head + '<p class="muted">No document to show.</p>'
    return head + "".join(document_html(view, why, data.limits.lines_per_document, open_=index < 5)
                          for index, (why, view) in enumerate(data.samples))


def page(data: ReportData) -> str:
    """The whole report."""
    manifest = data.manifest
    sampled = {view["document"]["doc_id"] for _, view in data.samples}
    nav = " · ".join(f'<a href="#{key}" style="color:#fff">{label}</a>' for key, label in [
        ("overview", "overview"), ("charts", "charts"), ("boilerplate", "boilerplate"), ("duplicates", "duplicates"),
        ("flags", "flags"), ("rejects", "rejects"), ("documents", "documents")])
    return "".join([
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>textwash run {_e(manifest['run_id'])}</title><style>{STYLE}</style></head><body>",
        f'<header class="top"><h1>textwash run <code style="background:none;color:#fff;font-size:20px">'
        f"{_e(manifest['run_id'])}</code></h1><p>{_e(manifest['input_dir'])} → {_e(manifest.get('output_dir'))} · "
        f"finished {_e(manifest.get('finished_at'))}</p><p>{nav}</p></header><main>",
        overview(data), charts(data), families(data), flags(data, sampled), rejects(data), samples(data),
        f'<p class="muted">Written by textwash {_e(manifest.get("versions", {}).get("textwash"))}; regenerate with '
        f"<code>textwash report {_e(manifest.get('output_dir'))} --run {_e(manifest['run_id'])}</code>.</p>",
        f"</main><script>{SCRIPT}</script></body></html>\n",
    ])
