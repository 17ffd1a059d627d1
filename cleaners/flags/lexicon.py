"""The lexicon: operator signatures, antonym families, idioms and aliases, read from TOML.

The flagger's code knows English *structure* (auxiliaries, determiners, clause breaks); what a
word *means* for polarity lives in ``cleaners/data/lexicon.toml`` so that it can be extended
and versioned without touching code (the version is stored with every flag).
"""

from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

Signature = tuple[int, int]  # truth of the complement in a positive, in a negative context


@dataclass(frozen=True, eq=False)  # hashed by identity: cached patterns are per lexicon
class Lexicon:
    """Everything the flagger reads from the data file (see its comments for the meaning)."""

    version: str
    negators: frozenset[str]
    negative_quantifiers: frozenset[str]
    infinitive: dict[str, Signature]
    adjective: dict[str, Signature]
    gerund: dict[str, Signature]
    phrasal: dict[tuple[str, str], Signature]
    factive: dict[str, Signature]
    glue_to: frozenset[str]
    reporting: frozenset[str]
    spokespeople: frozenset[str]
    families: dict[str, dict[str, Any]]
    poles: dict[str, dict[str, int]]  # lemma -> {family: +1 or -1}
    object_synonyms: dict[str, str]  # lemma -> canonical object lemma
    idioms: tuple[str, ...]
    subjects: tuple[tuple[str, re.Pattern[str]], ...]
    quantity_verbs: frozenset[str] = frozenset()
    units: frozenset[str] = frozenset()
    phrasal_nouns: frozenset[str] = field(default_factory=frozenset)
    double_negation_families: tuple[str, ...] = ()

    @property
    def implicative_lemmas(self) -> frozenset[str]:
        """Every verb or adjective that takes a complement whose truth it decides."""
        return frozenset([*self.infinitive, *self.adjective, *self.gerund, *(verb for verb, _ in self.phrasal)])

    def family_of(self, lemma: str) -> dict[str, int]:
        """The families ``lemma`` belongs to, with its pole in each (empty for most verbs)."""
        return self.poles.get(lemma, {})


def _signatures(table: dict[str, list[int]]) -> dict[str, Signature]:
    return {word: (int(value[0]), int(value[1])) for word, value in table.items()}


@functools.cache
def load_lexicon(text: str | None = None) -> Lexicon:
    """The lexicon shipped with textwash (or ``text``, a TOML string of the same form)."""
    if text is None:
        text = resources.files("cleaners.data").joinpath("lexicon.toml").read_text(encoding="utf-8")
    data = tomllib.loads(text)
    poles: dict[str, dict[str, int]] = {}
    for name, family in data["families"].items():
        for sign, key in ((1, "positive"), (-1, "negative")):
            for lemma in family[key]:
                poles.setdefault(lemma, {})[name] = sign
    synonyms = {word: canonical for canonical, words in data.get("object_synonyms", {}).items() for word in words}
    implicatives = data["implicatives"]
    phrasal = {tuple(key.split()): (int(v[0]), int(v[1])) for key, v in implicatives.get("phrasal", {}).items()}
    subjects = tuple((canonical, re.compile("|".join(aliases))) for canonical, aliases in data.get("subjects", {}).items())
    return Lexicon(
        version=data["version"],
        negators=frozenset(data["negators"]),
        negative_quantifiers=frozenset(data["negative_quantifiers"]),
        infinitive=_signatures(implicatives.get("infinitive", {})),
        adjective=_signatures(implicatives.get("adjective", {})),
        gerund=_signatures(implicatives.get("gerund", {})),
        phrasal=phrasal,
        factive=_signatures(implicatives.get("factive", {})),
        glue_to=frozenset(data.get("glue_to", [])),
        reporting=frozenset(data.get("reporting", [])),
        spokespeople=frozenset(data.get("spokespeople", [])),
        families=data["families"],
        poles=poles,
        object_synonyms=synonyms,
        idioms=tuple(data["idioms"]["noncommittal"]),
        subjects=subjects,
        quantity_verbs=frozenset(data["quantities"]["verbs"]),
        units=frozenset(data["quantities"]["units"]),
        phrasal_nouns=frozenset(noun for _, noun in phrasal),
        double_negation_families=tuple(data.get("double_negation_families", [])),
    )
