"""One document view (:mod:`cleaners.document_view`) as HTML, the way ``textwash show`` prints it.

Kept lines are plain; removed lines are ``<del>`` (dimmed, struck through) with their reason;
flagged sentences are ``<mark>`` with the flag's kind and explanation under the line. Every
piece of text goes through :func:`html.escape`.
"""

from __future__ import annotations

from html import escape
from typing import Any


def _name(item: dict[str, Any]) -> str:
    return f"{item['source']}#{item['record']}" if item.get("record") is not None else str(item["source"])


def anchor(doc_id: str) -> str:
    """The id of a document's ``<article>`` in the report (flags link to it)."""
    return f"doc-{escape(doc_id)}"


def cluster_html(cluster: dict[str, Any]) -> str:
    """The near-duplicate cluster in one sentence: alone, or id, size, canonical, a few others."""
    if cluster["size"] <= 1:
        return '<span class="muted">alone: no near-duplicate document</span>'
    parts = [f"<code>{escape(cluster['id'])}</code>: {cluster['size']:,} near-duplicate documents; "]
    if cluster["is_canonical"]:
        parts.append("<strong>this is the canonical one</strong>")
    else:
        canonical = cluster["canonical"]
        parts.append(f"Jaccard {cluster['jaccard_to_canonical']:.2f} to the canonical "
                     f"<strong>{escape(_name(canonical) if canonical else cluster['id'])}</strong>")
    if cluster["others"]:
        parts.append("; others: " + ", ".join(escape(_name(other)) for other in cluster["others"]))
    if cluster["others_not_listed"]:
        parts.append(f" and {cluster['others_not_listed']:,} more")
    return "".join(parts)


#: Characters of one line shown in the report (a scraped "line" can be a whole page).
MAX_LINE_CHARS = 4000


def _cut(text: str, budget: int) -> str:
    return escape(text if len(text) <= budget else text[:budget])


def _text_html(line: dict[str, Any], flags: list[dict[str, Any]]) -> str:
    text = line["text"]
    more = len(text) - MAX_LINE_CHARS
    rest = f' <span class="muted">… {more:,} more characters</span>' if more > 0 else ""
    if line["removed"]:
        if not text:
            return f'<span class="blank">∅ {escape(line["reason"])}</span>'
        return f"<del>{_cut(text, MAX_LINE_CHARS)}</del>{rest}"
    skip = _window_start(line["segments"])
    more = len(text) - skip - MAX_LINE_CHARS
    rest = f' <span class="muted">… {more:,} more characters</span>' if more > 0 else ""
    pieces, budget = ([f'<span class="muted">… {skip:,} characters …</span> '] if skip else []), MAX_LINE_CHARS
    for segment in line["segments"]:
        if budget <= 0:
            break
        segment_text = segment["text"][skip:]
        skip = max(skip - len(segment["text"]), 0)
        if not segment_text:
            continue
        shown, budget = _cut(segment_text, budget), budget - len(segment_text)
        if segment["flag"] is None:
            pieces.append(shown)
        else:
            flag = flags[segment["flag"]]
            pieces.append(f'<mark class="sev-{escape(flag["severity"])}" title="{escape(flag["explanation"])}">'
                          f"{shown}</mark>")
    return "".join(pieces) + rest


def _window_start(segments: list[dict[str, Any]]) -> int:
    """Where the shown part of a long line starts: at 0, unless its first flagged sentence lies
    past :data:`MAX_LINE_CHARS`; then a little before that sentence, so the highlight is shown."""
    offset = 0
    for segment in segments:
        if segment["flag"] is not None:
            end = offset + len(segment["text"])
            return 0 if end <= MAX_LINE_CHARS else max(offset - 200, 0)
        offset += len(segment["text"])
    return 0


def _notes_html(line: dict[str, Any], flags: list[dict[str, Any]]) -> str:
    notes = []
    if line["removed"] and line["text"]:
        notes.append(f'<div class="reason">{escape(line["reason"])}</div>')
    if line["fixes"]:
        notes.append(f'<div class="fixes">fixed: {escape(", ".join(line["fixes"]))}</div>')
    for number in line["flags"]:
        flag = flags[number]
        notes.append(f'<div class="flag-note sev-{escape(flag["severity"])}">⚑ <strong>{escape(flag["kind"])}</strong> '
                     f"({escape(flag['severity'])}): {escape(flag['explanation'])}</div>")
    return "".join(notes)


def line_html(line: dict[str, Any], flags: list[dict[str, Any]]) -> str:
    """One line: its number, its text, then its reason, fixes and flags."""
    classes = ["line", "removed" if line["removed"] else "kept", f"status-{escape(line['status'])}"]
    if line["flags"]:
        classes.append("flagged")
    return (f'<div class="{" ".join(classes)}" data-line="{line["line_no"]}"><span class="no">{line["line_no"]}</span>'
            f'<div class="body"><span class="text">{_text_html(line, flags)}</span>{_notes_html(line, flags)}</div></div>')


def document_html(view: dict[str, Any], why: str, max_lines: int, open_: bool = True) -> str:
    """A document view as an ``<article>`` (in a ``<details>``, open unless told): header, then
    at most ``max_lines`` lines, saying how many more there are."""
    document, counts = view["document"], view["counts"]
    by_status = ", ".join(f"{number:,} {escape(status)}" for status, number in counts["lines_by_status"].items())
    lines = view["lines"][:max_lines]
    more = len(view["lines"]) - len(lines)
    unattached = [flag for number, flag in enumerate(view["flags"])
                  if not any(number in line["flags"] for line in view["lines"])]
    return "".join([
        f'<details class="document"{" open" if open_ else ""}><summary><span class="why">{escape(why)}</span> '
        f"<strong>{escape(_name(document))}</strong> — {escape(document['title'] or '(no title)')} "
        f'<span class="muted">({document["n_lines"]:,} lines: {by_status}'
        f"{'; ' + str(counts['flags']) + ' flagged' if counts['flags'] else ''})</span></summary>",
        f'<article id="{anchor(document["doc_id"])}">',
        '<dl class="doc-head">',
        f"<dt>source</dt><dd>{escape(document['source'])} (record {escape(str(document['record']))}, "
        f"{escape(document['format'])}, {escape(document['encoding'])})</dd>",
        f"<dt>title</dt><dd><strong>{escape(document['title'] or '(no title)')}</strong></dd>",
        f"<dt>doc_id</dt><dd><code>{escape(document['doc_id'])}</code></dd>",
        f"<dt>lines</dt><dd>{document['n_lines']:,}: {by_status}</dd>",
        f"<dt>cluster</dt><dd>{cluster_html(view['cluster'])}</dd>",
        "</dl>",
        *(f'<div class="flag-note">⚑ line {flag["line_no"]}: {escape(flag["sentence"])} — '
          f"{escape(flag['explanation'])}</div>" for flag in unattached),
        '<div class="lines">', *(line_html(line, view["flags"]) for line in lines), "</div>",
        f'<p class="muted">… {more:,} more lines: <code>textwash show {escape(document["doc_id"])}</code></p>'
        if more else "",
        "</article></details>",
    ])
