"""Flags for one document: its headline's claims against the claims of its body.

Only lines that pass :func:`cleaners.flags.cues.line_is_read` are analysed (the polars
prefilter applies the same test, so what it drops could never be flagged); in them, only
tokens whose key is one of the headline's (or a negative-pole predicate after a negative
operator, for double negations) become claims. The previous line is read for pronoun
antecedents, and every line for the acronyms it introduces.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from cleaners.flags.claims import Claim, analyse, leading_phrase, title_case
from cleaners.flags.cues import family_key, has_cue, has_double_negation_cue, headline_keys, line_is_read
from cleaners.flags.lexicon import Lexicon, load_lexicon
from cleaners.flags.match import acronyms_in
from cleaners.flags.phrases import Phrase
from cleaners.flags.quantities import Quantity, numeric_flags, quantities_in, quantity_pattern
from cleaners.flags.rules import Conflict, agreement, chain, conflicts, explain, resolve_subject, says, shared_family
from cleaners.sentences import Sentence, split_paragraph


@functools.lru_cache(maxsize=50_000)
def sentences_of(text: str) -> tuple[Sentence, ...]:
    """The real sentences of a paragraph, cached: syndicated copies repeat paragraphs."""
    return tuple(split_paragraph(text))


@functools.cache
def _counted(lexicon: Lexicon) -> re.Pattern[str]:
    return re.compile(quantity_pattern(lexicon))


def headline_claims(title: str, lexicon: Lexicon) -> list[Claim]:
    """The definite claims of the headline, with subjects reported from others dropped."""
    found = []
    for sentence in sentences_of(title):
        titled = title_case([token.text for token in sentence.tokens])
        for index in range(len(sentence.tokens)):
            claim = analyse(sentence, 0, index, lexicon, titled)
            if claim is None or not claim.definite:
                continue
            resolved = resolve_subject(claim, None, claim.subject)
            if resolved is not None and not resolved.subject.empty:
                found.append(resolved)
    return found


def _negative_pole(claim: Claim, lexicon: Lexicon) -> str | None:
    negative = [name for name, pole in lexicon.family_of(claim.lemma).items() if pole < 0]
    return negative[0] if negative else None


def _double_negation(claim: Claim, lexicon: Lexicon) -> dict[str, Any] | None:
    """A low flag for "refusing to deny" with nothing to contradict: check the wording."""
    family = _negative_pole(claim, lexicon)
    implicative = any(op.kind not in {"negator", "quantifier"} and op.sign < 0 for op in claim.operators)
    if family is None or not implicative or not claim.definite:
        return None
    negatives = sum(op.sign < 0 for op in claim.operators) + 1
    if negatives < 2:
        return None
    explanation = (f"{chain(claim, family, lexicon)}: {negatives} negatives cancel out ⇒ {says(claim, family, lexicon)}; "
                   "no other sentence says otherwise, but check the wording")
    return _flag(claim, "double_negation", "low", explanation, None, lexicon)


def _flag(claim: Claim, kind: str, severity: str, explanation: str, other: Claim | None, lexicon: Lexicon) -> dict[str, Any]:
    return {
        "line_no": claim.line_no, "sentence_no": claim.sentence.number, "char_start": claim.sentence.start,
        "char_end": claim.sentence.end, "sentence": claim.sentence.text, "kind": kind, "severity": severity,
        "explanation": explanation,
        "conflicts_with_line_no": other.line_no if other else None,
        "conflicts_with_sentence_no": other.sentence.number if other else None,
        "conflicts_with_text": other.sentence.text if other else None,
        "lexicon_version": lexicon.version,
    }


class _Reader:
    """Reads a document's lines into conflicts, agreeing claims and double negations."""

    def __init__(self, title: str, paragraphs: list[tuple[int, str]], lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        self.headline = headline_claims(title, lexicon)
        self.keys = headline_keys(title, lexicon)
        self.title_cue = has_cue(title, lexicon)
        self.acronyms: dict[str, Phrase] = {}
        for _, text in [(0, title), *paragraphs]:
            if "(" in text:
                self.acronyms.update(acronyms_in(text, lexicon))
        self.conflicts: list[Conflict] = []
        self.agreeing: list[Claim] = []
        self.double_negations: list[dict[str, Any]] = []
        self.sentences_read = 0

    def read_line(self, line_no: int, text: str, previous_text: str | None) -> None:
        previous_sentences = sentences_of(previous_text) if previous_text else ()
        previous = previous_sentences[-1] if previous_sentences else None
        double_cue = has_double_negation_cue(text, self.lexicon)
        for sentence in sentences_of(text):
            self.sentences_read += 1
            antecedent = leading_phrase(previous, self.lexicon) if previous is not None else None
            self._read_sentence(line_no, sentence, antecedent, double_cue)
            previous = sentence

    def _read_sentence(self, line_no: int, sentence: Sentence, antecedent: Phrase | None, double_cue: bool) -> None:
        found = False
        for index, token in enumerate(sentence.tokens):
            low = token.text.lower()
            if not low.isalpha():
                continue
            related = family_key(low, self.lexicon) in self.keys
            if not related and not double_cue:
                continue
            claim = analyse(sentence, line_no, index, self.lexicon)
            if claim is None:
                continue
            if not found and related:
                found = self._compare(claim, antecedent)
            if not found and double_cue:
                flag = _double_negation(claim, self.lexicon)
                if flag is not None:
                    self.double_negations.append(flag)

    def _compare(self, claim: Claim, antecedent: Phrase | None) -> bool:
        """Record a conflict with (or agreement with) a headline claim; True on a conflict."""
        for reference in self.headline:
            if shared_family(claim.lemma, reference.lemma, self.lexicon) is None:
                continue
            resolved = resolve_subject(claim, antecedent, reference.subject)
            if resolved is not None:
                family = conflicts(resolved, reference, self.lexicon, self.acronyms)
                if family is not None:
                    self.conflicts.append(Conflict(resolved, reference, family))
                    return True
            if agreement(claim, reference, self.lexicon, self.acronyms) is not None and claim.net != 0:
                if conflicts(claim, reference, self.lexicon, self.acronyms) is None:
                    self.agreeing.append(claim)
        return False

    def flags(self) -> list[dict[str, Any]]:
        flags = []
        flagged = set()
        for conflict in self.conflicts:
            claim = conflict.claim
            others = [other for other in self.agreeing if other.line_no != claim.line_no
                      and agreement(other, conflict.reference, self.lexicon, self.acronyms) is not None]
            others.sort(key=lambda other: (other.line_no, other.offset))
            explanation = explain(conflict, others, self.lexicon)
            flags.append(_flag(claim, "contradiction", "high", explanation, conflict.reference, self.lexicon))
            flagged.add((claim.line_no, claim.sentence.number))
        for flag in self.double_negations:
            if (flag["line_no"], flag["sentence_no"]) not in flagged:
                flags.append(flag)
                flagged.add((flag["line_no"], flag["sentence_no"]))
        return flags


def flag_document(title: str, paragraphs: list[tuple[int, str]], lexicon: Lexicon | None = None,
                  stats: dict[str, int] | None = None) -> list[dict[str, Any]]:
    """Flags for one document: ``title`` and its kept ``(line_no, text)`` paragraphs, in order.

    Every line is tested with the same necessary condition the polars prefilter uses, so
    giving this function only the prefiltered lines (plus the line before each, and the lines
    that introduce acronyms or count events) gives the same flags as giving it all of them.
    """
    lexicon = lexicon or load_lexicon()
    reader = _Reader(title or "", paragraphs, lexicon)
    previous: str | None = None
    counted = _counted(lexicon)
    quantity_lines = [(line_no, text) for line_no, text in paragraphs if counted.search(text.lower())]
    for line_no, text in paragraphs:
        if text and line_is_read(text, reader.keys, reader.title_cue, lexicon):
            reader.read_line(line_no, text, previous)
            if stats is not None:
                stats["paragraphs"] = stats.get("paragraphs", 0) + 1
        previous = text or None
    flags = reader.flags()
    quantities: list[Quantity] = []
    if len(quantity_lines) >= 2:
        for line_no, text in quantity_lines:
            for sentence in sentences_of(text):
                quantities.extend(quantities_in(sentence, line_no, lexicon))
    flags.extend(numeric_flags(quantities, lexicon))
    if stats is not None:
        stats["sentences"] = stats.get("sentences", 0) + reader.sentences_read
    return flags
