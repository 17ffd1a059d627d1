"""``textwash show``: one document in the terminal, as :mod:`cleaners.document_view` sees it.

Kept lines are plain; removed lines (any status but ``kept``) are dimmed, struck through and
marked ``✗`` with their reason; flagged sentences are highlighted, with the flag's explanation
under the line. Without colour (a pipe, ``NO_COLOR``) the marks carry the meaning alone:
``✗`` for a removed line, ``⟦…⟧`` around a flagged sentence. All text is added as
:class:`rich.text.Text`, never as markup, so scraped text holding ``[bold]`` stays text.
"""

from __future__ import annotations

import json
import shlex
import sys
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from cleaners.document_view import AmbiguousSelector, SelectorError, document_view

REMOVED = "dim strike"
FLAGGED = "bold black on yellow"
SEVERITY = {"high": "bold red", "medium": "yellow", "low": "cyan"}


def _document_name(item: dict[str, Any]) -> str:
    return f"{item['source']}#{item['record']}" if item.get("record") is not None else item["source"]


def cluster_text(cluster: dict[str, Any]) -> Text:
    """One paragraph on the near-duplicate cluster: alone, or its id, size, canonical, others."""
    if cluster["size"] <= 1:
        return Text("alone: no near-duplicate document", style="dim")
    text = Text(f"{cluster['id']}: {cluster['size']:,} near-duplicate documents; ")
    if cluster["is_canonical"]:
        text.append("this is the canonical one", style="bold")
    else:
        canonical = cluster["canonical"]
        text.append(f"Jaccard {cluster['jaccard_to_canonical']:.2f} to the canonical ")
        text.append(_document_name(canonical) if canonical else cluster["id"], style="bold")
    if cluster["others"]:
        text.append("; others: " + ", ".join(_document_name(other) for other in cluster["others"]))
    if cluster["others_not_listed"]:
        text.append(f" and {cluster['others_not_listed']:,} more")
    return text


def header(view: dict[str, Any]) -> Table:
    """Source, record, title, doc id, line counts, cluster and run, as a two-column grid."""
    document, counts = view["document"], view["counts"]
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(overflow="fold")
    by_status = ", ".join(f"{number:,} {status}" for status, number in counts["lines_by_status"].items())
    rows = [
        ("source", Text(f"{document['source']}  (record {document['record']}, {document['format']}, "
                        f"{document['encoding']})")),
        ("title", Text(document["title"] or "(no title)", style="bold")),
        ("doc_id", Text(document["doc_id"])),
        ("lines", Text(f"{document['n_lines']:,}: {by_status}" + (f"; {counts['flags']:,} flagged sentence"
                                                                   f"{'s' if counts['flags'] > 1 else ''}"
                                                                   if counts["flags"] else ""))),
        ("cluster", cluster_text(view["cluster"])),
        ("run", Text(f"{view['run']['run_id']} (attempt {view['run']['attempt']}) in {view['output_dir']}",
                     style="dim")),
    ]
    for name, value in rows:
        grid.add_row(name, value)
    return grid


def line_text(line: dict[str, Any], marks: bool) -> Text:
    """A line's text with its flagged sentences highlighted (and bracketed when ``marks``)."""
    if line["removed"]:
        if not line["text"]:
            return Text(f"∅ {line['reason']}", style="dim italic")
        return Text(line["text"], style=REMOVED)
    text = Text()
    for segment in line["segments"]:
        if segment["flag"] is None:
            text.append(segment["text"])
        else:
            text.append(f"⟦{segment['text']}⟧" if marks else segment["text"], style=FLAGGED)
    return text


def notes(line: dict[str, Any], flags: list[dict[str, Any]]) -> list[Text]:
    """What is said under a line: why it was removed, what fixed it, why it was flagged."""
    found = []
    if line["removed"] and line["text"]:
        found.append(Text(f"╰ {line['reason']}", style="dim italic"))
    if line["fixes"]:
        found.append(Text(f"╰ fixed: {', '.join(line['fixes'])}", style="dim"))
    for number in line["flags"]:
        flag = flags[number]
        note = Text("⚑ ")
        note.append(f"{flag['kind']} ({flag['severity']})", style=SEVERITY.get(flag["severity"], "bold"))
        note.append(f": {flag['explanation']}")
        found.append(note)
    return found


def body(view: dict[str, Any], marks: bool) -> Table:
    """Every line in order: number, ``│`` (kept) or ``✗`` (removed), text, then its notes."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(justify="right", style="dim", no_wrap=True)
    grid.add_column(no_wrap=True)
    grid.add_column(overflow="fold")
    attached = set()
    for line in view["lines"]:
        attached.update(line["flags"])
        grid.add_row(str(line["line_no"]), Text("✗", style="red") if line["removed"] else Text("│", style="dim"),
                     line_text(line, marks))
        for note in notes(line, view["flags"]):
            grid.add_row("", "", note)
    for number, flag in enumerate(view["flags"]):  # a flag on a line not in the table (the title)
        if number not in attached:
            grid.add_row(str(flag["line_no"]), Text("⚑"), Text(f"{flag['sentence']} — {flag['explanation']}"))
    return grid


def render(view: dict[str, Any], console: Console) -> None:
    """Print a document view: header, a rule, then every line."""
    console.print(header(view))
    console.rule(style="dim")
    console.print(body(view, marks=console.color_system is None))


def ambiguous_lines(error: AmbiguousSelector, output_dir: str) -> list[str]:
    """How to pick one document: a ``textwash show`` command per choice."""
    lines = [f"textwash show: {error}:"]
    for choice in error.choices:
        title = (choice["title"] or "")[:60]
        lines.append(f"  textwash show {shlex.quote(choice['selector'])} {shlex.quote(output_dir)}"
                     f"    # {choice['doc_id']}  {title}")
    if error.total > len(error.choices):
        lines.append(f"  … and {error.total - len(error.choices):,} more")
    return lines


def show(selector: str, output_dir: str, run_id: str | None = None, as_json: bool = False) -> int:
    """``textwash show``: print the document or its JSON; errors to stderr, exit code 1."""
    try:
        view = document_view(output_dir, selector, run_id)
    except AmbiguousSelector as error:
        print("\n".join(ambiguous_lines(error, output_dir)), file=sys.stderr)
        return 1
    except SelectorError as error:
        print(f"textwash show: {error}", file=sys.stderr)
        return 1
    if as_json:
        print(json.dumps(view, ensure_ascii=False))
    else:
        render(view, Console())
    return 0
