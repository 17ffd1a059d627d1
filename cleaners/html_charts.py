"""Inline SVG charts for the HTML report: plain strings, no script, no external file.

Each chart is an ``<svg class="chart" data-chart="ID">`` whose marks are ``<g class="mark"
data-label="…" data-value="N">`` groups holding one ``<rect class="bar">``, so a test (or a
reader's script) can count the marks and read their values back. Every label is escaped: the
labels are scraped text (boilerplate lines). Output depends only on the items given, in order.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape

#: Bar colours, in order, for labels without a colour of their own.
PALETTE = ("#3b6fb6", "#d9822b", "#4f9a5b", "#b0457c", "#7a5cc0", "#2a9ca3", "#a36b2a", "#5c6b7a")
LABEL_WIDTH = 230
BAR_WIDTH = 260
ROW = 24
FONT = 12


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _number(value: float) -> str:
    return f"{value:,}" if isinstance(value, int) else f"{value:,.2f}"


def _svg(chart_id: str, title: str, width: int, height: int, inner: list[str]) -> str:
    return (f'<svg class="chart" data-chart="{escape(chart_id)}" xmlns="http://www.w3.org/2000/svg" role="img" '
            f'width="{width}" height="{height}" viewBox="0 0 {width} {height}">'
            f"<title>{escape(title)}</title>{''.join(inner)}</svg>")


def _empty(chart_id: str, title: str, message: str) -> str:
    return _svg(chart_id, title, LABEL_WIDTH + BAR_WIDTH, ROW * 2,
                [f'<text class="empty" x="8" y="{ROW}" font-size="{FONT}">{escape(message)}</text>'])


def bar_chart(chart_id: str, title: str, items: Sequence[tuple[str, float]],
              colours: Mapping[str, str] | None = None, empty: str = "none in this run") -> str:
    """A horizontal bar chart, one bar per ``(label, value)``, labels cut at 32 characters
    (the whole label is the bar's tooltip)."""
    if not items:
        return _empty(chart_id, title, empty)
    top = max(value for _, value in items) or 1
    inner = []
    for row, (label, value) in enumerate(items):
        y = row * ROW + 4
        length = max(2, round(BAR_WIDTH * value / top)) if value else 0
        colour = (colours or {}).get(label, PALETTE[row % len(PALETTE)])
        inner.append(
            f'<g class="mark" data-label="{escape(label)}" data-value="{value}">'
            f"<title>{escape(label)}: {_number(value)}</title>"
            f'<text x="{LABEL_WIDTH - 6}" y="{y + ROW * 0.6:.1f}" text-anchor="end" font-size="{FONT}">'
            f"{escape(_short(label, 32))}</text>"
            f'<rect class="bar" x="{LABEL_WIDTH}" y="{y}" width="{length}" height="{ROW - 8}" fill="{colour}"/>'
            f'<text x="{LABEL_WIDTH + length + 4}" y="{y + ROW * 0.6:.1f}" font-size="{FONT}">{_number(value)}</text>'
            "</g>")
    return _svg(chart_id, title, LABEL_WIDTH + BAR_WIDTH + 70, len(items) * ROW + 8, inner)


def column_chart(chart_id: str, title: str, items: Sequence[tuple[str, float]], x_title: str,
                 empty: str = "none in this run") -> str:
    """A vertical bar chart (a histogram when the labels are bins), bars left to right in order."""
    if not items:
        return _empty(chart_id, title, empty)
    height, column, left, top_margin = 150, max(18, min(48, 480 // len(items))), 16, 20
    base = top_margin + height
    top = max(value for _, value in items) or 1
    inner = [f'<line x1="{left}" y1="{base}" x2="{left + column * len(items)}" y2="{base}" stroke="#888"/>']
    for index, (label, value) in enumerate(items):
        x = left + index * column
        size = max(2, round(height * value / top)) if value else 0
        inner.append(
            f'<g class="mark" data-label="{escape(label)}" data-value="{value}">'
            f"<title>{escape(label)}: {_number(value)}</title>"
            f'<rect class="bar" x="{x + 2}" y="{base - size}" width="{column - 4}" height="{size}" fill="{PALETTE[0]}"/>'
            f'<text x="{x + column / 2:.1f}" y="{base - size - 4}" text-anchor="middle" font-size="{FONT - 1}">'
            f"{_number(value)}</text>"
            f'<text x="{x + column / 2:.1f}" y="{base + 14}" text-anchor="middle" font-size="{FONT - 1}">'
            f"{escape(_short(label, 8))}</text></g>")
    inner.append(f'<text x="{left}" y="{base + 32}" font-size="{FONT}" class="axis">{escape(x_title)}</text>')
    return _svg(chart_id, title, max(left + column * len(items) + 20, 260), base + 40, inner)


def size_bins(sizes: Mapping[int, int], exact_up_to: int = 12) -> list[tuple[str, int]]:
    """``size → count`` as histogram bins: every size when there are few distinct ones, else
    2, 3, 4, then doubling ranges (5–8, 9–16, …) with the empty bins between kept."""
    if not sizes:
        return []
    if len(sizes) <= exact_up_to:
        return [(str(size), count) for size, count in sorted(sizes.items())]
    bins: list[tuple[int, int]] = [(2, 2), (3, 3), (4, 4)]
    while bins[-1][1] < max(sizes):
        low = bins[-1][1] + 1
        bins.append((low, 2 * (low - 1)))
    found = [(low, high, sum(count for size, count in sizes.items() if low <= size <= high)) for low, high in bins]
    while found and found[-1][2] == 0:
        found.pop()
    return [(str(low) if low == high else f"{low}–{high}", count) for low, high, count in found]
