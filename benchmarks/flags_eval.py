"""Precision and recall of contradiction flags on a labelled set built from real articles.

For every sentence of ``../shared/corpora`` that a spinner could invert (it holds "denied",
"granted", "allowed", "supported", "approved", "rejected", "confirmed" or "won"), three test
articles are built from its real article:

- **spun**: the sentence becomes the headline (as in the seed: the headline states the fact)
  and, in the body, it is replaced by its spinner edit ("denied" → "refused to deny"). Edits that
  invert the meaning must be flagged ``contradiction`` on that sentence; edits that preserve it
  ("won" → "failed to lose") must not be;
- **control**: the same headline and the untouched body: nothing may be flagged;
- **idiom**: the control plus "<subject> would not confirm or deny the report.": nothing.

Precision and recall of ``contradiction`` come with Wilson 95% intervals.
Usage: ``python -m benchmarks.flags_eval``.
"""

from __future__ import annotations

import json
import math
import re
import sys

import polars as pl

from benchmarks.generate import SHARED, SPINS
from benchmarks.syntok_sentences import split_paragraph
from cleaners.flags import flag_document, flag_documents, load_lexicon


def wilson(successes: int, total: int, z: float = 1.96) -> tuple[float, float]:
    """Wilson score interval for a proportion."""
    if total == 0:
        return (0.0, 1.0)
    p = successes / total
    centre = (p + z * z / (2 * total)) / (1 + z * z / total)
    margin = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / (1 + z * z / total)
    return (max(0.0, centre - margin), min(1.0, centre + margin))


def articles() -> list[list[str]]:
    import csv

    csv.field_size_limit(sys.maxsize)
    bodies = []
    with open(SHARED / "corpora" / "fakenewscorpus" / "news_sample.csv", newline="", encoding="utf-8") as handle:
        bodies += [row["content"] for row in csv.DictReader(handle)]
    for path in sorted((SHARED / "corpora" / "fakenewsnet" / "Data").glob("*/*/*-Webpage.json")):
        bodies.append(json.loads(path.read_text(encoding="utf-8")).get("text") or "")
    return [[paragraph.strip() for paragraph in body.split("\n") if paragraph.strip()] for body in bodies]


def cases():
    """(kind, title, paragraphs, target line_no or None, effect)."""
    seen = set()
    for paragraphs in articles():
        for line_no, paragraph in enumerate(paragraphs, start=1):
            for sentence in split_paragraph(paragraph):
                spin = next((s for s in SPINS if re.search(s[0], sentence.text)), None)
                if spin is None or sentence.text in seen or len(sentence.text) > 300:
                    continue
                seen.add(sentence.text)
                pattern, replacement, effect = spin
                spun_sentence = re.sub(pattern, replacement, sentence.text, count=1)
                spun = paragraphs.copy()
                spun[line_no - 1] = paragraph.replace(sentence.text, spun_sentence)
                numbered = list(enumerate(paragraphs, start=1))
                yield "spun", sentence.text, list(enumerate(spun, start=1)), line_no, effect
                yield "control", sentence.text, numbered, None, None
                subject = sentence.text.split()[0]
                idiom = (len(paragraphs) + 1, f"{subject} would not confirm or deny the report.")
                yield "idiom", sentence.text, [*numbered, idiom], None, None


def main() -> None:
    lexicon = load_lexicon()
    tp = fn = fp = preserved_total = inverted_total = 0
    false_positives = []
    lost_by_prefilter = 0
    for kind, title, paragraphs, target, effect in cases():
        every = flag_document(title, paragraphs, lexicon)
        flags = [f for f in every if f["kind"] == "contradiction"]
        # The pipeline's path, with the vectorised prefilter, must find the same flags.
        lines = pl.DataFrame({"doc_id": "d", "line_no": [n for n, _ in paragraphs], "status": "kept",
                              "text": [t for _, t in paragraphs]})
        through_prefilter = flag_documents(pl.DataFrame({"doc_id": ["d"], "title": [title]}), lines, lexicon)
        lost_by_prefilter += len(every) - through_prefilter.height
        on_target = [f for f in flags if f["line_no"] == target]
        others = [f for f in flags if f["line_no"] != target]
        if kind == "spun" and effect == "inverts":
            inverted_total += 1
            tp += bool(on_target)
            fn += not on_target
        elif kind == "spun":
            preserved_total += 1
            fp += bool(on_target)
            false_positives += [(kind, f["sentence"], f["explanation"]) for f in on_target]
        fp += len(others)
        false_positives += [(kind, f["sentence"], f["explanation"]) for f in others]
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    low_p, high_p = wilson(tp, tp + fp)
    low_r, high_r = wilson(tp, tp + fn)
    print(f"inverting edits: {inverted_total}, preserving edits: {preserved_total}, "
          f"controls and idioms: {2 * (inverted_total + preserved_total)}")
    print(f"contradiction precision {precision:.3f} (95% CI {low_p:.3f}-{high_p:.3f}), "
          f"recall {recall:.3f} (95% CI {low_r:.3f}-{high_r:.3f}); tp={tp} fp={fp} fn={fn}")
    print(f"flags lost by the vectorised prefilter: {lost_by_prefilter}")
    for kind, sentence, explanation in false_positives[:20]:
        print(f"  FP [{kind}] {sentence[:120]!r}\n       {explanation[:200]}")


if __name__ == "__main__":
    main()
