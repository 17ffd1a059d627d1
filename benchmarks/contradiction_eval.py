"""How well contradiction flags are judged: the flagger on the sets of ``benchmarks.contradiction_sets``.

    python -m benchmarks.contradiction_eval [--half dev|test|all] [--json] [--out FILE]

Per set and per template/category: n, items flagged, recall and precision (where defined) and
the false-flag rate, each with a Wilson 95% interval, next to the targets the flagger must reach.

* A contradiction item is a *hit* only if a ``contradiction`` flag lands on the edited sentence
  (same line, and the flag's sentence and the edited one contain each other).
* Any ``contradiction`` flag on a negative item is a *false flag*; so is a flag on a contradiction
  item that lands elsewhere (*misplaced*), which counts against precision.
* ``double_negation`` and ``numeric_conflict`` flags are counted separately, never as hits.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.contradiction_sets import Build, Item, build_all

Flagger = Callable[[str, list[tuple[int, str]]], list[dict]]

TARGETS = {
    "spin+preserve": {"recall": 0.8, "precision": 0.9},
    "pairs": {"recall": 0.6, "false_flag_rate": 0.02},
}


def run_flagger(title: str, paragraphs: list[tuple[int, str]]) -> list[dict]:
    """The one place that calls the flagger (the package cleaners/flags/)."""
    from cleaners.flags import flag_document

    return list(flag_document(title, paragraphs))


def wilson(successes: int, n: int, z: float = 1.959964) -> tuple[float, float]:
    """Wilson score interval for a proportion (95% by default); (0, 1) when n is 0."""
    if n == 0:
        return (0.0, 1.0)
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return (max(0.0, centre - half), min(1.0, centre + half))


def _norm(text: str) -> str:
    return " ".join(text.split())


@dataclass(frozen=True)
class Outcome:
    item: Item
    flagged: bool  # any contradiction flag in the document
    hit: bool  # a contradiction flag on the edited/claim sentence (contradiction items only)
    double_negation: bool
    numeric_conflict: bool
    explanation: str = ""

    @property
    def false_flag(self) -> bool:
        return self.flagged and not self.hit


def judge(item: Item, flags: Iterable[dict]) -> Outcome:
    contradictions = [f for f in flags if f.get("kind") == "contradiction"]
    kinds = {f.get("kind") for f in flags}
    hit = False
    if item.contradiction and item.target_sentence is not None:
        target = _norm(item.target_sentence)
        for flag in contradictions:
            sentence = _norm(str(flag.get("sentence", "")))
            if flag.get("line_no") == item.target_line and sentence and (sentence in target or target in sentence):
                hit = True
    explanation = "; ".join(str(f.get("explanation", "")) for f in contradictions)[:300]
    return Outcome(item, bool(contradictions), hit, "double_negation" in kinds, "numeric_conflict" in kinds, explanation)


@dataclass
class Tally:
    n: int = 0
    positives: int = 0
    negatives: int = 0
    flagged: int = 0
    hits: int = 0
    misplaced: int = 0  # contradiction items flagged elsewhere only
    false_flags: int = 0  # negative items with a contradiction flag
    double_negation: int = 0
    numeric_conflict: int = 0
    examples: list[str] = field(default_factory=list)

    def add(self, outcome: Outcome) -> None:
        self.n += 1
        self.flagged += outcome.flagged
        self.double_negation += outcome.double_negation
        self.numeric_conflict += outcome.numeric_conflict
        if outcome.item.contradiction:
            self.positives += 1
            self.hits += outcome.hit
            self.misplaced += outcome.flagged and not outcome.hit
        else:
            self.negatives += 1
            self.false_flags += outcome.flagged
            if outcome.flagged and len(self.examples) < 3:
                self.examples.append(f"{outcome.item.id}: {outcome.explanation}")

    def metrics(self) -> dict[str, object]:
        out: dict[str, object] = {
            "n": self.n,
            "contradiction_items": self.positives,
            "negative_items": self.negatives,
            "flagged": self.flagged,
            "hits": self.hits,
            "misplaced": self.misplaced,
            "false_flags": self.false_flags,
            "double_negation_flagged": self.double_negation,
            "numeric_conflict_flagged": self.numeric_conflict,
        }
        if self.positives:
            out["recall"] = self.hits / self.positives
            out["recall_ci"] = wilson(self.hits, self.positives)
        wrong = self.misplaced + self.false_flags
        if self.positives and self.hits + wrong:
            out["precision"] = self.hits / (self.hits + wrong)
            out["precision_ci"] = wilson(self.hits, self.hits + wrong)
        if self.negatives:
            out["false_flag_rate"] = self.false_flags / self.negatives
            out["false_flag_rate_ci"] = wilson(self.false_flags, self.negatives)
        if self.examples:
            out["false_flag_examples"] = list(self.examples)
        return out


def evaluate(items: Sequence[Item], flagger: Flagger = run_flagger) -> dict[str, object]:
    """Metrics per set, for (a)+(b) together, and per template/category."""
    sets: dict[str, Tally] = {}
    groups: dict[str, dict[str, Tally]] = {}
    for item in items:
        outcome = judge(item, flagger(item.title, list(item.paragraphs)))
        for name in (item.set, "spin+preserve" if item.set in {"spin", "preserve"} else None):
            if name:
                sets.setdefault(name, Tally()).add(outcome)
        groups.setdefault(item.set, {}).setdefault(item.group, Tally()).add(outcome)
    return {
        "sets": {name: tally.metrics() for name, tally in sorted(sets.items())},
        "groups": {name: {g: t.metrics() for g, t in sorted(tallies.items())} for name, tallies in sorted(groups.items())},
        "targets": TARGETS,
    }


def _fmt(metrics: dict[str, object], key: str) -> str:
    if key not in metrics:
        return "—"
    value = float(metrics[key])  # type: ignore[arg-type]
    interval = metrics[key + "_ci"]
    assert isinstance(interval, tuple | list)
    return f"{value:.3f} ({float(interval[0]):.3f}–{float(interval[1]):.3f})"


def _row(label: str, m: dict[str, object]) -> str:
    rates = f"{_fmt(m, 'recall'):22} {_fmt(m, 'precision'):22} {_fmt(m, 'false_flag_rate'):22}"
    return f"{label:44} {m['n']:>6} {m['flagged']:>8}  {rates}"


def report(result: dict[str, object], half: str) -> str:
    lines = [f"contradiction flags, {half} half (Wilson 95% intervals)", ""]
    header = f"{'set / group':44} {'n':>6} {'flagged':>8}  {'recall':22} {'precision':22} {'false-flag rate':22}"
    sets = result["sets"]
    assert isinstance(sets, dict)
    lines.append(header)
    for name, m in sets.items():
        lines.append(_row(name, m))
    lines.append("")
    lines.append(
        "targets for the rebuilt flagger: (a)+(b) recall >= 0.8 and precision >= 0.9; (c) recall >= 0.6 with <= 2% false flags"
    )
    for name, target in TARGETS.items():
        m = sets.get(name, {})
        checks = []
        for key, goal in target.items():
            value = m.get(key)
            if value is None:
                checks.append(f"{key} undefined (target {goal})")
            else:
                ok = value <= goal if key == "false_flag_rate" else value >= goal
                checks.append(
                    f"{key} {value:.3f} vs {'<=' if key == 'false_flag_rate' else '>='} {goal}: {'met' if ok else 'NOT met'}"
                )
        lines.append(f"  {name}: " + "; ".join(checks))
    groups = result["groups"]
    assert isinstance(groups, dict)
    for name, by_group in groups.items():
        lines.append("")
        lines.append(header.replace("set / group", f"{name}: template/category"))
        for group, m in by_group.items():
            extra = f"  dn={m['double_negation_flagged']}" if m["double_negation_flagged"] else ""
            lines.append(_row("  " + group, m) + extra)
    return "\n".join(lines)


def build_summary(build: Build) -> dict[str, object]:
    return {
        "sentences_considered": build.drops.considered,
        "seed_sentences": len(build.seeds),
        "distinct_seed_verbs": len({seed.verb.base for seed in build.seeds}),
        "seeds_by_aspect": _count(seed.aspect for seed in build.seeds),
        "seeds_by_headline": _count(seed.headline_kind for seed in build.seeds),
        "dropped_by_reason": dict(build.drops.reasons.most_common()),
        "template_not_applicable": dict(build.not_rendered.most_common()),
    }


def _count(values: Iterable[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for value in values:
        out[value] = out.get(value, 0) + 1
    return dict(sorted(out.items()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Evaluate contradiction flags on sets built independently of the flagger.")
    parser.add_argument("--half", choices=("dev", "test", "all"), default="dev")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.add_argument("--out", type=Path, help="also write the JSON result here")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    items, build = build_all()
    chosen = [item for item in items if args.half == "all" or item.half == args.half]
    result = evaluate(chosen)
    result["half"] = args.half
    result["build"] = build_summary(build)
    result["seconds"] = round(time.perf_counter() - started, 1)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    if args.json:
        json.dump(result, sys.stdout, indent=2, ensure_ascii=False)
        print()
    else:
        print(report(result, args.half))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
