"""Which sentence splitter: pysbd or syntok? Measured on news-style hard cases and on speed.

Usage: ``python -m benchmarks.sentence_splitters``. Each case is one paragraph and the
sentences a careful reader would cut it into. Speed is sentences per second over the kept
paragraphs of ``../shared/corpora``.
"""

from __future__ import annotations

import time

CASES = [
    ("The U.S. State Department said it would not comment. Officials declined to say more.",
     ["The U.S. State Department said it would not comment.", "Officials declined to say more."]),
    ("Dr. Smith met Gov. Brown on Jan. 5 in Washington. They talked for an hour.",
     ["Dr. Smith met Gov. Brown on Jan. 5 in Washington.", "They talked for an hour."]),
    ("Shares fell 3.5 percent to $12.75 on Monday. Analysts were surprised.",
     ["Shares fell 3.5 percent to $12.75 on Monday.", "Analysts were surprised."]),
    ("\u201cWe will not back down,\u201d she said. \u201cNever.\u201d",
     ["\u201cWe will not back down,\u201d she said.", "\u201cNever.\u201d"]),
    ('"Is this legal?" he asked. Nobody answered.', ['"Is this legal?" he asked.', "Nobody answered."]),
    ("The vote was 52-48... Critics called it rushed. Supporters disagreed!",
     ["The vote was 52-48...", "Critics called it rushed.", "Supporters disagreed!"]),
    ("He moved to the U.K. last year. His family stayed behind.",
     ["He moved to the U.K. last year.", "His family stayed behind."]),
    ("The report (published Tuesday) found 40 cases. Read more at example.com.",
     ["The report (published Tuesday) found 40 cases.", "Read more at example.com."]),
    ("At 10 a.m. the court opened. The judge, Mr. Lee, presided.",
     ["At 10 a.m. the court opened.", "The judge, Mr. Lee, presided."]),
    ("The United States has declined visas to gay Chechens, according to the organization Russia LGBT Network.",
     ["The United States has declined visas to gay Chechens, according to the organization Russia LGBT Network."]),
]


def split_pysbd(text: str) -> list[str]:
    import pysbd

    return [sentence.strip() for sentence in _PYSBD(pysbd).segment(text) if sentence.strip()]


def _PYSBD(pysbd, cache={}):  # noqa: B006 - one segmenter per process
    if "segmenter" not in cache:
        cache["segmenter"] = pysbd.Segmenter(language="en", clean=False, char_span=False)
    return cache["segmenter"]


def split_syntok(text: str) -> list[str]:
    from syntok import segmenter

    sentences = []
    for paragraph in segmenter.analyze(text):
        for sentence in paragraph:
            start, end = sentence[0].offset, sentence[-1].offset + len(sentence[-1].value)
            sentences.append(text[start - len(sentence[0].spacing) + len(sentence[0].spacing):end].strip())
    return sentences


def split_blingfire(text: str) -> list[str]:
    import blingfire

    _, offsets = blingfire.text_to_sentences_and_offsets(text)
    return [text[start:end].strip() for start, end in offsets if text[start:end].strip()]


def _paragraphs() -> list[str]:
    from benchmarks.generate import load_sentences

    sentences = load_sentences()
    return [" ".join(sentences[i:i + 3]) for i in range(0, min(len(sentences), 9000), 3)]


def main() -> None:
    paragraphs = _paragraphs()
    import importlib.util

    splitters = [("pysbd", split_pysbd), ("syntok", split_syntok), ("blingfire", split_blingfire)]
    for name, split in splitters:
        if importlib.util.find_spec(name) is None:
            print(f"{name:9} not installed (pip install {name}): skipped")
            continue
        right = sum(split(text) == expected for text, expected in CASES)
        misses = [text[:40] for text, expected in CASES if split(text) != expected]
        start = time.perf_counter()
        count = sum(len(split(paragraph)) for paragraph in paragraphs)
        seconds = time.perf_counter() - start
        print(f"{name:9} hard cases right {right}/{len(CASES)}; {count / seconds:,.0f} sentences/s "
              f"({count:,} sentences); wrong on: {misses}")


if __name__ == "__main__":
    main()
