"""Numeric conflicts: one counted event of one subject given two incompatible numbers.

"12 people were injured" against "30 people were injured" (same subject, noun and verb) is a
conflict; "at least 12" against "30" is not. Only events news counts (the lexicon's quantity
verbs) of things that are not units of measure; years are not quantities.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cleaners.flags.lexicon import Lexicon
from cleaners.flags.words import NUMBER_WORDS, lemma
from cleaners.sentences import Sentence

_QUALIFIERS = {("at", "least"): "at_least", ("more", "than"): "more_than", ("over",): "more_than",
               ("at", "most"): "at_most", ("fewer", "than"): "at_most", ("less", "than"): "at_most",
               ("up", "to"): "at_most", ("about",): "about", ("around",): "about", ("nearly",): "about",
               ("almost",): "about", ("roughly",): "about", ("approximately",): "about", ("some",): "about"}
_AUXILIARY_VERBS = {"have", "has", "had", "be", "been", "was", "were", "is", "are", "reportedly", "apparently",
                    "also", "already", "now", "allegedly", "reported", "said"}
_PARTICIPLE = ("ed", "en", "wn", "lost", "won", "cut", "barred", "banned")
_W, _NW = r"[a-z0-9_]", r"[^a-z0-9_]"


@dataclass
class Quantity:
    line_no: int
    sentence: Sentence
    subject: str | None
    noun: str
    verb: str
    value: float
    qualifier: str
    text: str

    def interval(self) -> tuple[float, float]:
        value = self.value
        return {
            "exact": (value, value), "at_least": (value, float("inf")), "more_than": (value + 1e-9, float("inf")),
            "at_most": (0.0, value), "about": (value * 0.85, value * 1.15),
        }[self.qualifier]


def quantity_pattern(lexicon: Lexicon, boundary: str = r"\b") -> str:
    """A regex for "NUMBER NOUN ... counted-event verb" (numeric conflicts need two of them)."""
    numbers = ["[0-9][0-9,]*"] + sorted(NUMBER_WORDS)
    verbs = sorted({verb[:-1] if verb.endswith(("e", "y")) and len(verb) > 3 else verb for verb in lexicon.quantity_verbs})
    return (boundary + "(?:" + "|".join(numbers) + ")" + f" +{_W}+(?:{_NW}+{_W}+){{0,3}}{_NW}+(?:"
            + "|".join(map(re.escape, verbs)) + ")" + _W + "*")


def subject_pattern(lexicon: Lexicon) -> str:
    """Any name of a lexicon subject: a numeric conflict needs one in both sentences, so a line
    without one is never counted (Python and the polars prefilter both test it)."""
    return "|".join(f"(?:{pattern.pattern})" for _canonical, pattern in lexicon.subjects) or "(?!)"


def _sentence_subject(sentence: Sentence, lexicon: Lexicon) -> str | None:
    """The one lexicon subject a sentence names, if exactly one."""
    named = {canonical for canonical, pattern in lexicon.subjects if pattern.search(sentence.text)}
    return named.pop() if len(named) == 1 else None


def _number(word: str) -> float | None:
    cleaned = word.replace(",", "")
    if cleaned.isdigit():
        value = float(cleaned)
        return None if 1900 <= value <= 2100 else value  # a year, not a quantity
    if word.lower() in NUMBER_WORDS:
        return float(NUMBER_WORDS[word.lower()])
    return None


def quantities_in(sentence: Sentence, line_no: int, lexicon: Lexicon) -> list[Quantity]:
    """``[qualifier] NUMBER NOUN ... VERB`` groups: how many of what did what."""
    words = [token.text for token in sentence.tokens]
    found = []
    for index, word in enumerate(words):
        value = _number(word)
        if value is None or index + 1 >= len(words) or not words[index + 1][:1].isalpha() or words[index + 1][:1].isupper():
            continue
        qualifier = "exact"
        for phrase, name in _QUALIFIERS.items():
            if tuple(w.lower() for w in words[max(0, index - len(phrase)):index]) == phrase:
                qualifier = name
        cursor = index + 2
        while cursor < len(words) and words[cursor].lower() in _AUXILIARY_VERBS:
            cursor += 1
        if cursor >= len(words) or not words[cursor][:1].isalpha():
            continue
        noun, verb = lemma(words[index + 1]), lemma(words[cursor])
        if noun in lexicon.units or verb not in lexicon.quantity_verbs or words[index + 1].startswith("-"):
            continue
        if not (cursor > index + 2 or words[cursor].lower().endswith(_PARTICIPLE)):
            continue  # "six electoral votes": a noun, not a verb
        found.append(Quantity(line_no, sentence, _sentence_subject(sentence, lexicon), noun, verb, value, qualifier,
                              " ".join(words[max(0, index - 2):cursor + 1])))
    return found


def numeric_flags(quantities: list[Quantity], lexicon: Lexicon,
                  real: Callable[[int, int], Sentence] | None = None) -> list[dict[str, Any]]:
    """A ``numeric_conflict`` flag for each quantity incompatible with an earlier one.

    ``real(line_no, offset)`` gives the real sentence to show, when quantities were read off
    cheaper pseudo-sentences."""
    flags = []
    for index, quantity in enumerate(quantities):
        for earlier in quantities[:index]:
            if quantity.subject is None or (earlier.subject, earlier.noun, earlier.verb) != (
                    quantity.subject, quantity.noun, quantity.verb):
                continue
            low, high = quantity.interval()
            other_low, other_high = earlier.interval()
            if low <= other_high and other_low <= high:
                continue
            if real is not None:
                quantity.sentence = real(quantity.line_no, quantity.sentence.start)
                earlier.sentence = real(earlier.line_no, earlier.sentence.start)
            qualifier = quantity.qualifier.replace("_", " ")
            explanation = (f'"{quantity.text}" gives {quantity.noun} that {quantity.verb} as {qualifier} '
                           f"{quantity.value:g}; line {earlier.line_no}, sentence {earlier.sentence.number} says "
                           f'"{earlier.text}" ({earlier.qualifier.replace("_", " ")} {earlier.value:g})')
            flags.append({
                "line_no": quantity.line_no, "sentence_no": quantity.sentence.number,
                "char_start": quantity.sentence.start, "char_end": quantity.sentence.end,
                "sentence": quantity.sentence.text, "kind": "numeric_conflict", "severity": "medium",
                "explanation": explanation, "conflicts_with_line_no": earlier.line_no,
                "conflicts_with_sentence_no": earlier.sentence.number, "conflicts_with_text": earlier.sentence.text,
                "lexicon_version": lexicon.version,
            })
            break
    return flags
