"""Sentences with offsets, per paragraph (one kept line = one paragraph).

The splitter is a few rules of our own (:func:`split_paragraph`). It replaced syntok (as
accurate as pysbd on news-style hard cases, five times faster than it), which took half a
millisecond a paragraph to locate each flagged sentence; read blind on real paragraphs where the
two disagree, ours was preferred (``benchmarks/data/splitter_judgements.jsonl``;
``python -m benchmarks.sentence_splitters`` compares the splitters on the hard cases).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple


class Token(NamedTuple):
    text: str
    start: int  # offset in the paragraph


@dataclass(frozen=True)
class Sentence:
    number: int  # 1-based, within its paragraph
    start: int  # offset of the first character in the paragraph
    end: int  # offset just past the last character
    text: str
    tokens: tuple[Token, ...]


# A sentence ends at a run of terminals (". ! ? …"), with the quotes and brackets that close
# after it, when a new sentence can start after it: at the end of the paragraph, or after
# white space before anything but a lower-case letter ('"Is this legal?" he asked' is one).
_END = re.compile(r"[.!?\u2026]+[\"\u201d\u2019')\]]*")
# Before a lone ".": titles and months never end a sentence ("Gov. Brown", "Jan. 5"), nor an
# initial ("J. K. Rowling"); dotted abbreviations ("U.S.", "a.m.") only before a word that
# starts sentences ("…in the U.S. The talks…", but "the U.S. State Department").
_TITLE = re.compile(r"(?:\b(?:Mr|Mrs|Ms|Dr|St|Jr|Sr|Gov|Sen|Rep|Reps|Gen|Lt|Col|Sgt|Capt|Prof|Rev|Hon|Sec|Inc|Co|Corp"
                    r"|Ltd|vs|Mt|Ft|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|etc|al|cf|eg|ie)"
                    r"|(?<![\w.])[A-Z])$")
_DOTTED = re.compile(r"(?<![\w.])(?:[A-Za-z]\.)+[A-Za-z]$")
_NUMBER_SIGN = re.compile(r"\b(?:No|Nos|Art|Sec|Vol|Fig|p|pp)$")  # "No. 5", but "No. He would…" ends one
_LIST_MARKER = re.compile(r"\s*(?:\d{1,3}|[A-Za-z])$")  # "2. How to be happy": the number stays with its item
_STARTERS = frozenset("""The A An He She It They We I You This That These Those There But And Or So Yet In On At For
    As If When While After Before Since Its His Her Their Our My Your Mr Mrs Ms Dr One Some Many Most Officials""".split())
_NEXT_WORD = re.compile(r"\s+([^\s]+)")


def _ends_sentence(paragraph: str, match: re.Match[str]) -> bool:
    end = match.end()
    if end == len(paragraph) or not paragraph[end:].strip():
        return True
    after = paragraph[end]
    if not after.isspace():  # glued: "that.Man has" is two sentences, "example.com" and "3.5" are not
        return (match.group()[0] != "." or match.end() - match.start() > 1) and after.isupper() or (
            match.group() == "." and match.start() > 0 and paragraph[match.start() - 1].islower()
            and after.isupper() and paragraph[end + 1:end + 2].islower())
    following = _NEXT_WORD.match(paragraph, end)
    word = following.group(1) if following else ""
    if word[:1].islower():
        return False
    if match.group() == ".":
        before = paragraph[max(0, match.start() - 12):match.start()]
        if _TITLE.search(before) or (_NUMBER_SIGN.search(before) and word[:1].isdigit()):
            return False
        if _DOTTED.search(before):
            return word.strip("\"“‘'(").rstrip(",") in _STARTERS
    return True


def split_paragraph(paragraph: str) -> list[Sentence]:
    """Sentences of one paragraph, with character offsets into it and their tokens.

    Our own rules, not a library's: judged blind against syntok on 150 real paragraphs where
    they disagree, and on the hard cases of ``python -m benchmarks.sentence_splitters``; a
    regex pass, so locating a flag's sentence costs next to nothing."""
    return [sentence_of(paragraph, number, start, end) for number, (start, end) in enumerate(sentence_spans(paragraph), 1)]


def sentence_spans(paragraph: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of :func:`split_paragraph`, without their tokens."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _END.finditer(paragraph):
        so_far = paragraph[start:match.start()]
        if not any(character.isalnum() for character in so_far):
            continue  # a lone "…" or "." joins the sentence after it
        if match.group() == "." and _LIST_MARKER.fullmatch(so_far):
            continue
        if _ends_sentence(paragraph, match):
            _append(spans, paragraph, start, match.end())
            start = match.end()
    _append(spans, paragraph, start, len(paragraph))
    return spans


def _append(spans: list[tuple[int, int]], paragraph: str, start: int, end: int) -> None:
    while start < end and paragraph[start].isspace():
        start += 1
    while end > start and paragraph[end - 1].isspace():
        end -= 1
    if start < end:
        spans.append((start, end))


def sentence_of(paragraph: str, number: int, start: int, end: int) -> Sentence:
    """Sentence ``number`` of a paragraph, at ``start:end``, with its tokens."""
    tokens = tuple(Token(token.group(), token.start()) for token in _FAST_TOKEN.finditer(paragraph, start, end))
    return Sentence(number, start, end, paragraph[start:end], tokens)


# Abbreviations with inner dots (U.S., a.m.) stay whole; "didn't" is "did" + "n't", as in syntok.
_FAST_TOKEN = re.compile(r"(?:[A-Za-z]\.){2,}|\w+(?=n['’]t\b)|n['’]t\b|\w+(?:['’]\w+)*|[^\w\s]")


def whole_paragraph(paragraph: str) -> Sentence:
    """The paragraph as one pseudo-sentence with cheap regex tokens (offsets into it).

    For a first pass that only looks for claims: sentence ends are among the tokens, so a
    caller that treats ``.``, ``!`` and ``?`` as clause breaks gets the same clauses, and only
    the paragraphs where something is found need the real splitter (:func:`split_paragraph`).
    """
    tokens = tuple(map(Token._make, ((match.group(), match.start()) for match in _FAST_TOKEN.finditer(paragraph))))
    return Sentence(0, 0, len(paragraph), paragraph, tokens)


def sentence_at(paragraph: str, offset: int, spans: list[tuple[int, int]] | None = None) -> Sentence:
    """The real sentence of ``paragraph`` that contains character ``offset`` (or the last one);
    ``spans`` are the paragraph's :func:`sentence_spans` when known already."""
    spans = sentence_spans(paragraph) if spans is None else spans
    number = next((number for number, (_, end) in enumerate(spans, 1) if offset < end), len(spans))
    return sentence_of(paragraph, number, *spans[number - 1])
