"""Do two claims speak of the same who and the same what?

Subjects match by named-entity overlap (names shared, and not each with names the other lacks:
"Hillary Clinton" is not "Bill Clinton"), else by head noun with compatible modifiers ("the
labour minister" is not "the finance minister"); acronyms the document introduces ("the Islamic
State (IS)") stand for their expansion, a spokesman for whom they speak, and a bare negative
quantifier ("nobody") for anyone. Objects match when the body's object adds nothing the
headline does not say and its prepositional phrases do not contradict the headline's ("in
April" against "in March").
"""

from __future__ import annotations

import re

from cleaners.flags.lexicon import Lexicon
from cleaners.flags.phrases import Complement, Phrase
from cleaners.flags.words import lemma

_ACRONYM = re.compile(r"\(([A-Z][A-Za-z]{1,7})\)")
_LINKS = {"of", "and", "for", "the", "&"}


def acronyms_in(text: str, lexicon: Lexicon) -> dict[str, Phrase]:
    """Acronyms a text introduces: "The World Health Organization (WHO)" → who → that phrase:
    the capitalised words just before the parenthesis (with of/and/for between them), cut to
    the ones whose initials spell the acronym when they do."""
    found: dict[str, Phrase] = {}
    for match in _ACRONYM.finditer(text):
        acronym = match.group(1)
        capitals = "".join(ch for ch in acronym if ch.isupper())
        if len(capitals) < 2:
            continue
        before = re.findall(r"[\w'’&.-]+", text[max(0, match.start() - 120):match.start()])
        run: list[str] = []
        for word in reversed(before):
            if word[:1].isupper() or (word.lower() in _LINKS and run):
                run.insert(0, word)
            else:
                break
        while run and run[0].lower() in _LINKS:
            run.pop(0)
        for cut in range(len(run)):
            initials = "".join(word[0] for word in run[cut:] if word.lower() not in _LINKS)
            if initials.upper() == capitals:
                run = run[cut:]
                break
        names = frozenset(lemma(word.rstrip("'’")).lower() for word in run if word.lower() not in _LINKS)
        if names:
            head = run[-1].lower()
            found[acronym.lower()] = Phrase(" ".join(run), tuple(sorted(names)), head, names)
    return found


def _expand(phrase: Phrase, acronyms: dict[str, Phrase]) -> Phrase:
    phrase = phrase.canonical()
    for name in phrase.names:
        if name in acronyms and len(phrase.names) == 1:
            return acronyms[name]
    return phrase


def same_entity(a: Phrase, b: Phrase, acronyms: dict[str, Phrase] | None = None) -> bool:
    """Do two noun phrases name the same entity (see the module docstring)?"""
    a, b = _expand(a, acronyms or {}), _expand(b, acronyms or {})
    if a.wildcard or b.wildcard:
        return True
    if a.empty or b.empty:
        return False
    if a.pronoun or b.pronoun:
        return a.pronoun == b.pronoun and not a.words and not b.words
    if a.names and b.names:
        return bool(a.names & b.names) and not (a.names - b.names and b.names - a.names)
    if not (a.head == b.head or a.head in b.words or b.head in a.words):
        return False
    return not (set(a.words) - set(b.words) and set(b.words) - set(a.words))


def same_complement(reference: Complement, other: Complement) -> bool:
    """Does ``other`` (a body claim's complement) speak of what ``reference`` does?"""
    if other.pronoun_only:  # "did not deny it": what "it" is, we do not know, unless the
        return other.text.lower() == reference.text.lower()  # headline says the same words
    if not other.words:
        return True  # nothing said about the object: "She has not resigned."
    if other.object_words:
        if not set(other.object_words) <= reference.words:
            return False
        if reference.object_words and other.object_head not in reference.words:
            return False
    for preposition, content in other.prepositional:
        if not content:
            continue
        same_kind = [words for word, words in reference.prepositional if word == preposition and words]
        if same_kind and not any(content & words for words in same_kind):
            return False  # "in April" against "in March"
    return True
