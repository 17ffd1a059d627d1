"""Do repeated-line rules merge different facts, and do they find genuine repeats? Judged on real news.

Usage: ``python -m benchmarks.repeat_eval [--json FILE]``.

Pairs are built from real sentences and paragraphs of ``../shared/corpora`` by edits chosen
without looking at how textwash compares lines:

- **different facts** (must *not* merge): ``figures`` (every number's digits changed), ``names``
  (a word the corpus only ever writes capitalised, swapped for another such word; at a sentence
  start too), ``dates`` (a weekday, month or year changed);
- **genuine repeats** (must merge): ``exact``, ``case`` (lower-cased), ``punctuation`` (marks
  dropped or doubled), ``typo`` (one letter of a lower-case word dropped), ``word`` (one
  lower-case function word dropped or one common verb swapped for a synonym), and three the
  fact check may refuse: ``quotes`` (straight quotes and dashes made typographic, or back),
  ``typo_any`` (one letter of *any* word of 5+ letters dropped, names included) and
  ``truncated`` (the last word cut off, as a scraper's limit does).

Each pair is judged in two settings: ``in-document`` (both lines in one document) and
``cross-document`` (lines whose key is longer than ``boilerplate_max_chars``, each in its own unrelated
document with a real filler paragraph). Units are split into a ``dev`` and a frozen ``test`` half
by a stable hash of the source text, fixed before any tuning; both are reported.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import re
import sys
from collections import Counter
from pathlib import Path

import polars as pl

from cleaners.dedup import deduplicate
from cleaners.hashing import stable_bucket
from cleaners.keys import line_key
from cleaners.settings import DedupSettings

SHARED = Path(__file__).resolve().parents[2] / "shared" / "corpora"
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]
FUNCTION_WORDS = ["the", "a", "an", "of", "that", "very", "also", "just"]
SYNONYMS = {"said": "stated", "told": "informed", "big": "large", "began": "started", "help": "assist",
            "show": "demonstrate", "buy": "purchase", "need": "require", "try": "attempt", "get": "obtain"}
FACTS = ("figures", "names", "dates")
REPEATS = ("exact", "case", "punctuation", "quotes", "typo", "typo_any", "word", "truncated")
csv.field_size_limit(sys.maxsize)


def real_units() -> list[str]:
    """Distinct real sentences and paragraphs (40-400 characters) of the shared corpora."""
    texts = []
    with (SHARED / "fakenewscorpus" / "news_sample.csv").open(encoding="utf-8", newline="") as handle:
        texts += [row["content"] for row in csv.DictReader(handle)]
    for path in sorted((SHARED / "fakenewsnet" / "Data").glob("*/*/*-Webpage.json")):
        texts.append(json.loads(path.read_text(encoding="utf-8")).get("text") or "")
    units, seen = [], set()
    for text in texts:
        for line in text.split("\n"):
            pieces = [line] if len(line) <= 400 else re.split(r"(?<=[.!?])\s+(?=[A-Z])", line)
            for piece in pieces:
                piece = " ".join(piece.split())
                if 40 <= len(piece) <= 400 and piece.lower() not in seen:
                    seen.add(piece.lower())
                    units.append(piece)
    return units


def _proper_nouns(units: list[str]) -> list[str]:
    """Words the corpus writes capitalised at least 3 times and never in lower case."""
    counts: Counter[str] = Counter()
    lower: set[str] = set()
    for unit in units:
        for word in re.findall(r"[A-Za-z]{3,}", unit):
            (counts.__setitem__(word, counts[word] + 1) if word[0].isupper() else lower.add(word))
    return sorted(word for word, n in counts.items() if n >= 3 and word.lower() not in lower
                  and not word.isupper() and word not in WEEKDAYS and word not in MONTHS)


def _figures(unit: str, rng: random.Random) -> str | None:
    if not re.search(r"\d", unit):
        return None
    return re.sub(r"\d", lambda match: str((int(match.group()) + rng.randint(1, 9)) % 10), unit)


def _names(unit: str, rng: random.Random, nouns: list[str], noun_set: set[str]) -> str | None:
    present = [word for word in re.findall(r"[A-Za-z]{3,}", unit) if word in noun_set]
    if not present:
        return None
    old = rng.choice(present)
    new = rng.choice(nouns)
    while new == old:
        new = rng.choice(nouns)
    return re.sub(rf"\b{old}\b", new, unit, count=1)


def _dates(unit: str, rng: random.Random) -> str | None:
    for names in (WEEKDAYS, MONTHS):
        present = [name for name in names if re.search(rf"\b{name}\b", unit)]
        if present:
            old = rng.choice(present)
            return re.sub(rf"\b{old}\b", rng.choice([name for name in names if name != old]), unit, count=1)
    years = re.findall(r"\b(?:19|20)\d\d\b", unit)
    if years:
        old = rng.choice(years)
        return re.sub(rf"\b{old}\b", str(int(old) + rng.randint(1, 5)), unit, count=1)
    return None


def _repeat(kind: str, unit: str, rng: random.Random) -> str | None:
    if kind == "exact":
        return unit
    if kind == "case":
        return unit.lower() if unit.lower() != unit else None
    if kind == "punctuation":
        changed = re.sub(r"[,;:]", "", unit) if re.search(r"[,;:]", unit) else unit.rstrip(".") + "..."
        return changed if changed != unit else None
    if kind == "quotes":
        table = (str.maketrans({'"': "\u201c", "'": "\u2019", "-": "\u2014"}) if re.search(r"[\"'-]", unit)
                 else str.maketrans({"\u201c": '"', "\u201d": '"', "\u2019": "'", "\u2014": "-"}))
        changed = unit.translate(table)
        return changed if changed != unit else None
    words = unit.split(" ")
    if kind == "truncated":
        return " ".join(words[:-1]) if len(words) > 8 else None
    if kind in ("typo", "typo_any"):
        return _drop_letter(words, rng, lower_case_only=kind == "typo")
    candidates = [i for i, word in enumerate(words) if word in FUNCTION_WORDS or word in SYNONYMS]
    if not candidates:
        return None
    i = rng.choice(candidates)
    if words[i] in SYNONYMS:
        words[i] = SYNONYMS[words[i]]
    else:
        del words[i]
    return " ".join(words)


def _drop_letter(words: list[str], rng: random.Random, lower_case_only: bool) -> str | None:
    """One letter dropped from a random word of 5+ letters (lower-case words only, or any)."""
    candidates = [i for i, word in enumerate(words)
                  if word.isalpha() and len(word) >= 5 and (word.islower() or not lower_case_only)]
    if not candidates:
        return None
    i = rng.choice(candidates)
    cut = rng.randrange(1, len(words[i]) - 1)
    words[i] = words[i][:cut] + words[i][cut + 1:]
    return " ".join(words)


def build_pairs(units: list[str], seed: int = 11) -> pl.DataFrame:
    """``unit, variant, category, should_merge, half`` for every unit and applicable edit."""
    rng = random.Random(seed)
    nouns = _proper_nouns(units)
    noun_set = set(nouns)
    rows = []
    for unit in units:
        half = "test" if stable_bucket(unit, 2) else "dev"
        edits = {"figures": _figures(unit, rng), "names": _names(unit, rng, nouns, noun_set),
                 "dates": _dates(unit, rng)}
        edits |= {kind: _repeat(kind, unit, rng) for kind in REPEATS}
        for category, variant in edits.items():
            if variant is not None and variant != unit:
                rows.append({"unit": unit, "variant": variant, "category": category,
                             "should_merge": category in REPEATS, "half": half})
            elif category == "exact":
                rows.append({"unit": unit, "variant": unit, "category": category, "should_merge": True, "half": half})
    return pl.DataFrame(rows)


def _frame(documents: list[tuple[str, list[str]]]) -> tuple[pl.DataFrame, pl.DataFrame]:
    rows = [{"doc_id": doc_id, "line_no": number, "text_raw": text, "text": text, "status": "kept", "reason": ""}
            for doc_id, texts in documents for number, text in enumerate(texts, start=1)]
    lines = pl.DataFrame(rows, schema={"doc_id": pl.String, "line_no": pl.Int32, "text_raw": pl.String,
                                       "text": pl.String, "status": pl.String, "reason": pl.String})
    doc_info = pl.DataFrame({"doc_id": [doc_id for doc_id, _ in documents],
                             "source": [f"{doc_id}.txt" for doc_id, _ in documents], "row": 1,
                             "n_chars": [sum(map(len, texts)) for _, texts in documents]})
    return lines, doc_info


def judge(pairs: pl.DataFrame, fillers: list[str], settings: DedupSettings, chunk: int = 400) -> pl.DataFrame:
    """``merged`` per pair and setting: whether the variant line came out a duplicate of the unit.

    Pairs are judged in chunks of one category, so no two pairs share a unit in one corpus."""
    results = []
    for setting in ("in-document", "cross-document"):
        content = line_key(pl.col("unit")).str.len_chars() > settings.boilerplate_max_chars
        subset = pairs if setting == "in-document" else pairs.filter(content)
        for category in subset["category"].unique(maintain_order=True).to_list():
            rows = subset.filter(pl.col("category") == category).to_dicts()
            for start in range(0, len(rows), chunk):
                results += _judge_chunk(rows[start:start + chunk], fillers, settings, setting, start)
    return pl.DataFrame(results)


def _judge_chunk(rows: list[dict], fillers: list[str], settings: DedupSettings, setting: str,
                 offset: int) -> list[dict]:
    documents: list[tuple[str, list[str]]] = []
    for number, row in enumerate(rows):
        if setting == "in-document":
            documents.append((f"p{number:05d}", [row["unit"], row["variant"]]))
        else:
            left, right = fillers[(2 * (number + offset)) % len(fillers)], fillers[(2 * (number + offset) + 1) % len(fillers)]
            documents += [(f"p{number:05d}a", [left, row["unit"]]), (f"p{number:05d}b", [right, row["variant"]])]
    final, _ = deduplicate(*_frame(documents), settings)
    target_line = 2
    variants = final.filter(pl.col("line_no") == target_line).select("doc_id", "status", "duplicate_of_doc_id")
    judged = []
    for number, row in enumerate(rows):
        doc_id = f"p{number:05d}" if setting == "in-document" else f"p{number:05d}b"
        status = variants.filter(pl.col("doc_id") == doc_id).row(0, named=True)
        judged.append({**row, "setting": setting, "merged": status["status"] == "duplicate"})
    return judged


def summarise(judged: pl.DataFrame) -> pl.DataFrame:
    return (judged.group_by("setting", "half", "category", "should_merge")
            .agg(pairs=pl.len(), merged=pl.col("merged").sum())
            .with_columns(rate=(pl.col("merged") / pl.col("pairs")).round(4))
            .sort("setting", "half", "should_merge", "category"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, help="write the judged pairs' summary here")
    parser.add_argument("--limit", type=int, default=0, help="at most this many pairs per category (0: all)")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="a dedup setting to judge instead of the default (repeatable)")
    args = parser.parse_args(argv)
    units = real_units()
    pairs = build_pairs(units)
    if args.limit:
        pairs = pairs.group_by("category", maintain_order=True).head(args.limit)
    used = set(pairs["unit"])
    fillers = [unit for unit in units if unit not in used and len(unit) > 150] or [u for u in units if len(u) > 150]
    settings = DedupSettings(**dict(item.split("=", 1) for item in args.set))
    summary = summarise(judge(pairs, fillers, settings))
    with pl.Config(tbl_rows=100, tbl_width_chars=120):
        print(summary)
    for setting in ("in-document", "cross-document"):
        for half in ("dev", "test"):
            part = summary.filter((pl.col("setting") == setting) & (pl.col("half") == half))
            facts = part.filter(~pl.col("should_merge")).select(pl.col("merged").sum(), pl.col("pairs").sum()).row(0)
            repeats = part.filter(pl.col("should_merge")).select(pl.col("merged").sum(), pl.col("pairs").sum()).row(0)
            print(f"{setting:15s} {half:4s}: false merges {facts[0]}/{facts[1]} = {facts[0] / max(facts[1], 1):.4%}"
                  f" · recall on genuine repeats {repeats[0]}/{repeats[1]} = {repeats[0] / max(repeats[1], 1):.4f}")
    if args.json:
        args.json.write_text(json.dumps(summary.to_dicts(), indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
