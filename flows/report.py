"""The run summary as markdown (for the Prefect artifact) — plain text in, plain text out."""

from __future__ import annotations

from typing import Any


def _table(header: tuple[str, str], rows: list[tuple[Any, Any]]) -> str:
    lines = [f"| {header[0]} | {header[1]} |", "|---|---:|"]
    lines += [f"| {key} | {value:,} |" if isinstance(value, int) else f"| {key} | {value} |" for key, value in rows]
    return "\n".join(lines)


def run_markdown(manifest: dict[str, Any], rejects: list[dict[str, Any]] | None = None) -> str:
    """Markdown summary of one run: counts per status, per reject reason, and the rejects."""
    counts = manifest["counts"]
    parts = [
        f"# textwash run `{manifest['run_id']}`",
        f"{manifest['files']['count']:,} files ({manifest['files']['bytes']:,} bytes) → "
        f"{counts['documents']:,} documents, {counts['lines']:,} lines, {counts.get('flags', 0):,} flags, "
        f"{counts['rejects']:,} rejects "
        f"in {manifest['duration_s']:.1f} s.",
        "## Lines by status",
        _table(("status", "lines"), list(counts["lines_by_status"].items())),
        "## Flags by kind",
        _table(("kind", "flags"), list(counts.get("flags_by_kind", {}).items())) if counts.get("flags") else "None.",
        "## Rejects by reason",
        _table(("reason", "rejects"), list(counts["rejects_by_reason"].items())) if counts["rejects"] else "None.",
    ]
    if rejects:
        parts.append("## Rejects")
        parts.append("| source | record | reason | detail |\n|---|---|---|---|")
        parts[-1] += "".join(
            f"\n| {r['source']} | {r['record'] or ''} | {r['reason']} | {str(r['detail']).replace('|', '/')[:200]} |"
            for r in rejects[:50]
        )
        if len(rejects) > 50:
            parts.append(f"…and {len(rejects) - 50:,} more in the `rejects` table.")
    return "\n\n".join(parts) + "\n"
