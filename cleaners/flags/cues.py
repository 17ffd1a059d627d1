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
from dataclasses import dataclass

from cleaners.flags.lexicon import Lexicon
from cleaners.flags.words import FUNCTION_WORDS, IRREGULAR, KEY_IRREGULAR, NOT_BEFORE_PREDICATES, key, words_of

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
def polarity_pattern(lexicon: Lexicon, boundary: str = r"\b") -> str:
    """A polarity cue (or a chain of them) and the five words after it: a negator, a negative quantifier, an
    implicative (or a phrasal implicative's noun). A predicate it changes is in that window."""
    negators = sorted(word for word in lexicon.negators | lexicon.negative_quantifiers if word.isalpha())
    operators = _stems([*lexicon.infinitive, *lexicon.adjective, *lexicon.gerund, *lexicon.phrasal_nouns])
    cue = f"(?:{boundary}(?:{'|'.join(negators)}){boundary}|n['’]t{boundary}|{boundary}{_alternation(operators)}[a-z]*)"
    # A chain of cues each within five words of the last ("not … able to avoid"), then five
    # words: a match never swallows a cue whose own window reaches further.
    return f"{cue}(?:(?:[^a-z]+[a-z]+){{0,5}}?[^a-z]+{cue})*(?:[^a-z]+[a-z]+){{0,5}}"


@functools.cache
def object_quantifier_pattern(boundary: str = r"\b") -> str:
    """Up to three words before "no"/"none" ("made no arrests": the predicate is before it)."""
    return f"{boundary}(?:[a-z]+[^a-z]+){{1,3}}(?:no|none){boundary}"


@functools.cache
def family_pattern(lexicon: Lexicon, boundary: str = r"\b") -> str:
    """Any form of a word of an antonym family (an antonym needs no other cue)."""
    return f"{boundary}{_alternation(_stems(list(lexicon.poles)))}[a-z]*"


@functools.cache
def cue_pattern(lexicon: Lexicon, boundary: str = r"\b") -> str:
    """A line that could change a claim's polarity: a line any of the three patterns above
    matches, tested without their windows (cheaper)."""
    negators = sorted(word for word in lexicon.negators | lexicon.negative_quantifiers if word.isalpha())
    operators = _stems([*lexicon.infinitive, *lexicon.adjective, *lexicon.gerund, *lexicon.phrasal_nouns])
    return (f"{boundary}(?:{'|'.join(negators)}){boundary}|n['’]t{boundary}|{boundary}{_alternation(operators)}"
            f"|{family_pattern(lexicon, boundary)}")


@functools.cache
def double_negation_pattern(lexicon: Lexicon, boundary: str = r"\b") -> str:
    """A negative operator within four words before a negative-pole predicate ("refusing to deny")."""
    negative_operators = [word for table in (lexicon.infinitive, lexicon.adjective, lexicon.gerund)
                          for word, signature in table.items() if signature[0] < 0]
    negative_poles = [word for word, poles in lexicon.poles.items()
                      if any(pole < 0 and name in lexicon.double_negation_families for name, pole in poles.items())]
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


_FAMILY_KEYS: dict[tuple[int, str], str] = {}  # (id of a lexicon, word) -> key; bounded below


def family_key(word: str, lexicon: Lexicon) -> str:
    """The key of a lower-case word, or its family group's key when it has one."""
    found = _FAMILY_KEYS.get((id(lexicon), word))
    if found is None:
        if len(_FAMILY_KEYS) > 500_000:
            _FAMILY_KEYS.clear()
        stem = key(word)
        found = _FAMILY_KEYS[(id(lexicon), word)] = _components(lexicon).get(stem, stem)
    return found


@functools.cache
def _key_sources(lexicon: Lexicon) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """(family group key → the stems it stands for, stem → the irregular forms with that stem)."""
    stems: dict[str, list[str]] = {}
    for stem, group in _components(lexicon).items():
        stems.setdefault(group, []).append(stem)
    irregular: dict[str, list[str]] = {}
    for form in KEY_IRREGULAR:
        if form.isalpha():
            irregular.setdefault(key(form), []).append(form)
    return stems, irregular


@functools.lru_cache(maxsize=100_000)
def key_roots(family: str, lexicon: Lexicon) -> frozenset[str]:
    """Strings one of which every word whose :func:`family_key` is ``family`` contains: a
    necessary condition the prefilter tests with plain substring search before it reads words.

    A stem is a prefix of its word, since :func:`cleaners.flags.words.key` only cuts a suffix,
    a doubled consonant, or turns a final "y" into "i" ("deni" comes from "deny" or "denies");
    irregular forms ("won" for "win") are their own roots; a family group's key stands for the
    stems of its members."""
    stems, irregular = _key_sources(lexicon)
    roots = set()
    for stem in stems.get(family, [family]):
        roots.add(stem)
        if stem.endswith("i"):
            roots.add(stem[:-1] + "y")
        roots.update(irregular.get(stem, ()))
    return frozenset(roots)


@dataclass(frozen=True)
class HeadlineKeys:
    """What a body line must share with its headline to be read.

    ``near``: keys of the headline's words that could be predicates (content words; in a
    headline that is not Title Case, not the capitalised ones after the first: names are not
    predicates); a body word near a polarity cue must have one. ``anywhere``: keys of the
    headline's own words near a polarity cue ("X did not deny Y"); any body word may have one."""

    near: frozenset[str]
    anywhere: frozenset[str]

    def __bool__(self) -> bool:
        return bool(self.near or self.anywhere)


_CASED = re.compile(r"[A-Za-z]+")
_PIECE = re.compile(r"([^A-Za-z]*)([A-Za-z]+)")  # (what comes before a word, the word)
_WORD_START = re.compile(r"(?:^|[\s\"“(])$")  # where a token starts: the claims' tokens agree


def after_a_noun_marker(pieces: list[tuple[str, str]], position: int) -> bool:
    """Is word ``position`` of ``pieces`` (:data:`_PIECE` matches) right after "the ", "for "
    and the like, or after a possessive "'s ", where it cannot be a predicate? Only when the
    claims' tokenizer sees the same previous token (one space between, a clean start)."""
    if position == 0 or pieces[position][0] != " ":
        return False
    before, previous = pieces[position - 1]
    if previous == "s" and before in ("'", "’") and position > 1:
        return True
    return previous.lower() in NOT_BEFORE_PREDICATES and _WORD_START.search(before) is not None


def is_title_case(words: list[str]) -> bool:
    """Title Case (capitals say nothing about names): most long content words capitalised."""
    content = [word for word in words if len(word) > 3 and word.lower() not in FUNCTION_WORDS]
    return len(content) >= 2 and sum(word[0].isupper() for word in content) >= 0.6 * len(content)


@functools.lru_cache(maxsize=20_000)
def headline_keys(title: str, lexicon: Lexicon) -> HeadlineKeys:
    """The :class:`HeadlineKeys` of a headline (polars computes the same, per document); cached,
    since syndicated copies share their headline."""
    pieces = _PIECE.findall(title)
    words = [word for _, word in pieces]
    titled = is_title_case(words)
    near = frozenset(family_key(word.lower(), lexicon) for position, word in enumerate(words)
                     if len(word) >= 3 and word.lower() not in FUNCTION_WORDS
                     and (position == 0 or not word[0].isupper() or titled) and not after_a_noun_marker(pieces, position))
    cued = words_of(" ".join(polarity_spans(title.lower(), lexicon)))
    anywhere = frozenset(family_key(word, lexicon) for word in cued if len(word) >= 3 and word not in FUNCTION_WORDS)
    return HeadlineKeys(near, anywhere)


@functools.cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def has_polarity_cue(text: str, lexicon: Lexicon) -> bool:
    """A negator, negative quantifier or implicative anywhere (for a headline)."""
    return _compiled(polarity_pattern(lexicon)).search(text.lower()) is not None


def has_double_negation_cue(text: str, lexicon: Lexicon) -> bool:
    return _compiled(double_negation_pattern(lexicon)).search(text.lower()) is not None


@functools.cache
def _negative_operator(lexicon: Lexicon) -> re.Pattern[str]:
    negative_operators = [word for table in (lexicon.infinitive, lexicon.adjective, lexicon.gerund)
                          for word, signature in table.items() if signature[0] < 0]
    return re.compile(rf"\b{_alternation(_stems(negative_operators))}[a-z]*")


_FOUR_WORDS = re.compile(r"(?:[^a-z]+[a-z]+){0,4}")


def double_negation_spans(lower: str, lexicon: Lexicon) -> tuple[tuple[int, int], ...]:
    """Each negative operator of a lower-case line and the four words after it: the negative-pole
    predicate of a double-negation cue starts in one (:func:`double_negation_pattern`), so only
    predicates that start in one are read for a double negation."""
    spans = []
    for operator in _negative_operator(lexicon).finditer(lower):
        window = _FOUR_WORDS.match(lower, operator.end())
        spans.append((operator.start(), window.end() if window else operator.end()))
    return tuple(spans)


def polarity_spans(lower: str, lexicon: Lexicon) -> list[str]:
    """The spans of a lower-case text after its polarity cues, and before an object "no"."""
    return [*_compiled(polarity_pattern(lexicon)).findall(lower), *_compiled(object_quantifier_pattern()).findall(lower)]


def cue_words(lower: str, lexicon: Lexicon) -> list[str]:
    """The words of a lower-case line near a polarity cue or in an antonym family."""
    return words_of(" ".join([*polarity_spans(lower, lexicon), *_compiled(family_pattern(lexicon)).findall(lower)]))


def line_is_read(text: str, keys: HeadlineKeys, lexicon: Lexicon) -> bool:
    """Could this line hold a flag against a headline with ``keys``? A double-negation cue; or
    a word near a polarity cue, or of an antonym family, with a ``near`` key; or any word with
    an ``anywhere`` key. The polars prefilter applies the same test."""
    return has_double_negation_cue(text, lexicon) or bool(shared_keys(text, keys, lexicon))


def shared_keys(text: str, keys: HeadlineKeys, lexicon: Lexicon,
                words: tuple[list[str], list[str]] | None = None) -> dict[str, str]:
    """The line's candidate words that have a headline key, each with its key (see
    :func:`line_is_read`); ``words`` are its (cue words, all words) when known already.
    Function words are never predicates, so they are never candidates."""
    if words is None:
        lower = text.lower()
        words = (cue_words(lower, lexicon), words_of(lower) if keys.anywhere else [])
    found = {}
    for word in words[0]:
        key = family_key(word, lexicon)
        if key in keys.near and word not in FUNCTION_WORDS:
            found[word] = key
    if keys.anywhere:
        for word in words[1]:
            key = family_key(word, lexicon)
            if key in keys.anywhere and word not in FUNCTION_WORDS:
                found[word] = key
    return found
