"""syntok's sentences, as the evaluation sets were built with them.

The pipeline split sentences with syntok until its own rules (:mod:`cleaners.sentences`) were
judged better, blind, on real news. The evaluation sets (``benchmarks.contradiction_sets``,
``benchmarks.flags_eval``) keep choosing their seed sentences with syntok: a set must not
change when the pipeline's splitter does, or its frozen test half would no longer be frozen.
"""

from __future__ import annotations

from syntok import segmenter

from cleaners.sentences import Sentence, Token


def split_paragraph(paragraph: str) -> list[Sentence]:
    """syntok's sentences of one paragraph, with offsets into it and syntok's tokens."""
    sentences: list[Sentence] = []
    for block in segmenter.analyze(paragraph):
        for raw in block:
            tokens = tuple(Token(token.value, token.offset) for token in raw)
            if not tokens:
                continue
            start = tokens[0].start
            end = tokens[-1].start + len(tokens[-1].text)
            sentences.append(Sentence(len(sentences) + 1, start, end, paragraph[start:end], tokens))
    return sentences
