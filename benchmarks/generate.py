"""Generate a synthetic, labelled news corpus of any size from real sentences.

Sentences come from ``../shared/corpora`` (read at run time, never copied into the repo). Each
synthetic article is a title and paragraphs of real sentences, with known problems injected:

- ``mojibake``: a line encoded as UTF-8 and decoded as cp1252 (``—`` → ``â€”``); the label holds
  the line as it should read;
- ``caption`` / ``caption_repeat``: a short image caption at the top, repeated (as in the seed);
- ``boilerplate``: lines from a small set of families with variants ("Read More" /
  "Read more »"), spread across many articles;
- ``near_duplicate``: an earlier paragraph of the same article again, lightly edited (case,
  punctuation, one word);
- ``spun``: a sentence whose verb was rewritten the way article spinners do ("denied" →
  "refused to deny"), with whether the edit inverts the meaning;
- syndicated copies: whole articles copied with small edits, labelled by cluster.

Output folder: ``corpus/part-NNN.jsonl`` (``id``, ``title``, ``text``), ``labels.parquet`` (one
row per non-empty line: ``id``, ``line_no``, ``kind``, ``dup_of_line_no``, ``expected``,
``spin_effect``) and ``doc_labels.parquet`` (``id``, ``cluster``, ``is_copy``).

Usage: ``python -m benchmarks.generate OUT_DIR --mb 16 [--seed 1]``
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import re
import sys
from pathlib import Path

import polars as pl

SHARED = Path(__file__).resolve().parents[2] / "shared"

BOILERPLATE_FAMILIES = [
    ["Story Continued Below", "Story continued below:", "STORY CONTINUED BELOW"],
    ["Read More", "Read more »", "Read more..."],
    ["Advertisement", "ADVERTISEMENT", "- Advertisement -"],
    ["Share this article on Facebook", "Share this article on Facebook."],
    ["Click here to subscribe to our newsletter", "Click here to subscribe to our newsletter!"],
    ["Read the full story here.", "Read the full story here"],
    ["Sign up for our daily briefing", "Sign up for our daily briefing."],
    ["Photo: Getty Images", "Photo: Getty Images."],
    ["Copyright 2017 Example Media. All rights reserved.", "© 2017 Example Media. All rights reserved."],
    ["This article originally appeared on Example News.", "This article originally appeared on Example News"],
]
FIRST_NAMES = ["Anna", "Boris", "Carla", "Dmitri", "Elena", "Farid", "Grace", "Hector", "Ines", "Jonas", "Keiko",
               "Luis", "Maya", "Nikolai", "Olga", "Pavel", "Rosa", "Stefan", "Tariq", "Vera"]
LAST_NAMES = ["Alvarez", "Brandt", "Costa", "Dubois", "Eriksen", "Fischer", "Garcia", "Horvat", "Ivanova", "Jensen",
              "Kowalski", "Larsen", "Moreau", "Novak", "Okafor", "Petrov", "Quinn", "Rossi", "Sato", "Tanaka"]
# (pattern, replacement, effect on the sentence's meaning)
SPINS = [
    (r"\bdenied\b", "refused to deny", "inverts"),
    (r"\bgranted\b", "declined to grant", "inverts"),
    (r"\bapproved\b", "failed to reject", "preserves"),
    (r"\brejected\b", "refused to accept", "preserves"),
    (r"\bconfirmed\b", "did not deny", "preserves"),
    (r"\bwon\b(?!['’]t)", "failed to lose", "preserves"),  # not the "won" of "won't"
    (r"\ballowed\b", "refused to allow", "inverts"),
    (r"\bsupported\b", "declined to support", "inverts"),
]
#: Share of paragraphs damaged by mojibake. Real scraped news has far less (none of the lines of
#: ../shared/corpora); 2% keeps ftfy's real work visible in the benchmark.
MOJIBAKE_RATE = 0.02
#: Share of paragraphs replaced by a spun sentence.
SPIN_RATE = 0.04
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"“])")


#: Long paragraphs (ours) that sites append to unrelated articles: disclaimers, bios, credits.
REPEATED_PARAGRAPHS = [
    "The views and opinions expressed in this article are those of the authors and do not necessarily reflect "
    "the official policy or position of this website, its owners or its advertisers.",
    "Our reporter has covered local politics and the courts for more than a decade, and before that wrote "
    "about schools and transport for several regional papers in the north of the country.",
    "This story was produced in partnership with a nonprofit newsroom that investigates public spending; it "
    "may be republished for free as long as the credit line and the links in the text are kept.",
    "If you value independent reporting like this, please consider supporting our work with a small monthly "
    "donation, which keeps every article free to read for everyone who cannot pay.",
]
REPEATED_PARAGRAPH_RATE = 0.04


def _typo(line: str, rng: random.Random) -> str:
    """A copy with one letter of a lower-case word dropped (a name or a number is never touched)."""
    words = line.split(" ")
    candidates = [i for i, word in enumerate(words) if word.isalpha() and word.islower() and len(word) >= 6]
    i = rng.choice(candidates)
    cut = rng.randrange(1, len(words[i]) - 1)
    words[i] = words[i][:cut] + words[i][cut + 1:]
    return " ".join(words)


def load_sentences(shared: Path = SHARED) -> list[str]:
    """Real sentences (40-300 characters) from the shared corpora."""
    csv.field_size_limit(sys.maxsize)
    bodies: list[str] = []
    with open(shared / "corpora" / "fakenewscorpus" / "news_sample.csv", newline="", encoding="utf-8") as handle:
        bodies += [row["content"] for row in csv.DictReader(handle)]
    for path in sorted((shared / "corpora" / "fakenewsnet" / "Data").glob("*/*/*-Webpage.json")):
        bodies.append(json.loads(path.read_text(encoding="utf-8")).get("text") or "")
    sentences = []
    for body in bodies:
        for paragraph in body.split("\n"):
            for sentence in _SENTENCE_END.split(paragraph.strip()):
                sentence = " ".join(sentence.split())
                if 40 <= len(sentence) <= 300 and sentence.isprintable():
                    sentences.append(sentence)
    return sorted(set(sentences))


def mojibake(line: str) -> str:
    return line.encode("utf-8").decode("cp1252", errors="replace")


def _light_edit(line: str, rng: random.Random) -> str:
    """A near-duplicate: change case, trailing punctuation, or one word."""
    choice = rng.randrange(3)
    if choice == 0:
        return line.upper() if len(line) < 80 else line.lower()
    if choice == 1:
        return line.rstrip(".!?") + rng.choice(["", "!", " ...", "."])
    words = line.split()
    index = rng.randrange(len(words))
    words[index] = rng.choice(["the", "a", "this", "that", "its"])
    return " ".join(words)


class Generator:
    def __init__(self, sentences: list[str], seed: int) -> None:
        self.rng = random.Random(seed)
        self.first_seen: dict[int, str] = {}  # repeated paragraph → the first article carrying it
        self.sentences = sentences
        self.spinnable = [s for s in sentences if any(re.search(p, s) for p, _, _ in SPINS)]

    def article(self, doc_id: str) -> tuple[dict, list[dict]]:
        rng = self.rng
        lines: list[dict] = []  # text, kind, copies (the dict it repeats), expected, effect

        def line(text: str, kind: str = "content", copies: dict | None = None, expected: str | None = None,
                 effect: str | None = None) -> dict:
            return {"text": text, "kind": kind, "copies": copies, "expected": expected, "effect": effect}

        if rng.random() < 0.2:
            caption = line(f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)} "
                           f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}", "caption")
            lines += [caption, line(caption["text"], "caption_repeat", copies=caption)]
        for _ in range(rng.randint(4, 20)):
            # Two or three sentences: real articles do not share paragraphs by chance, and a
            # pool of ~30k sentences reused one at a time would make them do so.
            paragraph = " ".join(rng.choice(self.sentences) for _ in range(rng.randint(2, 3)))
            roll = rng.random()
            if roll < MOJIBAKE_RATE:
                clean = paragraph.replace(" - ", " — ", 1) if " - " in paragraph else paragraph + " — reports said"
                lines.append(line(mojibake(clean), "mojibake", expected=clean))
            elif roll < MOJIBAKE_RATE + SPIN_RATE and self.spinnable:
                original = rng.choice(self.spinnable)
                pattern, replacement, effect = next(spin for spin in SPINS if re.search(spin[0], original))
                spun = re.sub(pattern, replacement, original, count=1)
                context = rng.choice(self.sentences)
                lines.append(line(f"{context} {spun}", "spun", expected=f"{context} {original}", effect=effect))
            else:
                lines.append(line(paragraph))
        long_content = [i for i, item in enumerate(lines) if item["kind"] == "content" and len(item["text"]) > 60]
        if long_content and rng.random() < 0.3:
            source = rng.choice(long_content)
            edited = line(_light_edit(lines[source]["text"], rng), "near_duplicate", copies=lines[source])
            lines.insert(rng.randint(source + 1, len(lines)), edited)
        for _ in range(rng.choice([0, 1, 1, 2])):
            family = rng.choice(BOILERPLATE_FAMILIES)
            lines.insert(rng.randint(0, len(lines)), line(rng.choice(family), "boilerplate"))
        if rng.random() < REPEATED_PARAGRAPH_RATE:
            # Appended last (a syndicated copy drops its last paragraph). The first article to
            # carry it keeps it; every later one repeats it (a third of them with a typo).
            number = rng.randrange(len(REPEATED_PARAGRAPHS))
            text = REPEATED_PARAGRAPHS[number]
            later = self.first_seen.setdefault(number, doc_id) != doc_id
            lines.append(line(_typo(text, rng) if later and rng.random() < 0.33 else text,
                              "repeated_paragraph" if later else "content"))

        # Paragraphs are separated by a blank line, so paragraph i is line 2i + 1.
        line_no = {id(item): 2 * index + 1 for index, item in enumerate(lines)}
        labels = [
            {"id": doc_id, "line_no": line_no[id(item)], "kind": item["kind"],
             "dup_of_line_no": line_no[id(item["copies"])] if item["copies"] is not None else None,
             "expected": item["expected"], "spin_effect": item["effect"]}
            for item in lines
        ]
        title = rng.choice(self.sentences)[:90]
        return {"id": doc_id, "title": title, "text": "\n\n".join(item["text"] for item in lines)}, labels

    def copy_of(self, article: dict, labels: list[dict], doc_id: str) -> tuple[dict, list[dict]]:
        """A syndicated copy: same paragraphs, another title suffix, the last paragraph dropped."""
        paragraphs = article["text"].split("\n\n")
        keep = paragraphs[:-1] if len(paragraphs) > 5 else paragraphs
        copy = {"id": doc_id, "title": article["title"] + " | Syndicated", "text": "\n\n".join(keep)}
        kept_lines = {2 * i + 1 for i in range(len(keep))}
        copied = [{**label, "id": doc_id} for label in labels if label["line_no"] in kept_lines]
        return copy, copied


def generate(out_dir: str | Path, megabytes: float, seed: int = 1, docs_per_part: int = 5000) -> Path:
    out = Path(out_dir)
    (out / "corpus").mkdir(parents=True, exist_ok=True)
    generator = Generator(load_sentences(), seed)
    target = int(megabytes * 1_000_000)
    written, part, n = 0, 0, 0
    labels: list[dict] = []
    doc_labels: list[dict] = []
    handle = open(out / "corpus" / f"part-{part:03d}.jsonl", "w", encoding="utf-8")
    while written < target:
        doc_id = f"doc-{n:07d}"
        article, article_labels = generator.article(doc_id)
        batch = [(article, article_labels, doc_id, False)]
        if generator.rng.random() < 0.05:
            copy_id = f"doc-{n:07d}-copy"
            copy, copy_labels = generator.copy_of(article, article_labels, copy_id)
            batch.append((copy, copy_labels, doc_id, True))
        for record, record_labels, cluster, is_copy in batch:
            line = json.dumps(record, ensure_ascii=False) + "\n"
            handle.write(line)
            written += len(line.encode("utf-8"))
            labels += record_labels
            doc_labels.append({"id": record["id"], "cluster": cluster, "is_copy": is_copy})
        n += 1
        if n % docs_per_part == 0:
            handle.close()
            part += 1
            handle = open(out / "corpus" / f"part-{part:03d}.jsonl", "w", encoding="utf-8")
    handle.close()
    pl.DataFrame(labels, schema={"id": pl.String, "line_no": pl.Int32, "kind": pl.String, "dup_of_line_no": pl.Int32,
                                 "expected": pl.String, "spin_effect": pl.String}).write_parquet(out / "labels.parquet")
    pl.DataFrame(doc_labels).write_parquet(out / "doc_labels.parquet")
    (out / "SIZE").write_text(f"{written}\n")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out_dir")
    parser.add_argument("--mb", type=float, default=16.0, help="approximate corpus size in MB (default 16)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    generate(args.out_dir, args.mb, args.seed)
    print(f"wrote {args.out_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
