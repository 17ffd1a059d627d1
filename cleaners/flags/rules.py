"""Conflicts between claims, with the headline as the reference, and how to explain them.

A body claim contradicts the headline when the predicate is the same (or of one antonym family),
the subject and the object match (:mod:`cleaners.flags.match`), both are asserted, and their
net polarities, read through the family's poles, are opposite. Plain negation counts ("X did
not V O" against "X Vs O"); so do negative quantifiers and antonyms. Claims reported from
someone other than their subject are not asserted ("critics say X failed to …").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from cleaners.flags.claims import Claim
from cleaners.flags.cues import is_title_case
from cleaners.flags.lexicon import Lexicon
from cleaners.flags.match import same_complement, same_entity
from cleaners.flags.phrases import Phrase
from cleaners.flags.words import DETERMINERS, key, third_person


def shared_family(a: str, b: str, lexicon: Lexicon) -> str | None:
    """The first family two lemmas share ("" when they are one predicate outside families: the
    same lemma, or the same key when the lemmatiser disagrees with itself, "means"/"mean")."""
    common = [name for name in lexicon.family_of(a) if name in lexicon.family_of(b)]
    if common:
        return common[0]
    return "" if a == b or key(a) == key(b) else None


def value(claim: Claim, family: str, lexicon: Lexicon) -> int:
    """The claim's truth read on the family's scale (+ for its positive pole)."""
    pole = lexicon.family_of(claim.lemma).get(family, 1) if family else 1
    return claim.net * pole


def resolve_subject(claim: Claim, antecedent: Phrase | None, reference: Phrase | None) -> Claim | None:
    """The claim with its subject resolved, or None when it is reported from someone else.

    A pronoun stands for the reporting speaker if there is one ("the ministry said it …"),
    else for the same pronoun in the headline, else for the previous sentence's subject."""
    subject = claim.subject
    speaker = claim.speaker.canonical() if claim.speaker is not None else None
    if speaker is not None and not speaker.empty:
        if subject.pronoun:
            subject = speaker
        elif not same_entity(subject, speaker):
            if not (claim.speaker and claim.speaker.speaks_for and not subject.names and subject.words):
                return None
            subject = speaker
    elif subject.pronoun and not subject.words:
        if not (reference is not None and reference.pronoun == subject.pronoun and not reference.words):
            if antecedent is None or antecedent.empty or antecedent.pronoun:
                return None
            subject = antecedent
    return replace(claim, subject=subject) if subject is not claim.subject else claim


@dataclass(frozen=True)
class Conflict:
    claim: Claim
    reference: Claim
    family: str


def conflicts(claim: Claim, reference: Claim, lexicon: Lexicon, acronyms: dict[str, Phrase]) -> str | None:
    """The family (or "") under which ``claim`` contradicts ``reference``, else None."""
    family = agreement(claim, reference, lexicon, acronyms)
    if family is None or value(claim, family, lexicon) == value(reference, family, lexicon):
        return None
    return family


def agreement(claim: Claim, reference: Claim, lexicon: Lexicon, acronyms: dict[str, Phrase]) -> str | None:
    """The family under which two definite claims are about the same thing, else None."""
    if not (claim.definite and reference.definite) or claim.voice != reference.voice:
        return None
    family = shared_family(claim.lemma, reference.lemma, lexicon)
    if family is None:
        return None
    if not same_entity(claim.subject, reference.subject, acronyms):
        return None
    if not same_complement(reference.complement, claim.complement):
        return None
    return family


def _sign(number: int) -> str:
    return "+" if number > 0 else "−"


def chain(claim: Claim, family: str, lexicon: Lexicon) -> str:
    """``refusing (−) to deny (−)``, ``not (−) deny (−)``: each operator with its sign."""
    parts = []
    for operator in claim.operators:
        infinitival = operator.kind in {"infinitive", "adjective", "phrasal"}
        parts.append(f"{operator.text} ({_sign(operator.sign)})" + (" to" if infinitival else ""))
    pole = lexicon.family_of(claim.lemma).get(family, 1) if family else 1
    parts.append(f"{claim.predicate} ({_sign(pole)})")
    return " ".join(parts)


def render_subject(subject: Phrase) -> str:
    """``The ministry`` → ``ministry``; an alias → its canonical name (``US``)."""
    if subject.names and len(subject.words) == 1 and subject.words[0].startswith("@"):
        return subject.words[0][1:].upper() if len(subject.words[0]) <= 4 else subject.words[0][1:].title()
    words = subject.text.split()
    while words and words[0].lower() in DETERMINERS:
        words.pop(0)
    if not words:
        return "the subject"
    others_capitalised = any(word[:1].isupper() for word in words[1:])
    if not others_capitalised and not words[0].isupper():
        words[0] = words[0].lower()
    return " ".join(words)


def says(claim: Claim, family: str, lexicon: Lexicon) -> str:
    """What a claim amounts to, in words: ``US allows them entry``, ``ministry does not deny the report``."""
    subject = render_subject(claim.subject.canonical())
    obj = claim.complement.short
    if claim.line_no == 0 and is_title_case(re.findall(r"[A-Za-z]+", claim.sentence.text)):
        obj = " ".join(word if word.isupper() else word.lower() for word in obj.split())  # "Work Permits"
    pole = lexicon.family_of(claim.lemma).get(family, 1) if family else 1
    truth = claim.net * pole
    only_negators = bool(claim.operators) and all(op.kind in {"negator", "quantifier"} for op in claim.operators)
    if claim.voice == "be":
        verb = f"is {claim.predicate.lower()}" if claim.net > 0 else f"is not {claim.predicate.lower()}"
    elif family and not (only_negators and truth != pole):
        verb = lexicon.families[family]["says"]["positive" if truth > 0 else "negative"]
    elif claim.net > 0:
        verb = third_person(claim.lemma)
    else:
        verb = f"does not {claim.lemma}"
    return f"{subject} {verb} {obj}".strip()


def where(claim: Claim) -> str:
    if claim.line_no == 0:
        return "the headline"
    return f"line {claim.line_no}, sentence {claim.shown.number}"


def explain(conflict: Conflict, corroborating: list[Claim], lexicon: Lexicon) -> str:
    """``refusing (−) to deny (−) ⇒ US allows them entry; the headline says US denies visas; line 9, …``"""
    claim, family = conflict.claim, conflict.family
    parts = [f"{chain(claim, family, lexicon)} ⇒ {says(claim, family, lexicon)}",
             f"the headline says {says(conflict.reference, family, lexicon)}"]
    for other in corroborating[:1]:
        other_family = shared_family(other.lemma, conflict.reference.lemma, lexicon) or ""
        parts.append(f"{where(other)} says {says(other, other_family, lexicon)}")
    return "; ".join(parts)
