"""Noun phrases and complements: who a claim is about and what it is about.

A :class:`Phrase` keeps what matching needs: content lemmas, the head, the names, a pronoun, a
negative quantifier, and the entity a spokesman speaks for. A :class:`Complement` is what follows
the predicate: the object noun phrase and the prepositional phrases after it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cleaners.flags.lexicon import Lexicon
from cleaners.flags.words import (
    DETERMINERS,
    FUNCTION_WORDS,
    NUMBER_WORDS,
    PREPOSITIONS,
    PRONOUNS,
    QUOTES,
    SUBJECT_PRONOUNS,
    TITLES,
    lemma,
)

_BARE_QUANTIFIERS = {"nobody", "nothing", "none", "noone"}


@dataclass(frozen=True)
class Phrase:
    """A noun phrase: ``words`` are content lemmas; ``names`` the capitalised ones (not titles)."""

    text: str
    words: tuple[str, ...] = ()
    head: str | None = None
    names: frozenset[str] = frozenset()
    pronoun: str | None = None
    negative: bool = False  # "nobody", "none of the players", "no firm", "neither side"
    wildcard: bool = False  # a bare negative quantifier: stands for anyone
    speaks_for: Phrase | None = None  # "a spokesman for X" → X

    @property
    def empty(self) -> bool:
        return not self.words and self.pronoun is None and not self.wildcard

    def canonical(self) -> Phrase:
        """The entity this phrase stands for (a spokesman's employer, else itself)."""
        return self.speaks_for or self


def _quantifier(lowered: list[str]) -> tuple[bool, bool]:
    """(negative, wildcard) for a phrase's first words: "nobody" (both), "none of the players",
    "no firm", "neither side", "not a single viewer" (negative only)."""
    first = lowered[0] if lowered else ""
    if first in _BARE_QUANTIFIERS:
        return True, len(lowered) == 1
    if lowered[:2] in (["no", "one"], ["not", "one"]):
        return True, len(lowered) == 2
    if first in {"no", "neither"} or lowered[:2] == ["not", "a"]:
        return True, False
    return False, False


def _is_name(word: str, position: int, title_case: bool) -> bool:
    """A capitalised word that is not the first of its sentence (unless an acronym)."""
    if len(word) > 1 and word.isupper() and word.isalpha():
        return True
    return not title_case and position > 0 and word[:1].isupper()


def make_phrase(words: list[str], positions: list[int], lexicon: Lexicon, title_case: bool = False) -> Phrase:
    """A :class:`Phrase` from surface words (``positions``: their index in the sentence)."""
    text = " ".join(words).strip()
    lowered = [word.lower() for word in words]
    negative, wildcard = _quantifier(lowered)
    # "a spokesman for X", "X's spokesman", "a palace spokesman"
    for index, word in enumerate(lowered):
        if word in lexicon.spokespeople:
            after = lowered[index + 1:]
            if after[:1] == ["for"] and len(after) > 1:
                employer = make_phrase(words[index + 2:], positions[index + 2:], lexicon, title_case)
            else:
                employer = make_phrase(words[:index], positions[:index], lexicon, title_case)
            if not employer.empty:
                base = Phrase(text, (word,), word)
                return Phrase(text, base.words, base.head, frozenset(), None, negative, False, employer)
    for canonical, pattern in lexicon.subjects:
        match = pattern.search(text)
        # the alias must name the phrase, not a word in it: at its end, or in a short phrase
        if match and (match.end() >= len(text) - len(words[-1]) or len(words) <= 2):
            alias = "@" + canonical.lower()
            return Phrase(text, (alias,), alias, frozenset({alias}), None, negative, False)
    content: list[str] = []
    names: set[str] = set()
    head: str | None = None
    pronoun = None
    for word, position in zip(words, positions):
        low = word.lower()
        if low in QUOTES or not word[:1].isalnum():
            continue
        if len(word) > 1 and word.isupper() and word.isalpha():  # an acronym, even "IS" or "US"
            content.append(low)
            names.add(low)
            head = low
            continue
        if low in SUBJECT_PRONOUNS or (low in PRONOUNS and low not in DETERMINERS and len(words) == 1):
            pronoun = pronoun or low
            continue
        if low in PREPOSITIONS and content:
            break  # "the partition of India": the head is "partition"
        word_lemma = lemma(word)
        if low in FUNCTION_WORDS or word_lemma in FUNCTION_WORDS or low in lexicon.negative_quantifiers:
            if not (low.isdigit() or low in NUMBER_WORDS):
                continue
        content.append(word_lemma.lower())
        if _is_name(word, position, title_case) and low not in TITLES:
            names.add(word_lemma.lower())
        head = word_lemma.lower()
    return Phrase(text, tuple(content), head, frozenset(names), pronoun, negative, wildcard)


@dataclass(frozen=True)
class Complement:
    """What follows a predicate: the object (up to the first preposition) and the PPs after it."""

    text: str
    object_words: tuple[str, ...] = ()
    object_head: str | None = None
    prepositional: tuple[tuple[str, frozenset[str]], ...] = ()
    negative: bool = False  # "made no arrests"
    words: frozenset[str] = field(default_factory=frozenset)
    short: str = ""  # the first words, to say what the claim is about
    pronoun_only: bool = False  # "deny it": an object we cannot compare


def make_complement(words: list[str], lexicon: Lexicon) -> Complement:
    """A :class:`Complement` from the surface words after the predicate (clause-bounded)."""
    object_words: list[str] = []
    prepositional: list[tuple[str, set[str]]] = []
    negative = False
    current: set[str] | None = None
    pronouns = 0
    for index, word in enumerate(words):
        low = word.lower()
        if not word[:1].isalnum():
            continue
        if low in PRONOUNS and current is None and not object_words:
            pronouns += 1
        if low == "no" or (low == "any" and index == 0):
            negative = negative or low == "no"
            continue
        if low in PREPOSITIONS:
            prepositional.append((low, set()))
            current = prepositional[-1][1]
            continue
        word_lemma = lemma(word).lower()
        word_lemma = lexicon.object_synonyms.get(word_lemma, word_lemma)
        if (low in FUNCTION_WORDS or word_lemma in FUNCTION_WORDS) and not (low.isdigit() or low in NUMBER_WORDS):
            continue
        if current is None:
            object_words.append(word_lemma)
        else:
            current.add(word_lemma)
    everything = frozenset(object_words).union(*(content for _, content in prepositional))
    frozen = tuple((preposition, frozenset(content)) for preposition, content in prepositional)
    head = object_words[-1] if object_words else None
    pronoun_only = pronouns > 0 and not everything
    return Complement(" ".join(words), tuple(object_words), head, frozen, negative, everything, _short(words),
                      pronoun_only)


def _short(words: list[str]) -> str:
    """The object as an explanation shows it: up to two content words ("them entry", "the permits")."""
    kept: list[str] = []
    content = 0
    for word in words[:6]:
        low = word.lower()
        if not word[:1].isalnum():
            break
        if low in PREPOSITIONS and content:
            break
        kept.append(word)
        content += low not in FUNCTION_WORDS and low not in PREPOSITIONS
        if content == 2:
            break
    return " ".join(kept)
