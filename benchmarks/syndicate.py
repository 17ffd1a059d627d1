"""Generate a heavily syndicated news corpus: every article in dozens of perturbed copies.

This is how scraped news really arrives (wire stories republished by many sites), and it is the
shape that breaks memory-hungry deduplication: near-duplicate clusters of 30-66 documents, not
the 5% of pairs that :mod:`benchmarks.generate` makes. It is built without looking at how
textwash deduplicates:

- *distinct bodies* are the real articles of ``../shared/corpora`` (read at run time, never
  copied here) and, when more are needed for the size asked for, recombinations (the first half
  of one article with the second half of another), so distinct bodies share whole paragraphs as
  real ones do;
- each body appears in 30-66 copies; half of the copies are perturbed: a few adjacent words
  swapped, a paragraph turned to mojibake, two paragraphs reordered, one dropped, a boilerplate
  line added at the top or bottom, a site name appended to the title;
- copies are shuffled over ``files`` JSONL files (``id``, ``title``, ``text``, ``site``).

``doc_labels.parquet`` gives each record's body (``id``, ``body``, ``perturbed``).

Usage: ``python -m benchmarks.syndicate OUT_DIR --mb 272 [--files 48] [--seed 7]``
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import sys
from pathlib import Path

import polars as pl

from benchmarks.generate import SHARED, mojibake

SITES = ["Daily Wire Report", "The Morning Post", "NewsNow 24", "Capital Gazette Online", "WorldView",
         "The Citizen Ledger", "Metro Times", "Frontline Digest"]
BOILERPLATE = ["Story Continued Below", "Read More", "Advertisement", "Share this article on Facebook",
               "Click here to subscribe to our newsletter!", "This article originally appeared on our partner site."]


def load_articles(shared: Path = SHARED) -> list[tuple[str, list[str]]]:
    """(title, paragraphs) of every distinct real article with at least three paragraphs."""
    csv.field_size_limit(sys.maxsize)
    articles: list[tuple[str, str]] = []
    with open(shared / "corpora" / "fakenewscorpus" / "news_sample.csv", newline="", encoding="utf-8") as handle:
        articles += [(row["title"] or "", row["content"] or "") for row in csv.DictReader(handle)]
    for path in sorted((shared / "corpora" / "fakenewsnet" / "Data").glob("*/*/*-Webpage.json")):
        record = json.loads(path.read_text(encoding="utf-8"))
        articles.append((record.get("title") or "", record.get("text") or ""))
    result, seen = [], set()
    for title, body in articles:
        paragraphs = [" ".join(p.split()) for p in body.split("\n") if p.strip()]
        key = " ".join(paragraphs).lower()
        if len(paragraphs) >= 3 and key not in seen:  # ../shared holds some articles twice
            seen.add(key)
            result.append((title, paragraphs))
    return result


def _split_at_half(paragraphs: list[str]) -> int:
    """The paragraph index where half the characters have been seen (at least 1, at most n - 1),
    so a recombination shares half its text with each source, not most of it with one."""
    total, seen = sum(map(len, paragraphs)), 0
    for index, paragraph in enumerate(paragraphs):
        seen += len(paragraph)
        if seen >= total / 2:
            return min(max(index + 1, 1), len(paragraphs) - 1)
    return len(paragraphs) - 1


def _is_balanced(paragraphs: list[str]) -> bool:
    first = sum(map(len, _first_half(paragraphs)))
    return 0.4 <= first / max(1, sum(map(len, paragraphs))) <= 0.6


def _first_half(paragraphs: list[str]) -> list[str]:
    return paragraphs[: _split_at_half(paragraphs)]


def _second_half(paragraphs: list[str]) -> list[str]:
    return paragraphs[_split_at_half(paragraphs):]


def _perturb(paragraphs: list[str], rng: random.Random) -> list[str]:
    paragraphs = list(paragraphs)
    for _ in range(rng.randint(1, 3)):  # a few adjacent words swapped
        index = rng.randrange(len(paragraphs))
        words = paragraphs[index].split()
        if len(words) > 3:
            at = rng.randrange(len(words) - 1)
            words[at], words[at + 1] = words[at + 1], words[at]
            paragraphs[index] = " ".join(words)
    if rng.random() < 0.3:
        index = rng.randrange(len(paragraphs))
        paragraphs[index] = mojibake(paragraphs[index].replace(" - ", " — ") + " — reports said")
    if len(paragraphs) > 3 and rng.random() < 0.3:
        at = rng.randrange(len(paragraphs) - 1)
        paragraphs[at], paragraphs[at + 1] = paragraphs[at + 1], paragraphs[at]
    if len(paragraphs) > 5 and rng.random() < 0.3:
        del paragraphs[rng.randrange(len(paragraphs))]
    if rng.random() < 0.5:
        line = rng.choice(BOILERPLATE)
        paragraphs.insert(0, line) if rng.random() < 0.5 else paragraphs.append(line)
    return paragraphs


def generate(out_dir: str | Path, megabytes: float, files: int = 48, seed: int = 7) -> Path:
    out = Path(out_dir)
    (out / "corpus").mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    articles = load_articles()
    mean_copies, mean_bytes = 48, sum(len(" ".join(p)) for _, p in articles) / len(articles)
    n_bodies = max(1, int(megabytes * 1_000_000 / (mean_copies * mean_bytes * 1.05)))
    bodies = [articles[i % len(articles)] for i in range(min(n_bodies, len(articles)))]
    # Recombinations: the first half of one article with the second half of another, only of
    # articles that split near half their characters (one dominant paragraph would make a
    # "new" body a genuine near-duplicate of its source).
    balanced = [article for article in articles if _is_balanced(article[1])]
    while len(bodies) < n_bodies:
        (title_a, a), (_, b) = rng.sample(balanced, 2)
        bodies.append((title_a, _first_half(a) + _second_half(b)))
    handles = [open(out / "corpus" / f"feed-{number:03d}.jsonl", "w", encoding="utf-8") for number in range(files)]
    labels = []
    for body_no, (title, paragraphs) in enumerate(bodies):
        for copy_no in range(rng.randint(30, 66)):
            perturbed = copy_no > 0 and rng.random() < 0.5
            text = _perturb(paragraphs, rng) if perturbed else paragraphs
            site = rng.choice(SITES)
            record = {"id": f"b{body_no:06d}-c{copy_no:03d}", "title": f"{title} | {site}" if perturbed else title,
                      "text": "\n\n".join(text), "site": site}
            rng.choice(handles).write(json.dumps(record, ensure_ascii=False) + "\n")
            labels.append({"id": record["id"], "body": body_no, "perturbed": perturbed})
    for handle in handles:
        handle.close()
    pl.DataFrame(labels).write_parquet(out / "doc_labels.parquet")
    size = sum(path.stat().st_size for path in (out / "corpus").glob("*.jsonl"))
    (out / "SIZE").write_text(f"{size}\n")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out_dir")
    parser.add_argument("--mb", type=float, default=64.0)
    parser.add_argument("--files", type=int, default=48)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    generate(args.out_dir, args.mb, args.files, args.seed)
    print(f"wrote {args.out_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
