"""Cheap necessary conditions for a flag, as regexes and keys both Python and polars compute.

A contradiction needs a body line whose words share a *key* with the headline's (the same
predicate, or one of its family) and a polarity cue somewhere in the pair (a negator, a negative
quantifier, an implicative, or an antonym-family word). A double negation needs a negative
operator before a negative-pole predicate. The polars prefilter and :func:`line_is_read` apply
the same tests, so reading only the prefiltered lines loses no flag.
"""

from __future__ import annotations

import functools
import re

from cleaners.flags.lexicon import Lexicon
from cleaners.flags.words import FUNCTION_WORDS, IRREGULAR, key, words_of

# Polars' regex runs on lower-cased text with ASCII word boundaries: Unicode-aware \b, \w and
# (?i) keep Rust's fast regex engine from running and cost 10x here.
ASCII_B = r"(?-u:\b)"


def _stems(lemmas: list[str]) -> list[str]:
    """Prefixes that match every inflection of these lemmas ("deny" → "den", "refuse" → "refus")."""
    stems = {lemma[:-1] if lemma.endswith(("e", "y")) and len(lemma) > 3 else lemma for lemma in lemmas}
    stems |= {form for form, base in IRREGULAR.items() if base in lemmas and form.isalpha()}
    return sorted(stem for stem in stems if " " not in stem)


def _alternation(stems: list[str]) -> str:
    return "(?:" + "|".join(map(re.escape, stems)) + ")"


@functools.cache
def cue_pattern(lexicon: Lexicon, boundary: str = r"\b") -> str:
    """A line that could change a claim's polarity: a negator, a negative quantifier, an
    implicative (or a phrasal implicative's noun), or a word of an antonym family."""
    negators = sorted(word for word in lexicon.negators | lexicon.negative_quantifiers if word.isalpha())
    operators = _stems([*lexicon.infinitive, *lexicon.adjective, *lexicon.gerund, *lexicon.phrasal_nouns])
    families = _stems(list(lexicon.poles))
    return (f"{boundary}(?:{'|'.join(negators)}){boundary}|n['’]t{boundary}|{boundary}"
            f"(?:{_alternation(operators)[3:-1]}|{_alternation(families)[3:-1]})")


@functools.cache
def double_negation_pattern(lexicon: Lexicon, boundary: str = r"\b") -> str:
    """A negative operator within four words before a negative-pole predicate ("refusing to deny")."""
    negative_operators = [word for table in (lexicon.infinitive, lexicon.adjective, lexicon.gerund)
                          for word, signature in table.items() if signature[0] < 0]
    negative_poles = [word for word, poles in lexicon.poles.items() if min(poles.values()) < 0]
    return (f"{boundary}{_alternation(_stems(negative_operators))}[a-z]*(?:[^a-z]+[a-z]+){{0,3}}?[^a-z]+"
            f"{_alternation(_stems(negative_poles))}")


@functools.cache
def _components(lexicon: Lexicon) -> dict[str, str]:
    """Key → one name per group of families that share a lemma (deny joins access and assertion)."""
    parent: dict[str, str] = {}

    def find(node: str) -> str:
        while parent.setdefault(node, node) != node:
            node = parent[node]
        return node

    for name, family in lexicon.families.items():
        for word in [*family["positive"], *family["negative"]]:
            if " " not in word:
                parent[find("k:" + key(word))] = find("f:" + name)
    return {node[2:]: "~" + find(node)[2:] for node in list(parent) if node.startswith("k:")}


def family_key(word: str, lexicon: Lexicon) -> str:
    """The key of a lower-case word, or its family group's key when it has one."""
    stem = key(word)
    return _components(lexicon).get(stem, stem)


def headline_keys(title: str, lexicon: Lexicon) -> frozenset[str]:
    """Keys of the headline's content words (three letters or more, not function words)."""
    return frozenset(family_key(word, lexicon) for word in words_of(title)
                     if len(word) >= 3 and word not in FUNCTION_WORDS)


@functools.cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def has_cue(text: str, lexicon: Lexicon) -> bool:
    return _compiled(cue_pattern(lexicon)).search(text.lower()) is not None


def has_double_negation_cue(text: str, lexicon: Lexicon) -> bool:
    return _compiled(double_negation_pattern(lexicon)).search(text.lower()) is not None


def line_is_read(text: str, keys: frozenset[str], title_cue: bool, lexicon: Lexicon) -> bool:
    """Could this line hold a flag (against a headline with ``keys``)? The same test as the
    polars prefilter's, line by line."""
    if has_double_negation_cue(text, lexicon):
        return True
    if not (title_cue or has_cue(text, lexicon)):
        return False
    return any(family_key(word, lexicon) in keys for word in words_of(text))
