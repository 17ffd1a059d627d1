"""The run summary as markdown (for the Prefect artifact) — plain text in, plain text out —
and the artifact keys, one history per output folder."""

from __future__ import annotations

import re
from typing import Any

from cleaners.hashing import stable_hex


def folder_key(output_uri: str) -> str:
    """A Prefect artifact key part for an output folder: a slug of its name and a short stable
    hash of its whole path or URL (keys allow only lowercase letters, digits and dashes), so
    ``data/clean`` and ``/srv/news/clean`` keep two histories: ``clean-1f2e3d4c`` and another."""
    name = output_uri.rstrip("/").rsplit("/", 1)[-1]
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:40].strip("-") or "output"
    return f"{slug}-{stable_hex(output_uri.rstrip('/'), digest_size=4)}"


def artifact_key(kind: str, output_uri: str) -> str:
    """``textwash-<kind>-<folder key>``, e.g. ``textwash-run-clean-1f2e3d4c``."""
    return f"textwash-{kind}-{folder_key(output_uri)}"


def _table(header: tuple[str, str], rows: list[tuple[Any, Any]]) -> str:
    lines = [f"| {header[0]} | {header[1]} |", "|---|---:|"]
    lines += [f"| {key} | {value:,} |" if isinstance(value, int) else f"| {key} | {value} |" for key, value in rows]
    return "\n".join(lines)


def run_markdown(manifest: dict[str, Any], rejects: list[dict[str, Any]] | None = None,
                 report: str | None = None) -> str:
    """Markdown summary of one run: where its output and HTML report are (``report`` None: it
    could not be written), counts per status, per reject reason, and the rejects."""
    counts = manifest["counts"]
    parts = [
        f"# textwash run `{manifest['run_id']}`",
        f"{manifest['files']['count']:,} files ({manifest['files']['bytes']:,} bytes) → "
        f"{counts['documents']:,} documents, {counts['lines']:,} lines, {counts.get('flags', 0):,} flags, "
        f"{counts['rejects']:,} rejects "
        f"in {manifest['duration_s']:.1f} s.",
        f"- **Output**: `{manifest.get('output_dir')}` (Delta tables `documents`, `lines`, `flags`, `rejects`, `runs`)\n"
        + (f"- **HTML report**: `{report}` (open it in a browser; `textwash report` writes it again)" if report
           else "- **HTML report**: could not be written (see the flow run's logs); `textwash report` retries"),
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
