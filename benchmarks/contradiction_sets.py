"""Evaluation sets for contradiction flags, built without looking at the flagger.

Three sets, every item a small document (headline + body paragraphs) with a label:

* ``spin`` (a): a real body sentence whose finite main verb is rewritten by a spinner's operator
  ("denied them visas" -> "failed to deny them visas", "is refusing to deny ...") whose composed
  signature makes the claim false. Sentences are chosen by syntactic form (a finite main verb in
  the past or present, a subject before it, an object or complement after it, a plain declarative
  clause), never by a list of verbs.
* ``preserve`` (b): the same sentences under operators whose composed signature keeps the claim
  ("managed to deny", "did not fail to deny"), the untouched article, non-committal idioms
  appended ("X would not confirm or deny the report."), and the edit put under a question, a
  conditional, a modal or another speaker. None contradicts the headline.
* ``pairs`` (c): hand-written headline/sentence pairs (``benchmarks/data/contradiction_pairs.jsonl``)
  plus pairs composed from small vocabularies written here: plain negation, antonyms, negative
  quantifiers, coreference (pronouns, acronyms, spokesmen) and hard negatives.

Operator signatures follow Nairn, Condoravdi & Karttunen (2006), "Computing relative polarity for
textual inference", and Karttunen (2012), "Simple and phrasal implicatives": a signature says what
the operator's complement is in a positive and in a negative environment (``+`` true, ``-`` false,
``o`` unknown). Labels are derived by composing signatures from the outside in, never written
by hand. Sets (a) and (b) are generated at evaluation time from ``../shared/corpora`` (third-party
text is never copied into the repository); only (c) is committed, and it is our own text.

Every item has a stable id; its half (``dev``/``test``) is a blake2b hash of the id. The test half
is frozen by ``benchmarks/data/contradiction_test_manifest.json`` (``--write-manifest`` rewrites
it, on purpose, in a commit of its own).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import simplemma

from benchmarks.syntok_sentences import split_paragraph
from cleaners.sentences import Sentence

SHARED = Path(__file__).resolve().parents[2] / "shared"
DATA = Path(__file__).resolve().parent / "data"
PAIRS_FILE = DATA / "contradiction_pairs.jsonl"
MANIFEST_FILE = DATA / "contradiction_test_manifest.json"

SETS = ("spin", "preserve", "pairs")
MAX_SEEDS_PER_ARTICLE = 2
MAX_SEEDS_PER_LEMMA = 3


# --------------------------------------------------------------------------------------------
# Items and halves


@dataclass(frozen=True)
class Item:
    id: str
    set: str  # 'spin' (a), 'preserve' (b) or 'pairs' (c)
    group: str  # template (a, b) or category (c)
    contradiction: bool  # the label: does the body contradict the headline?
    title: str
    paragraphs: tuple[tuple[int, str], ...]  # (line_no, text) of the body; the title is line 1
    target_line: int | None  # where the edited / claim sentence is
    target_sentence: str | None
    source: str = ""  # article id (a, b) or 'written'/'composed' (c)
    polarity: str = ""  # composed polarity of the seed claim: '+', '-', 'o'
    note: str = ""
    split_key: str = ""  # what the half is drawn from: the article for (a, b), the id for (c)

    @property
    def half(self) -> str:
        """All edits of one article fall in one half: no test sentence is ever seen in dev."""
        return half_of(self.split_key or self.id)

    def as_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "set": self.set,
            "group": self.group,
            "label": "contradiction" if self.contradiction else "none",
            "half": self.half,
            "title": self.title,
            "paragraphs": [list(p) for p in self.paragraphs],
            "target_line": self.target_line,
            "target_sentence": self.target_sentence,
            "source": self.source,
            "polarity": self.polarity,
            "note": self.note,
        }


def half_of(item_id: str) -> str:
    """'dev' or 'test', by a stable hash of the id (the same on every machine and run)."""
    return "test" if hashlib.blake2b(item_id.encode(), digest_size=8).digest()[0] & 1 else "dev"


def manifest_of(items: Iterable[Item]) -> dict[str, dict[str, object]]:
    """Count and blake2b digest of the sorted test-half ``id<TAB>label`` lines, per set."""
    lines: dict[str, list[str]] = {name: [] for name in SETS}
    for item in items:
        if item.half == "test":
            lines[item.set].append(f"{item.id}\t{int(item.contradiction)}")
    out: dict[str, dict[str, object]] = {}
    for name, rows in lines.items():
        rows.sort()
        digest = hashlib.blake2b("\n".join(rows).encode(), digest_size=16).hexdigest()
        out[name] = {"count": len(rows), "digest": digest}
    return out


# --------------------------------------------------------------------------------------------
# English morphology: our own tables (standard irregular verbs), simplemma for regular lemmas

# base past past-participle [gerund when it doubles the final consonant]
_IRREGULAR_TABLE = """
arise arose arisen
awake awoke awoken
bear bore borne
beat beat beaten
become became become
begin began begun beginning
bend bent bent
bet bet bet betting
bind bound bound
bite bit bitten biting
bleed bled bled
blow blew blown
break broke broken
breed bred bred
bring brought brought
broadcast broadcast broadcast
build built built
buy bought bought
cast cast cast
catch caught caught
choose chose chosen
cling clung clung
come came come
cost cost cost
creep crept crept
cut cut cut cutting
deal dealt dealt
dig dug dug digging
draw drew drawn
drink drank drunk
drive drove driven
eat ate eaten
fall fell fallen
feed fed fed
feel felt felt
fight fought fought
find found found
flee fled fled
fly flew flown
forbid forbade forbidden forbidding
forecast forecast forecast
foresee foresaw foreseen
forget forgot forgotten forgetting
forgive forgave forgiven
freeze froze frozen
get got got getting
give gave given
go went gone
grind ground ground
grow grew grown
hang hung hung
hear heard heard
hide hid hidden
hit hit hit hitting
hold held held
hurt hurt hurt
keep kept kept
know knew known
lay laid laid
lead led led
leave left left
lend lent lent
let let let letting
light lit lit
lose lost lost
make made made
mean meant meant
meet met met
mislead misled misled
overcome overcame overcome
oversee oversaw overseen
overtake overtook overtaken
pay paid paid
put put put putting
quit quit quit quitting
read read read
rebuild rebuilt rebuilt
ride rode ridden
ring rang rung
rise rose risen
run ran run running
say said said
see saw seen
seek sought sought
sell sold sold
send sent sent
set set set setting
shake shook shaken
shed shed shed shedding
shine shone shone
shoot shot shot
show showed shown
shrink shrank shrunk
shut shut shut shutting
sing sang sung
sink sank sunk
sit sat sat sitting
sleep slept slept
slide slid slid
speak spoke spoken
spend spent spent
spin spun spun spinning
split split split splitting
spread spread spread
stand stood stood
steal stole stolen
stick stuck stuck
sting stung stung
strike struck struck
swear swore sworn
sweep swept swept
swim swam swum swimming
swing swung swung
take took taken
teach taught taught
tear tore torn
tell told told
think thought thought
throw threw thrown
undergo underwent undergone
understand understood understood
undertake undertook undertaken
uphold upheld upheld
upset upset upset upsetting
wake woke woken
wear wore worn
win won won winning
withdraw withdrew withdrawn
withhold withheld withheld
write wrote written
"""


@dataclass(frozen=True)
class VerbForms:
    base: str
    third: str  # 3rd person singular present
    past: str
    participle: str
    gerund: str


def _parse_irregular() -> dict[str, VerbForms]:
    table: dict[str, VerbForms] = {}
    for line in _IRREGULAR_TABLE.strip().splitlines():
        parts = line.split()
        base, past, participle = parts[:3]
        gerund = parts[3] if len(parts) > 3 else _gerund_default(base)
        table[base] = VerbForms(base, _third_regular(base), past, participle, gerund)
    return table


def _third_regular(base: str) -> str:
    if base in {"be", "have", "do", "go"}:
        return {"be": "is", "have": "has", "do": "does", "go": "goes"}[base]
    if re.search(r"(s|x|z|ch|sh)$", base):
        return base + "es"
    if re.search(r"[^aeiou]y$", base):
        return base[:-1] + "ies"
    return base + "s"


def _gerund_default(base: str) -> str:
    """-ing form without consonant doubling (doubling is decided by the caller)."""
    if base.endswith("ie"):
        return base[:-2] + "ying"
    if base.endswith("e") and not base.endswith(("ee", "oe", "ye")) and base not in {"be"}:
        return base[:-1] + "ing"
    if base.endswith("c"):
        return base + "king"
    return base + "ing"


def _monosyllabic_cvc(base: str) -> bool:
    """One vowel group and a final consonant-vowel-consonant: 'stop', 'ban' double; 'visit' may not."""
    return len(re.findall(r"[aeiouy]+", base)) == 1 and bool(re.search(r"[^aeiou][aeiou][^aeiouwxy]$", base))


def _past_regular(base: str) -> set[str]:
    if base.endswith("e"):
        return {base + "d"}
    if re.search(r"[^aeiou]y$", base):
        return {base[:-1] + "ied"}
    if base.endswith("c"):
        return {base + "ked"}
    forms = {base + "ed"}
    if re.search(r"[^aeiou][aeiou][^aeiouwxy]$", base):
        forms.add(base + base[-1] + "ed")
    return forms


IRREGULAR = _parse_irregular()
_IRREGULAR_PAST = {forms.past: forms for forms in IRREGULAR.values()}
_IRREGULAR_PARTICIPLE = {forms.participle: forms for forms in IRREGULAR.values()}
_IRREGULAR_THIRD = {forms.third: forms for forms in IRREGULAR.values()}


def regular_forms(base: str, past: str | None = None) -> VerbForms:
    """Forms of a regular verb; ``past`` (as written in the text) decides consonant doubling."""
    if past is not None and past == base + base[-1] + "ed":
        gerund = base + base[-1] + "ing"
        past_form = past
    elif base.endswith("c"):
        gerund, past_form = base + "king", base + "ked"
    else:
        gerund = _gerund_default(base)
        past_form = past if past is not None else sorted(_past_regular(base))[0]
    return VerbForms(base, _third_regular(base), past_form, past_form, gerund)


@cache
def _lemma(word: str) -> str:
    return str(simplemma.lemmatize(word, lang="en"))


class Unreliable(Exception):
    """A verb form we cannot inflect with confidence (the sentence is dropped, with the reason)."""


# Word forms seen in the corpus: "develop" is attested and "develope" is not, which settles
# "developed" where simplemma's noisy English data allows both (filled by find_seeds).
VOCABULARY: set[str] = set()


def _agreement(base: str, token: str, gerund: str) -> int:
    """Evidence for ``base``: 10 if the corpus has the base or its -s form, +1 per simplemma lemma
    of the token, the -ing form and the -s form that gives ``base``."""
    attested = 10 if (base in VOCABULARY or _third_regular(base) in VOCABULARY) else 0
    return attested + sum(_lemma(form) == base for form in (token, gerund, _third_regular(base)))


def _best(candidates: dict[str, VerbForms], token: str) -> VerbForms | None:
    """The best-supported base (at least two pieces of evidence); a tie is unreliable."""
    scored = sorted(((_agreement(base, token, forms.gerund), base) for base, forms in candidates.items()), reverse=True)
    if not scored or scored[0][0] < 2:
        return None
    if len(scored) > 1 and scored[1][0] == scored[0][0]:
        raise Unreliable("regular verb with two possible base forms")
    return candidates[scored[0][1]]


def analyse_past(token: str) -> VerbForms | None:
    """VerbForms if ``token`` is a simple-past form (irregular table, or regular -ed), else None."""
    if token in _IRREGULAR_PAST:
        return _IRREGULAR_PAST[token]
    if not token.endswith("ed") or len(token) < 4:
        return None
    candidates: dict[str, VerbForms] = {}
    if token.endswith("ied"):
        base = token[:-3] + "y"
        candidates[base] = regular_forms(base, past=token)
    for base in (token[:-1], token[:-2]):
        if len(base) > 2 and token in _past_regular(base) and base not in IRREGULAR:
            candidates[base] = regular_forms(base, past=token)
    if token.endswith("cked") and token[:-3].endswith("c"):
        base = token[:-3]  # 'panicked' -> 'panic' (and 'attac', which the corpus does not attest)
        candidates[base] = VerbForms(base, base + "s", token, token, base + "king")
    if len(token) > 5 and token[-3] == token[-4] and token[-3] not in "aeiouls":
        base = token[:-3]  # doubled: 'stopped', 'admitted'
        candidates[base] = regular_forms(base, past=token)
    try:
        return _best(candidates, token)
    except Unreliable:
        return None


def analyse_participle(token: str) -> VerbForms | None:
    if token in _IRREGULAR_PARTICIPLE:
        return _IRREGULAR_PARTICIPLE[token]
    return analyse_past(token)


def analyse_third(token: str) -> VerbForms | None:
    """VerbForms if ``token`` can be a 3rd-person-singular present form, else None.

    Raises Unreliable when two bases fit. The -ing form of a polysyllabic -CVC base cannot be told
    from the -s form ('visits' -> 'visiting' but 'admits' -> 'admitting': stress decides doubling);
    :func:`gerund_unreliable` says so, and the gerund templates are then not applied.
    """
    if token in _IRREGULAR_THIRD:
        return _IRREGULAR_THIRD[token]
    if not token.endswith("s") or token.endswith(("ss", "us", "is")) or len(token) < 4:
        return None
    candidates: dict[str, VerbForms] = {}
    for base in {token[:-1], token[:-2], token[:-3] + "y"}:
        if len(base) > 1 and _third_regular(base) == token:
            if base in IRREGULAR:
                return IRREGULAR[base]
            candidates[base] = regular_forms(base)
    forms = _best(candidates, token)
    if forms is None:
        return None
    base = forms.base
    if _monosyllabic_cvc(base):
        doubled = base + base[-1]
        return VerbForms(base, token, doubled + "ed", doubled + "ed", doubled + "ing")
    return forms  # a polysyllabic -CVC base ('visit'/'admit'): see gerund_unreliable


def gerund_unreliable(forms: VerbForms) -> bool:
    """True for a regular polysyllabic -CVC base read from an -s form: doubling is unknown."""
    base = forms.base
    return (
        base not in IRREGULAR
        and not _monosyllabic_cvc(base)
        and bool(re.search(r"[^aeiou][aeiou][^aeiouwxy]$", base))
        and forms.gerund == _gerund_default(base)
    )


def analyse_gerund(token: str) -> VerbForms | None:
    if not token.endswith("ing") or len(token) < 5 or _is_function(token):
        return None
    stem = token[:-3]
    if stem in IRREGULAR and IRREGULAR[stem].gerund == token:
        return IRREGULAR[stem]
    for forms in IRREGULAR.values():
        if forms.gerund == token:
            return forms
    candidates: dict[str, VerbForms] = {}
    for base in (stem, stem + "e", stem[:-1] + "ie" if stem.endswith("y") else ""):
        if len(base) > 1 and _gerund_default(base) == token:
            candidates[base] = regular_forms(base)
    if len(stem) > 2 and stem[-1] == stem[-2] and stem[-1] not in "aeiouls":
        base = stem[:-1]
        doubled = base + base[-1]
        candidates[base] = VerbForms(base, _third_regular(base), doubled + "ed", doubled + "ed", token)
    try:
        return _best(candidates, token)
    except Unreliable:
        return None


# --------------------------------------------------------------------------------------------
# Closed classes (function words of English grammar; not a list of content verbs)

DETERMINERS = frozenset(
    "the a an this that these those his her its their our my your some many several few any each every "
    "all both no most more another other such".split()
)
SUBJECT_PRONOUNS = frozenset("he she it they we i you".split())
OBJECT_PRONOUNS = frozenset("him her it them us me you himself herself itself themselves".split())
PREPOSITIONS = frozenset(
    "of in on at by for with from to into onto over under about against among between through during "
    "across after before since until around toward towards upon within without via behind beyond near "
    "off out up down back away along despite amid".split()
)
CONJUNCTIONS = frozenset("and or but nor so yet".split())
SUBORDINATORS = frozenset(
    "who whom whose which that when where while because although though as after before since if unless "
    "whether once until than like what why how".split()
)
MODALS = frozenset("will would can could may might must shall should ought cannot wo ca".split())
NEGATIONS = frozenset("not n't never no none nobody nothing nowhere neither nor without cannot".split())
AUXILIARIES = frozenset("be am is are was were been being have has had having do does did".split())
FRONTING = frozenset(
    "on in at by for after before during since last earlier later yesterday today recently meanwhile "
    "also however then now this following".split()
)
# verbs of saying and thinking take bare clausal complements ("said the plan would fail"), which a
# verb-only rewrite would misread as a noun-phrase object; reported speech is not a plain claim
REPORTING = frozenset(
    "say tell add write note explain state claim argue report insist suggest think believe feel hope "
    "fear warn allege assert contend predict estimate ask reply respond tweet post comment".split()
)
# copula, light and auxiliary verbs: "failed to be a senator" is not a spinner edit of a claim
LIGHT = frozenset("be have do become seem appear remain get".split())
# adjectives that end a noun phrase's premodifiers, never its head ("the last scheduled trial")
ADJECTIVE_ENDS = frozenset(
    "last first next same new latest former other only most more less very such own recent global total pretty further".split()
)
PRE_VERB_ADVERBS = frozenset(
    "also then later still just already recently reportedly quickly finally eventually publicly repeatedly "
    "once soon formally officially initially subsequently immediately".split()
)
QUOTES = frozenset('"“”„«»‘’`')
PARTICLE_END = frozenset(".")

_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")


def _is_capitalised(word: str) -> bool:
    return word[:1].isupper()


def _is_function(word: str) -> bool:
    low = word.lower()
    return (
        low in DETERMINERS
        or low in SUBJECT_PRONOUNS
        or low in OBJECT_PRONOUNS
        or low in PREPOSITIONS
        or low in CONJUNCTIONS
        or low in SUBORDINATORS
        or low in MODALS
        or low in AUXILIARIES
        or low in NEGATIONS
    )


# --------------------------------------------------------------------------------------------
# Seed sentences: a finite main verb with a subject before it and an object/complement after it


@dataclass(frozen=True)
class Seed:
    id: str  # article id + line + sentence number
    article: str
    title: str  # the headline the item is given: the article's (if it restates the claim) or the sentence
    headline_kind: str  # 'article' (restated) or 'sentence' (the sentence is the headline)
    line_no: int
    paragraph: str  # the paragraph as in the article
    sentence: Sentence
    aspect: str  # 'past', 'pres3', 'perf', 'prog'
    aux: str  # 'has', 'had', 'is', 'was', ... ('' for simple tenses)
    verb: VerbForms
    group_start: int  # paragraph offsets of the verb group (aux .. main verb)
    group_end: int
    subject: str  # text of the subject (without a fronted adverbial)
    subject_start: int  # paragraph offset where the subject starts
    adverb: str  # one pre-verbal adverb kept before the verb group ('' if none)
    gerund_reliable: bool = True
    all_paragraphs: tuple[tuple[int, str], ...] = field(default=(), repr=False)


@dataclass
class Drops:
    """Why sentences were not used: counts per reason (reported by the runner)."""

    reasons: Counter[str] = field(default_factory=Counter)
    considered: int = 0

    def add(self, reason: str) -> None:
        self.reasons[reason] += 1


def _sentence_filter(words: list[str], text: str) -> str | None:
    """The first reason the sentence is not a simple declarative claim, or None."""
    if len(words) < 5:
        return "too short (< 5 tokens)"
    if len(words) > 40:
        return "too long (> 40 tokens)"
    if not text.endswith("."):
        return "not a declarative ending in '.' (question, exclamation, fragment)"
    if not words[0][:1].isupper():
        return "does not start with a capital"
    lows = [w.lower() for w in words]
    if any(ch in text for ch in QUOTES) or "''" in text:
        return "quotation"
    if any(w in NEGATIONS for w in lows):
        return "already negated"
    if any(w in MODALS and (k == 0 or words[k].islower()) for k, w in enumerate(lows)):
        return "modal"  # a capitalised 'May' inside the sentence is the month
    if any(w in {"if", "unless", "whether"} for w in lows):
        return "conditional"
    if "according" in lows:
        return "attribution (according to)"
    if any(w in {";", ":", "(", ")", "[", "]", "|", "…"} for w in words) or "..." in text:
        return "complex punctuation (; : brackets ellipsis)"
    if any(w.startswith(("http", "www", "@", "#")) for w in lows):
        return "url or handle"
    return None


# amuse-class psych verbs (Levin 31.1): their -ing forms are mostly adjectives ("is annoying")
PSYCH = frozenset(
    "amaze amuse annoy alarm astonish bore concern confuse disappoint disturb embarrass encourage excite "
    "fascinate frighten frustrate impress inspire interest overwhelm please puzzle satisfy shock startle "
    "stun surprise terrify threaten trouble upset worry".split()
)


def analyse_sentence(sentence: Sentence, paragraph: str) -> tuple[dict[str, object] | None, str]:
    """The verb group of a simple declarative sentence, or (None, the reason it is not one)."""
    tokens = list(sentence.tokens)
    words = [t.text for t in tokens]
    reason = _sentence_filter(words, sentence.text)
    if reason:
        return None, reason
    start = 0  # a fronted adverbial ("On Monday, ...") may precede the subject
    if words[0].lower() in FRONTING and "," in words[:8]:
        start = words.index(",") + 1
    first = words[start]
    if first.lower() in SUBORDINATORS | PREPOSITIONS | CONJUNCTIONS | {"even", "only", "just", "there", "here"}:
        return None, "starts with a conjunction, preposition or subordinator"
    if first.islower() and first not in DETERMINERS | SUBJECT_PRONOUNS and not first[:1].isdigit():
        return None, "subject does not start a noun phrase"
    if first.lower() in AUXILIARIES:
        return None, "do-support (emphatic or question)"
    if first.lower().endswith("ing") and analyse_gerund(first.lower()) is not None:
        return None, "gerund or participle clause at the start"
    end = words.index(",", start) if "," in words[start:] else len(words)
    for i in range(start + 1, min(end, start + 10)):
        word = words[i]
        low = word.lower()
        if low in SUBORDINATORS:
            return None, "subordinate or relative clause before the verb"
        if low in PREPOSITIONS and low != "of":
            return None, "prepositional phrase in the subject"
        if low in AUXILIARIES:
            return _verb_group(tokens, paragraph, start, i)
        if not word.isalpha() or _is_capitalised(word) or _is_function(word):
            continue
        if tokens[i].start == 0 or not paragraph[tokens[i].start - 1].isspace():
            continue  # part of a hyphenated compound ('San Francisco-based')
        try:
            forms = analyse_past(word)
            aspect = "past"
            if forms is None:
                forms = analyse_third(word)
                aspect = "pres3"
        except Unreliable as exc:
            if _subject_ok(words, start, i) and _complement_ok(words, i, strict=True):
                return None, str(exc)
            continue
        if forms is None or not _subject_ok(words, start, i):
            continue
        if not _complement_ok(words, i, strict=aspect == "pres3"):
            continue
        if aspect == "pres3" and _plural_subject(words[start:i]):
            continue
        if aspect == "past" and forms.past == forms.base:
            return None, "past = base form (tense ambiguous: put, cut, set, ...)"
        if aspect == "past" and words[i + 1].lower() == "by":
            return None, "reduced passive ('obtained by')"
        if aspect == "past" and _later_finite_verb(words, i):
            return None, "reduced relative: a finite verb follows ('The man arrested Monday sued')"
        return _finish(tokens, paragraph, start, i, i, aspect, "", forms)
    return None, "no finite main verb found after a subject"


def _verb_group(tokens: list, paragraph: str, start: int, i: int) -> tuple[dict[str, object] | None, str]:
    words = [t.text for t in tokens]
    aux = words[i]
    low = aux.lower()
    if not _subject_ok(words, start, i):
        return None, "no noun-phrase subject before the auxiliary"
    j = i + 1
    if j >= len(words) - 1:
        return None, "no main verb after the auxiliary"
    nxt = words[j]
    if nxt.lower() in PRE_VERB_ADVERBS or nxt.lower().endswith("ly"):
        return None, "adverb inside the verb group"
    if low in {"has", "have", "had"}:
        if nxt.lower() == "been":
            return None, "perfect passive or perfect progressive"
        try:
            forms = analyse_participle(nxt)
        except Unreliable as exc:
            return None, str(exc)
        if forms is None:
            return None, "main verb 'have' or a participle we cannot read"
        if not _complement_ok(words, j, strict=False):
            return None, "no object or complement after the verb"
        return _finish(tokens, paragraph, start, i, j, "perf", aux, forms)
    if low in {"is", "are", "was", "were", "am"}:
        try:
            if analyse_participle(nxt) is not None:
                return None, "passive"
            forms = analyse_gerund(nxt)
        except Unreliable as exc:
            return None, str(exc)
        if forms is None:
            return None, "copula 'be' (no action verb)"
        if forms.base in PSYCH:
            return None, "psych verb in -ing (adjectival reading)"
        if not _complement_ok(words, j, strict=False):
            return None, "no object or complement after the verb"
        return _finish(tokens, paragraph, start, i, j, "prog", aux, forms)
    return None, "do-support (emphatic or question)"


def _later_finite_verb(words: list[str], i: int) -> bool:
    """A past-tense verb later in the same clause: the first '-ed' word was a participle."""
    for k in range(i + 2, len(words)):
        low = words[k].lower()
        if low in SUBORDINATORS or low in {",", "and", "but", "or", "-", "–", "—"}:
            return False
        if not words[k].islower() or _is_function(words[k]) or words[k - 1].lower() in DETERMINERS:
            continue
        try:
            if low in _IRREGULAR_PAST or analyse_past(low) is not None:
                return True
            nxt = words[k + 1].lower() if k + 1 < len(words) else ""
            if nxt in DETERMINERS | {"that"} and analyse_third(low) is not None:
                return True  # "A Pew report released in December shows that"
        except Unreliable:
            continue
    return False


def _is_adverb(words: list[str], k: int) -> bool:
    """A pre-verbal adverb ('also', 'reportedly'); '-ly' after a determiner is a noun ('the family')."""
    low = words[k].lower()
    if low in PRE_VERB_ADVERBS:
        return True
    if not (low.endswith("ly") and words[k].islower() and k > 0 and words[k - 1].lower() not in DETERMINERS):
        return False
    # an adjective + -ly ('reportedly', 'sarcastically', 'happily', 'simply'); 'family' has no stem
    stems = {low[:-2], low[:-4] if low.endswith("ally") else "", low[:-3] + "y", low[:-1] + "e"}
    return any(len(stem) > 3 and stem in VOCABULARY for stem in stems)


def _plural_subject(subject: list[str]) -> bool:
    core = [w for w in subject if w.lower() not in PRE_VERB_ADVERBS]
    if not core:
        return False
    last = core[-1]
    return (
        last.lower() in {"they", "we", "i", "you"}
        or "and" in [w.lower() for w in core]
        or (last.islower() and last.endswith("s") and not last.endswith(("ss", "us", "is", "news")))
    )


def _subject_ok(words: list[str], start: int, i: int) -> bool:
    """A noun-phrase-like subject before position ``i``."""
    subject = [w for k, w in enumerate(words[start:i], start=start) if not _is_adverb(words, k)]
    if not subject or all(w.lower() in DETERMINERS for w in subject):
        return False
    if subject[-1].lower() in DETERMINERS | PREPOSITIONS | CONJUNCTIONS or subject[-1] in {"'s", "’s", "-"}:
        return False
    if any(w[:1] in "'’" and w not in {"'s", "’s"} for w in subject):
        return False  # a contraction ("I've") is a verb in the subject
    if subject[-1].lower() in ADJECTIVE_ENDS:
        return False  # "The last scheduled trial": the -ed word is an adjective, not the verb
    for k, w in enumerate(subject[1:], start=1):
        low = w.lower()
        if low in {"ever", "said", "says"}:
            return False
        if not w.islower() or _is_function(w):
            continue
        try:
            past = low in _IRREGULAR_PAST or analyse_past(low) is not None
        except Unreliable:
            past = True
        # a participle right after a determiner is an adjective ("The injured man"); elsewhere it
        # is a verb inside the "subject" ("Brian Keane said he", "the government refused and")
        if past and subject[k - 1].lower() not in DETERMINERS:
            return False
        nxt = subject[k + 1].lower() if k + 1 < len(subject) else ""
        if nxt in DETERMINERS | OBJECT_PRONOUNS | SUBJECT_PRONOUNS:
            return False  # "This shows the leadership", "We offer you"
    return all(re.fullmatch(r"[A-Za-z0-9.&'’-]+", w) for w in subject)


def _complement_ok(words: list[str], i: int, strict: bool) -> bool:
    """An object or complement starts right after position ``i``.

    ``strict`` (for -s forms, which are mostly plural nouns): only a determiner, an object
    pronoun, a number or a name may follow ("The OST enhances the risk"), not a preposition or
    another content word ("disclosures of", "satellites continue").
    """
    if i + 1 >= len(words):
        return False
    nxt = words[i + 1]
    low = nxt.lower()
    if low in DETERMINERS or low in OBJECT_PRONOUNS or nxt[:1].isdigit() or nxt == "$":
        return True
    if _is_capitalised(nxt) and nxt.isalpha():
        return True
    if strict:
        return False
    if low in PREPOSITIONS:
        return True
    return nxt.isalpha() and not _is_function(nxt) and not low.endswith("ly") and analyse_past(low) is None


def _finish(
    tokens: list, paragraph: str, start: int, aux_i: int, verb_i: int, aspect: str, aux: str, forms: VerbForms
) -> tuple[dict[str, object] | None, str]:
    words = [t.text for t in tokens]
    if forms.base in LIGHT:
        return None, "copula or light verb (be, have, do, become, seem, get)"
    if forms.base in REPORTING:
        return None, "verb of saying or thinking (clausal complement, reported speech)"
    if words[start].lower() == "it" and aux_i == start + 1 and forms.base in {"take", "cost"}:
        return None, "extraposition ('It took three men to lift it')"
    after = [w.lower() for w in words[verb_i + 1 :]]
    if not after or after[0] == ".":
        return None, "no object or complement after the verb"
    if after[0] == "to" and len(after) > 1 and _lemma(after[1]) == after[1] and not _is_function(after[1]):
        return None, "infinitival complement (the verb already embeds a clause)"
    if after[0] in SUBORDINATORS:
        return None, "clausal complement"
    for w in after[:4]:
        if w in AUXILIARIES or w in MODALS:
            return None, "second finite verb right after (bare clause or misparse)"
    subject_tokens = list(tokens[start:aux_i])
    adverb = ""
    if len(subject_tokens) > 1 and _is_adverb(words, aux_i - 1):
        adverb = subject_tokens[-1].text
        subject_tokens = subject_tokens[:-1]
    if len(subject_tokens) > 8:
        return None, "subject longer than 8 tokens"
    subject = paragraph[subject_tokens[0].start : subject_tokens[-1].start + len(subject_tokens[-1].text)]
    gerund_reliable = not (aspect == "pres3" and gerund_unreliable(forms))
    return (
        {
            "aspect": aspect,
            "aux": aux,
            "verb": forms,
            "group_start": tokens[aux_i].start,
            "group_end": tokens[verb_i].start + len(words[verb_i]),
            "subject": subject,
            "subject_start": subject_tokens[0].start,
            "adverb": adverb,
            "gerund_reliable": gerund_reliable,
        },
        "",
    )


# --------------------------------------------------------------------------------------------
# The corpus


@dataclass(frozen=True)
class Article:
    id: str
    title: str
    paragraphs: tuple[tuple[int, str], ...]


def _paragraphs(text: str) -> tuple[tuple[int, str], ...]:
    return tuple((i + 2, line.strip()) for i, line in enumerate(text.splitlines()) if line.strip())


def load_articles(shared: Path = SHARED) -> list[Article]:
    """The real articles of ``shared/corpora`` (FakeNewsCorpus sample + FakeNewsNet), deduplicated."""
    import polars as pl

    corpora = shared / "corpora"
    articles: list[Article] = []
    csv = corpora / "fakenewscorpus" / "news_sample.csv"
    frame = pl.read_csv(csv, infer_schema_length=0)
    for row in frame.select("id", "title", "content").iter_rows():
        if row[1] and row[2]:
            articles.append(Article(f"fnc:{row[0]}", " ".join(row[1].split()), _paragraphs(row[2])))
    for path in sorted((corpora / "fakenewsnet" / "Data").glob("*/*/*-Webpage.json")):
        record = json.loads(path.read_text(encoding="utf-8"))
        if record.get("title") and record.get("text"):
            rel = path.relative_to(corpora / "fakenewsnet" / "Data").as_posix().removesuffix("-Webpage.json")
            articles.append(Article(f"fnn:{rel}", " ".join(record["title"].split()), _paragraphs(record["text"])))
    seen: set[str] = set()
    unique: list[Article] = []
    for article in sorted(articles, key=lambda a: a.id):
        key = hashlib.blake2b("\n".join(p for _, p in article.paragraphs).encode(), digest_size=16).hexdigest()
        if key not in seen and article.paragraphs:
            seen.add(key)
            unique.append(article)
    return unique


def set_vocabulary(words: Iterable[str]) -> None:
    """The word forms that settle a regular verb's base ('develop', not 'develope')."""
    VOCABULARY.clear()
    VOCABULARY.update(word.lower() for word in words)


def seed_from_sentence(text: str, title: str | None = None, line_no: int = 2) -> Seed | str:
    """A one-sentence article's seed (for tests and examples), or the reason it is not one."""
    sentence = split_paragraph(text)[0]
    found, reason = analyse_sentence(sentence, text)
    if found is None:
        return reason
    verb = found["verb"]
    assert isinstance(verb, VerbForms)
    return Seed(
        id=f"adhoc:{line_no}.1",
        article="adhoc",
        title=title if title is not None else sentence.text,
        headline_kind="sentence" if title is None else "article",
        line_no=line_no,
        paragraph=text,
        sentence=sentence,
        aspect=str(found["aspect"]),
        aux=str(found["aux"]),
        verb=verb,
        group_start=int(found["group_start"]),  # type: ignore[call-overload]
        group_end=int(found["group_end"]),  # type: ignore[call-overload]
        subject=str(found["subject"]),
        subject_start=int(found["subject_start"]),  # type: ignore[call-overload]
        adverb=str(found["adverb"]),
        gerund_reliable=bool(found["gerund_reliable"]),
        all_paragraphs=((line_no, text),),
    )


def _title_lemmas(title: str) -> set[str]:
    return {_lemma(w.lower()) for w in _WORD.findall(title)}


def _declarative_title(title: str) -> bool:
    lows = [w.lower() for w in _WORD.findall(title)]
    return not (
        "?" in title
        or any(ch in title for ch in QUOTES)
        or any(w in MODALS or w in NEGATIONS or w in {"if", "unless", "whether"} for w in lows)
        or any(_lemma(w) in REPORTING for w in lows)
    )


def _content(text: str) -> set[str]:
    return {_lemma(w.lower()) for w in _WORD.findall(text) if not _is_function(w) and len(w) > 2}


def find_seeds(articles: list[Article], drops: Drops | None = None) -> list[Seed]:
    """Seed sentences, at most MAX_SEEDS_PER_ARTICLE per article and MAX_SEEDS_PER_LEMMA per verb."""
    drops = drops if drops is not None else Drops()
    set_vocabulary(w for article in articles for _, paragraph in article.paragraphs for w in _WORD.findall(paragraph))
    candidates: list[Seed] = []
    for article in articles:
        restated: list[Seed] = []
        own: list[Seed] = []
        title_lemmas = _title_lemmas(article.title)
        title_ok = _declarative_title(article.title)
        for line_no, paragraph in article.paragraphs:
            for sentence in split_paragraph(paragraph):
                drops.considered += 1
                found, reason = analyse_sentence(sentence, paragraph)
                if found is None:
                    drops.add(reason)
                    continue
                verb = found["verb"]
                assert isinstance(verb, VerbForms)
                subject = str(found["subject"])
                obj = paragraph[int(found["group_end"]) : sentence.end]  # type: ignore[call-overload]
                restates = (
                    title_ok
                    and verb.base in title_lemmas
                    and bool(_content(subject) & title_lemmas)
                    and bool(_content(obj) & title_lemmas)
                )
                seed = Seed(
                    id=f"{article.id}:{line_no}.{sentence.number}",
                    article=article.id,
                    title=article.title if restates else sentence.text,
                    headline_kind="article" if restates else "sentence",
                    line_no=line_no,
                    paragraph=paragraph,
                    sentence=sentence,
                    aspect=str(found["aspect"]),
                    aux=str(found["aux"]),
                    verb=verb,
                    group_start=int(found["group_start"]),  # type: ignore[call-overload]
                    group_end=int(found["group_end"]),  # type: ignore[call-overload]
                    subject=subject,
                    subject_start=int(found["subject_start"]),  # type: ignore[call-overload]
                    adverb=str(found["adverb"]),
                    gerund_reliable=bool(found["gerund_reliable"]),
                    all_paragraphs=article.paragraphs,
                )
                (restated if restates else own).append(seed)
        # the article's own headline when a sentence restates it; otherwise the sentence is the headline
        if restated:
            candidates.extend(restated)
            for _ in own:
                drops.add("cap: the article has a sentence restating its headline")
        else:
            candidates.extend(own)
    candidates.sort(key=lambda s: hashlib.blake2b(s.id.encode(), digest_size=8).digest())
    per_article: Counter[str] = Counter()
    per_lemma: Counter[str] = Counter()
    chosen: list[Seed] = []
    for seed in candidates:
        if per_article[seed.article] >= MAX_SEEDS_PER_ARTICLE:
            drops.add("cap: enough seeds from this article")
            continue
        if per_lemma[seed.verb.base] >= MAX_SEEDS_PER_LEMMA:
            drops.add("cap: enough seeds with this verb")
            continue
        per_article[seed.article] += 1
        per_lemma[seed.verb.base] += 1
        chosen.append(seed)
    chosen.sort(key=lambda s: s.id)
    return chosen


# --------------------------------------------------------------------------------------------
# Operators and their signatures


@dataclass(frozen=True)
class Operator:
    """A verb (or phrase) that embeds a clause, with its implication signature.

    ``signature`` = (what the complement is in a positive environment, in a negative one):
    ``fail to`` is ``-+`` ("failed to V" => not V; "did not fail to V" => V).
    """

    name: str
    forms: VerbForms
    tail: str  # words after the verb: " the opportunity"
    complement: str  # 'to' (to-infinitive) or 'ing' (gerund)
    signature: tuple[str, str]
    aspects: frozenset[str]  # tense/aspect where its finite form reads naturally
    source: str


ALL_ASPECTS = frozenset({"past", "pres3", "perf", "prog"})
NO_PROG = frozenset({"past", "pres3", "perf"})


def _op(
    name: str,
    forms: str,
    signature: str,
    source: str,
    tail: str = "",
    complement: str = "to",
    aspects: frozenset[str] = ALL_ASPECTS,
) -> Operator:
    base, third, past, participle, gerund = forms.split()
    return Operator(
        name, VerbForms(base, third, past, participle, gerund), tail, complement, (signature[0], signature[1]), aspects, source
    )


NCK = "Nairn, Condoravdi & Karttunen 2006"
K12 = "Karttunen 2012, simple and phrasal implicatives"
FAIL = _op("fail", "fail fails failed failed failing", "-+", f"two-way implicative ({NCK})")
REFUSE = _op(
    "refuse", "refuse refuses refused refused refusing", "-o", f"one-way implicative: 'did not refuse to V' leaves V open ({NCK})"
)
DECLINE = _op("decline", "decline declines declined declined declining", "-o", f"one-way, like refuse ({K12})")
NEGLECT = _op("neglect", "neglect neglects neglected neglected neglecting", "-+", f"two-way implicative ({NCK})")
FORGET = _op(
    "forget", "forget forgets forgot forgotten forgetting", "-+", f"two-way implicative 'forget to' ({NCK})", aspects=NO_PROG
)
BOTHER = _op("bother", "bother bothers bothered bothered bothering", "+-", f"two-way implicative ({K12})")
MANAGE = _op("manage", "manage manages managed managed managing", "+-", f"two-way implicative ({NCK})")
DARE = _op("dare", "dare dares dared dared daring", "+-", f"two-way implicative ({K12})", aspects=NO_PROG)
REMEMBER = _op(
    "remember",
    "remember remembers remembered remembered remembering",
    "+-",
    f"two-way implicative 'remember to' ({NCK})",
    aspects=NO_PROG,
)
LACK_ABILITY = _op(
    "lack_ability",
    "lack lacks lacked lacked lacking",
    "-o",
    f"phrasal: lacking the ability to V => not V; not lacking it says nothing ({K12})",
    tail=" the ability",
    aspects=NO_PROG,
)
WASTE_CHANCE = _op("waste_chance", "waste wastes wasted wasted wasting", "-+", f"phrasal implicative ({K12})", tail=" the chance")
MISS_CHANCE = _op("miss_chance", "miss misses missed missed missing", "-+", f"phrasal implicative ({K12})", tail=" the chance")
TAKE_OPPORTUNITY = _op(
    "take_opportunity", "take takes took taken taking", "+-", f"phrasal implicative ({K12})", tail=" the opportunity"
)
AVOID = _op(
    "avoid",
    "avoid avoids avoided avoided avoiding",
    "-+",
    f"'avoided V-ing' => not V; 'could not avoid V-ing' => V ({K12})",
    complement="ing",
)
HESITATE = _op(
    "hesitate",
    "hesitate hesitates hesitated hesitated hesitating",
    "o+",
    f"'did not hesitate to V' => V; the positive 'hesitated to V' is contested, never used ({NCK})",
)
ABLE = _op(
    "able",
    "able able able able able",
    "+-",
    "past ability is implicative: 'could not V' => not V (Karttunen 1971)",
    aspects=frozenset({"past", "perf"}),
)
OPERATORS = (
    FAIL,
    REFUSE,
    DECLINE,
    NEGLECT,
    FORGET,
    BOTHER,
    MANAGE,
    DARE,
    REMEMBER,
    LACK_ABILITY,
    WASTE_CHANCE,
    MISS_CHANCE,
    TAKE_OPPORTUNITY,
    AVOID,
    HESITATE,
    ABLE,
)


def compose(negation: str, ops: tuple[Operator, ...]) -> str:
    """Polarity of the embedded claim: '+' true, '-' false, 'o' unknown.

    The environment starts positive; a sentential negation ('not', 'never') flips it; each
    operator, outermost first, maps the environment to its complement's polarity through its
    signature; once unknown, it stays unknown.
    """
    polarity = "-" if negation else "+"
    for op in ops:
        if polarity == "o":
            break
        polarity = op.signature[0] if polarity == "+" else op.signature[1]
    return polarity


@dataclass(frozen=True)
class Template:
    name: str
    negation: str  # '', 'not' or 'never'
    ops: tuple[Operator, ...]
    frame: str = ""  # '', 'question', 'conditional', 'modal:<modal>', 'attribution:<speaker verb>', 'idiom:<text>', 'control'

    @property
    def polarity(self) -> str:
        return compose(self.negation, self.ops)

    @property
    def contradiction(self) -> bool:
        """A contradiction only when the article itself asserts the claim is false."""
        return self.frame == "" and self.polarity == "-"

    @property
    def surface(self) -> str:
        words = {"not": "not", "never": "never", "": ""}[self.negation]
        chain = " ".join([words] + [op.forms.base + op.tail + (" to" if op.complement == "to" else " V-ing") for op in self.ops])
        return (chain.strip() + " V").replace("V-ing V", "V-ing").strip()


def _t(name: str, negation: str, *ops: Operator, frame: str = "") -> Template:
    return Template(name, negation, tuple(ops), frame)


TEMPLATES: tuple[Template, ...] = (
    # (a) the claim made false
    _t("did_not_V", "not"),
    _t("never_V", "never"),
    _t("failed_to", "", FAIL),
    _t("refused_to", "", REFUSE),
    _t("declined_to", "", DECLINE),
    _t("neglected_to", "", NEGLECT),
    _t("forgot_to", "", FORGET),
    _t("did_not_bother_to", "not", BOTHER),
    _t("did_not_manage_to", "not", MANAGE),
    _t("did_not_dare_to", "not", DARE),
    _t("did_not_remember_to", "not", REMEMBER),
    _t("lacked_the_ability_to", "", LACK_ABILITY),
    _t("wasted_the_chance_to", "", WASTE_CHANCE),
    _t("missed_the_chance_to", "", MISS_CHANCE),
    _t("avoided_V_ing", "", AVOID),
    _t("did_not_take_the_opportunity_to", "not", TAKE_OPPORTUNITY),
    _t("never_managed_to", "never", MANAGE),
    _t("managed_to_avoid_V_ing", "", MANAGE, AVOID),
    _t("refused_to_take_the_opportunity_to", "", REFUSE, TAKE_OPPORTUNITY),
    _t("failed_to_remember_to", "", FAIL, REMEMBER),
    _t("did_not_fail_to_avoid_V_ing", "not", FAIL, AVOID),
    # (b) the claim kept (or left open) by the operators' signatures
    _t("managed_to", "", MANAGE),
    _t("remembered_to", "", REMEMBER),
    _t("took_the_opportunity_to", "", TAKE_OPPORTUNITY),
    _t("bothered_to", "", BOTHER),
    _t("dared_to", "", DARE),
    _t("did_not_hesitate_to", "not", HESITATE),
    _t("did_not_fail_to", "not", FAIL),
    _t("did_not_neglect_to", "not", NEGLECT),
    _t("did_not_forget_to", "not", FORGET),
    _t("did_not_waste_the_chance_to", "not", WASTE_CHANCE),
    _t("could_not_avoid_V_ing", "not", ABLE, AVOID),
    _t("never_failed_to", "never", FAIL),
    _t("did_not_fail_to_remember_to", "not", FAIL, REMEMBER),
    _t("did_not_refuse_to", "not", REFUSE),
    _t("did_not_decline_to", "not", DECLINE),
    # (b) the article untouched, non-committal idioms, and the edit under a non-assertive frame
    _t("control", "", frame="control"),
    _t("idiom_would_not_confirm_or_deny", "", frame="idiom:would not confirm or deny the report"),
    _t("idiom_declined_to_comment", "", frame="idiom:declined to comment"),
    _t("idiom_did_not_respond", "", frame="idiom:did not respond to a request for comment"),
    _t("question_failed_to", "", FAIL, frame="question"),
    _t("question_did_not_V", "not", frame="question"),
    _t("conditional_failed_to", "", FAIL, frame="conditional"),
    _t("conditional_refused_to", "", REFUSE, frame="conditional"),
    _t("modal_may_fail_to", "", FAIL, frame="modal:may"),
    _t("modal_might_refuse_to", "", REFUSE, frame="modal:might"),
    _t("modal_may_not_V", "not", frame="modal:may"),
    _t("attribution_critics_said_failed_to", "", FAIL, frame="attribution:Critics said"),
    _t("attribution_opponents_claimed_did_not_V", "not", frame="attribution:Opponents claimed"),
)
TEMPLATE_BY_NAME = {t.name: t for t in TEMPLATES}


# --------------------------------------------------------------------------------------------
# Rendering a template on a seed


def _finite(forms: VerbForms, aspect: str, aux: str, negation: str, original: str | None = None) -> str | None:
    """The finite form of the first verb of a chain, in the seed's tense and aspect."""
    past = original if original and aspect == "past" else forms.past
    third = original if original and aspect == "pres3" else forms.third
    participle = original if original and aspect == "perf" else forms.participle
    table = {
        ("past", ""): past,
        ("past", "not"): f"did not {forms.base}",
        ("past", "never"): f"never {past}",
        ("pres3", ""): third,
        ("pres3", "not"): f"does not {forms.base}",
        ("pres3", "never"): f"never {third}",
        ("perf", ""): f"{aux} {participle}",
        ("perf", "not"): f"{aux} not {participle}",
        ("perf", "never"): f"{aux} never {participle}",
        ("prog", ""): f"{aux} {forms.gerund}",
        ("prog", "not"): f"{aux} not {forms.gerund}",
    }
    return table.get((aspect, negation))


def _nonfinite(forms: VerbForms, form: str) -> str:
    return {"base": forms.base, "ing": forms.gerund, "participle": forms.participle}[form]


def render_group(template: Template, seed: Seed, form: str = "finite") -> str | None:
    """The verb group that replaces the seed's ('did not fail to deny'), or None if it cannot be built.

    ``form``: 'finite' (the seed's tense and aspect), or 'base' / 'participle' / 'ing' for the
    first verb (after a modal, 'have', 'be' or an inverted auxiliary).
    """
    chain: list[tuple[VerbForms, str, str, str]] = [(op.forms, op.tail, op.complement, op.name) for op in template.ops]
    chain.append((seed.verb, "", "", "main"))
    if any(op.complement == "ing" for op in template.ops) and not seed.gerund_reliable:
        return None
    first, tail, _, name = chain[0]
    original = seed.paragraph[seed.group_start : seed.group_end].split()[-1] if name == "main" else None
    if form == "finite":
        if name == "able":
            if template.negation != "not" or seed.aspect not in {"past", "perf"}:
                return None
            head = "could not" if seed.aspect == "past" else f"{seed.aux} not been able"
            complement = "bare" if seed.aspect == "past" else "to"
        else:
            if name != "main" and seed.aspect not in template.ops[0].aspects:
                return None
            head_or_none = _finite(first, seed.aspect, seed.aux, template.negation, original)
            if head_or_none is None:
                return None
            head = head_or_none + tail
            complement = chain[0][2]
    else:
        if name == "able":
            return None
        neg = {"not": "not ", "never": "never ", "": ""}[template.negation]
        word = original if (name == "main" and form == "participle" and original) else _nonfinite(first, form)
        head = neg + word + tail
        complement = chain[0][2]
    words = [head]
    for forms, tail, next_complement, _ in chain[1:]:
        if complement == "to":
            words.append(f"to {forms.base}{tail}")
        elif complement == "ing":
            words.append(f"{forms.gerund}{tail}")
        else:
            words.append(f"{forms.base}{tail}")
        complement = next_complement
    return " ".join(words)


_LOWER_FIRST = DETERMINERS | {
    "he",
    "she",
    "it",
    "they",
    "we",
    "you",
    "on",
    "in",
    "at",
    "by",
    "for",
    "after",
    "before",
    "during",
    "since",
    "last",
    "earlier",
    "later",
    "yesterday",
    "today",
    "recently",
    "meanwhile",
    "also",
    "however",
    "then",
    "now",
    "following",
    "someone",
    "everyone",
    "others",
}


def lower_first(text: str) -> str:
    word = text.split(" ", 1)[0].lower()
    return text[0].lower() + text[1:] if word in _LOWER_FIRST else text


def _upper_first(text: str) -> str:
    return text[0].upper() + text[1:]


def render_sentence(template: Template, seed: Seed) -> str | None:
    """The seed sentence with its claim under the template (or None if it cannot be built)."""
    p = seed.paragraph
    s = seed.sentence
    before = p[s.start : seed.group_start]  # fronted adverbial, subject, a pre-verbal adverb
    after = p[seed.group_end : s.end]  # object/complement ... '.'
    frame = template.frame
    if frame == "question":
        aux_form = {
            "past": ("did", "base"),
            "pres3": ("does", "base"),
            "perf": (seed.aux, "participle"),
            "prog": (seed.aux, "ing"),
        }
        aux, form = aux_form[seed.aspect]
        group = render_group(template, seed, form=form)
        if group is None:
            return None
        prefix = p[s.start : seed.subject_start]
        subject_and_adverb = p[seed.subject_start : seed.group_start].rstrip()
        aux = aux.lower() if prefix else _upper_first(aux.lower())
        return f"{prefix}{aux} {lower_first(subject_and_adverb)} {group}{after[:-1]}?"
    if frame.startswith("modal:"):
        modal = frame.split(":", 1)[1]
        form, helper = {
            "past": ("participle", "have "),
            "perf": ("participle", "have "),
            "pres3": ("base", ""),
            "prog": ("ing", "be "),
        }[seed.aspect]
        group = render_group(template, seed, form=form)
        if group is None:
            return None
        if helper and group.startswith("not "):
            group = "not " + helper + group[4:]
        else:
            group = helper + group
        return f"{before}{modal} {group}{after}"
    group = render_group(template, seed)
    if group is None:
        return None
    edited = f"{before}{group}{after}"
    if frame == "conditional":
        return f"If it turns out that {lower_first(edited[:-1])}, the report will be corrected."
    if frame.startswith("attribution:"):
        speaker = frame.split(":", 1)[1]
        if seed.aspect != "past":
            speaker = speaker.replace(" said", " say").replace(" claimed", " claim")
        return f"{speaker} that {lower_first(edited)}"
    return edited


def _item_for(seed: Seed, template: Template) -> Item | None:
    paragraphs = list(seed.all_paragraphs)
    index = next(k for k, (line, _) in enumerate(paragraphs) if line == seed.line_no)
    p, s = seed.paragraph, seed.sentence
    target: str | None
    if template.frame == "control":
        new_paragraph, target = p, s.text
    elif template.frame.startswith("idiom:"):
        phrase = template.frame.split(":", 1)[1]
        target = f"{_upper_first(seed.subject)} {phrase}."
        new_paragraph = f"{p[: s.end]} {target}{p[s.end :]}"
    else:
        edited = render_sentence(template, seed)
        if edited is None:
            return None
        new_paragraph, target = f"{p[: s.start]}{edited}{p[s.end :]}", edited
    paragraphs[index] = (seed.line_no, new_paragraph)
    contradiction = template.contradiction
    return Item(
        id=f"{'spin' if contradiction else 'preserve'}/{seed.id}/{template.name}",
        set="spin" if contradiction else "preserve",
        group=template.name,
        contradiction=contradiction,
        title=seed.title,
        paragraphs=tuple(paragraphs),
        target_line=seed.line_no,
        target_sentence=target,
        source=seed.article,
        polarity=template.polarity,
        note=f"{seed.headline_kind} headline; seed verb '{seed.verb.base}' ({seed.aspect})",
        split_key=seed.article,
    )


@dataclass
class Build:
    items: list[Item]
    seeds: list[Seed]
    drops: Drops
    not_rendered: Counter[str]  # template -> seeds it could not be applied to (aspect, gerund)


def build_spin_sets(shared: Path = SHARED) -> Build:
    """Sets (a) and (b) from the real articles: every template on every seed sentence."""
    drops = Drops()
    seeds = find_seeds(load_articles(shared), drops)
    items: list[Item] = []
    not_rendered: Counter[str] = Counter()
    for seed in seeds:
        for template in TEMPLATES:
            item = _item_for(seed, template)
            if item is None:
                not_rendered[template.name] += 1
            else:
                items.append(item)
    return Build(items, seeds, drops, not_rendered)


# --------------------------------------------------------------------------------------------
# (c) Headline/sentence pairs: hand-written (JSONL) and composed from small vocabularies (below)

POSITIVE_CATEGORIES = ("negation", "antonym", "neg_quantifier", "coref_pronoun", "coref_acronym", "coref_spokesman")
NEGATIVE_CATEGORIES = (
    "diff_subject",
    "diff_object",
    "pronoun_other",
    "acronym_other",
    "spokesman_other",
    "question",
    "conditional",
    "modal",
    "wish",
    "quoted_speaker",
    "consistent",
)
CATEGORIES = POSITIVE_CATEGORIES + NEGATIVE_CATEGORIES

# key | subject | another subject | base third past participle gerund | object | another object
_EVENTS = """
mayor|The mayor|The governor|attend attends attended attended attending|the parade|the council meeting
senate|The Senate|The House|pass passes passed passed passing|the budget bill|the farm bill
striker|The striker|The goalkeeper|score scores scored scored scoring|a penalty|a header
court|The appeals court|The district court|overturn overturns overturned overturned overturning|the conviction|the sentence
bank|The central bank|The finance ministry|raise raises raised raised raising|interest rates|the fuel tax
ministry|The health ministry|The education ministry|approve approves approved approved approving|the vaccine|the new syllabus
carmaker|Acme Motors|Borealis Air|recall recalls recalled recalled recalling|the sedan|its engines
police|The sheriff|The border patrol|arrest arrests arrested arrested arresting|the suspect|the driver
president|The president|The prime minister|sign signs signed signed signing|the trade deal|the climate accord
union|The nurses' union|The teachers' union|call calls called called calling|a strike|a ballot
council|The city council|The school board|ban bans banned banned banning|plastic bags|phones in classrooms
museum|The museum|The library|return returns returned returned returning|the stolen statue|the old manuscripts
airline|The airline|The rail operator|cancel cancels cancelled cancelled cancelling|the evening flights|the night trains
lab|The research team|A rival lab|publish publishes published published publishing|the trial results|the raw data
coach|The coach|The club owner|drop drops dropped dropped dropping|the captain|the youth players
governor|The governor|The attorney general|pardon pardons pardoned pardoned pardoning|the activist|the two soldiers
techfirm|The tech firm|The chip maker|hire hires hired hired hiring|new engineers|temporary staff
regulator|The regulator|The competition authority|fine fines fined fined fining|the bank|the insurer
army|The army|The navy|withdraw withdraws withdrew withdrawn withdrawing|its troops from the border|its ships from the gulf
judge|The judge|The jury|release releases released released releasing|the journalist|the sealed documents
singer|The singer|The band's drummer|postpone postpones postponed postponed postponing|the tour|the album launch
school|The school|The university|expel expels expelled expelled expelling|the student|the lecturer
minister|The finance minister|The labour minister|present presents presented presented presenting|the budget|the jobs report
hospital|The hospital|The clinic|treat treats treated treated treating|the injured miners|the flu patients
coop|The farmers' cooperative|The dairy board|accept accepts accepted accepted accepting|the price offer|the new quotas
zoo|The zoo|The wildlife park|buy buys bought bought buying|two pandas|a new aquarium
county|The county|The city|close closes closed closed closing|the bridge|the ferry terminal
opposition|The opposition leader|The party chairman|back backs backed backed backing|the pension reform|the tax cut
studio|The studio|The streaming service|delay delays delayed delayed delaying|the sequel|the documentary
nationalteam|The national team|The under-21 side|win wins won won winning|the final|the friendly
embassy|The embassy|The consulate|issue issues issued issued issuing|the visas|the passports
prosecutor|The prosecutor|The defence lawyer|charge charges charged charged charging|the banker|the accountant
utility|The water utility|The power company|cut cuts cut cut cutting|prices|jobs
author|The author|The publisher|translate translates translated translated translating|the novel|the poems
rescue|The fire service|The coast guard|rescue rescues rescued rescued rescuing|the hikers|the fishermen
who|The World Health Organization|The Red Cross|declare declares declared declared declaring|an emergency|a safe zone
battery|The carmaker|The battery supplier|build builds built built building|the new plant|the test track
league|The league|The players' association|suspend suspends suspended suspended suspending|the referee|the season
rebels|The rebel group|The militia|free frees freed freed freeing|the hostages|the aid workers
parliament|Parliament|The upper house|ratify ratifies ratified ratified ratifying|the treaty|the fishing pact
startup|The startup|Its investor|sell sells sold sold selling|its app|its offices
orchestra|The orchestra|The choir|perform performs performed performed performing|the symphony|the requiem
"""

# key | subject | base third past participle gerund | antonym forms | object or complement
_ANTONYMS = """
match|The home team|win wins won won winning|lose loses lost lost losing|the match
housing|The council|approve approves approved approved approving|reject rejects rejected rejected rejecting|the housing plan
oil|Oil prices|rise rises rose risen rising|fall falls fell fallen falling|this week
protest|The ministry|allow allows allowed allowed allowing|ban bans banned banned banning|street protests
offer|The club|accept accepts accepted accepted accepting|reject rejects rejected rejected rejecting|the offer for its striker
acquit|The court|acquit acquits acquitted acquitted acquitting|convict convicts convicted convicted convicting|the former minister
merger|The union|support supports supported supported supporting|oppose opposes opposed opposed opposing|the merger
share|The company|gain gains gained gained gaining|lose loses lost lost losing|market share
report|The senator|confirm confirms confirmed confirmed confirming|deny denies denied denied denying|the report
cup|The tournament|include includes included included including|exclude excludes excluded excluded excluding|the Russian players
pension|The government|raise raises raised raised raising|lower lowers lowered lowered lowering|the pension age
exp|Exports|increase increases increased increased increasing|decrease decreases decreased decreased decreasing|this year
mistake|The minister|admit admits admitted admitted admitting|deny denies denied denied denying|the mistake
resign|The board|accept accepts accepted accepted accepting|refuse refuses refused refused refusing|his resignation
exportban|The regulator|lift lifts lifted lifted lifting|impose imposes imposed imposed imposing|the export ban
unemployment|Unemployment|climb climbs climbed climbed climbing|drop drops dropped dropped dropping|this year
bail|The judge|grant grants granted granted granting|deny denies denied denied denying|bail
memory|The witness|remember remembers remembered remembered remembering|forget forgets forgot forgotten forgetting|the date
rent|The landlord|increase increases increased increased increasing|reduce reduces reduced reduced reducing|the rent
buses|The city|expand expands expanded expanded expanding|shrink shrinks shrank shrunk shrinking|the bus network
target|The striker|hit hits hit hit hitting|miss misses missed missed missing|the target
test|The recruit|pass passes passed passed passing|fail fails failed failed failing|the fitness test
goal|The referee|allow allows allowed allowed allowing|disallow disallows disallowed disallowed disallowing|the late goal
nominee|The Senate|confirm confirms confirmed confirmed confirming|reject rejects rejected rejected rejecting|the nominee
mayorvote|The voters|re-elect re-elects re-elected re-elected re-electing|oust ousts ousted ousted ousting|the mayor
loan|The bank|approve approves approved approved approving|refuse refuses refused refused refusing|the loan
stocks|Stocks|gain gains gained gained gaining|slump slumps slumped slumped slumping|this week
case|The tenants|win wins won won winning|lose loses lost lost losing|the court case
"""

_FRAMES = ("prog", "past", "perf", "pres3")
_CONSEQUENTS = (
    "officials will explain why",
    "the matter will be reviewed",
    "the organisers will issue a statement",
    "a review will follow",
)
_SPEAKERS = ("a rival claimed", "one critic wrote", "a local blogger alleged", "an anonymous post said")


def _forms(text: str) -> VerbForms:
    base, third, past, participle, gerund = text.split()
    return VerbForms(base, third, past, participle, gerund)


def _plural(subject: str) -> bool:
    return subject.split()[-1] in {"prices", "Exports", "Stocks", "voters", "tenants"}


def clause(subject: str, forms: VerbForms, rest: str, frame: str, negation: str = "", plural: bool = False) -> str:
    """'The mayor is (not) attending the parade' in a frame ('prog', 'past', 'perf', 'pres3')."""
    be, have, do = ("are", "have", "do") if plural else ("is", "has", "does")
    if frame == "prog":
        group = f"{be} {'not ' if negation else ''}{forms.gerund}"
    elif frame == "past":
        group = {"": forms.past, "not": f"did not {forms.base}", "never": f"never {forms.past}"}[negation]
    elif frame == "perf":
        group = f"{have} {negation + ' ' if negation else ''}{forms.participle}"
    else:
        present = forms.base if plural else forms.third
        group = {"": present, "not": f"{do} not {forms.base}", "never": f"never {present}"}[negation]
    return f"{subject} {group} {rest}".strip()


def _modal_clause(subject: str, forms: VerbForms, rest: str, frame: str, modal: str) -> str:
    tail = {
        "prog": f"be {forms.gerund}",
        "past": f"have {forms.participle}",
        "perf": f"have {forms.participle}",
        "pres3": forms.base,
    }[frame]
    return f"{subject} {modal} not {tail} {rest}"


def _question(subject: str, forms: VerbForms, rest: str, frame: str, plural: bool) -> str:
    aux, verb = {
        "prog": ("Are" if plural else "Is", forms.gerund),
        "past": ("Did", forms.base),
        "perf": ("Have" if plural else "Has", forms.participle),
        "pres3": ("Do" if plural else "Does", forms.base),
    }[frame]
    return f"{aux} {lower_first(subject)} not {verb} {rest}?"


def _pair(pid: str, category: str, title: str, body: list[str], target: int, source: str, note: str = "") -> Item:
    contradiction = category in POSITIVE_CATEGORIES
    paragraphs = tuple((k + 2, text) for k, text in enumerate(body))
    return Item(
        id=f"pairs/{pid}",
        set="pairs",
        group=category,
        contradiction=contradiction,
        title=title,
        paragraphs=paragraphs,
        target_line=paragraphs[target][0],
        target_sentence=body[target],
        source=source,
        note=note,
    )


def composed_pairs() -> list[Item]:
    """Pairs composed from the vocabularies above: several frames and categories, not one template."""
    items: list[Item] = []
    events = [line.split("|") for line in _EVENTS.strip().splitlines()]
    for k, (key, subject, other_subject, forms_text, obj, other_obj) in enumerate(events):
        forms = _forms(forms_text)
        for n, frame in enumerate((_FRAMES[k % 4], _FRAMES[(k + 2) % 4])):
            negation = "never" if frame in {"past", "perf"} and (k + n) % 3 == 0 else "not"
            title = clause(subject, forms, obj, frame)
            items.append(
                _pair(
                    f"k-negation-{key}-{frame}",
                    "negation",
                    title,
                    [clause(subject, forms, obj, frame, negation) + "."],
                    0,
                    "composed",
                )
            )
        frame = _FRAMES[(k + 1) % 4]
        title = clause(subject, forms, obj, frame)
        items.append(
            _pair(
                f"k-diffsubj-{key}", "diff_subject", title, [clause(other_subject, forms, obj, frame, "not") + "."], 0, "composed"
            )
        )
        items.append(
            _pair(
                f"k-diffobj-{key}", "diff_object", title, [clause(subject, forms, other_obj, frame, "not") + "."], 0, "composed"
            )
        )
        modal = ("may", "might")[k % 2]
        items.append(
            _pair(f"k-modal-{key}", "modal", title, [_modal_clause(subject, forms, obj, frame, modal) + "."], 0, "composed")
        )
        if k % 2 == 0:
            items.append(
                _pair(f"k-question-{key}", "question", title, [_question(subject, forms, obj, frame, False)], 0, "composed")
            )
        else:
            consequent = _CONSEQUENTS[k % len(_CONSEQUENTS)]
            cond = clause(lower_first(subject), forms, obj, "pres3" if frame in {"pres3", "prog"} else "perf", "not")
            items.append(_pair(f"k-conditional-{key}", "conditional", title, [f"If {cond}, {consequent}."], 0, "composed"))
        if k % 3 == 0:
            speaker = _SPEAKERS[k % len(_SPEAKERS)]
            quote = clause(subject, forms, obj, frame, "not")
            items.append(_pair(f"k-quoted-{key}", "quoted_speaker", title, [f"\u201c{quote},\u201d {speaker}."], 0, "composed"))
    antonyms = [line.split("|") for line in _ANTONYMS.strip().splitlines()]
    for k, (key, subject, a_text, b_text, rest) in enumerate(antonyms):
        a, b = _forms(a_text), _forms(b_text)
        plural = _plural(subject)
        first, second = _FRAMES[k % 4], _FRAMES[(k + 1) % 4]
        items.append(
            _pair(
                f"k-antonym-{key}-{first}",
                "antonym",
                clause(subject, a, rest, first, plural=plural),
                [clause(subject, b, rest, first, plural=plural) + "."],
                0,
                "composed",
            )
        )
        items.append(
            _pair(
                f"k-antonym-{key}-{second}",
                "antonym",
                clause(subject, b, rest, second, plural=plural),
                [clause(subject, a, rest, second, plural=plural) + "."],
                0,
                "composed",
            )
        )
        third = _FRAMES[(k + 2) % 4]
        consistent = clause(subject, b, rest, third, "not", plural=plural) + "."
        items.append(
            _pair(
                f"k-consistent-{key}",
                "consistent",
                clause(subject, a, rest, third, plural=plural),
                [consistent],
                0,
                "composed",
                "negated antonym: compatible with the headline",
            )
        )
    return items


def written_pairs(path: Path = PAIRS_FILE) -> list[Item]:
    """The hand-written pairs: one JSON object a line (id, category, title, body, target)."""
    items: list[Item] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        record = json.loads(line)
        if record["category"] not in CATEGORIES:
            raise ValueError(f"{path.name}:{number}: unknown category {record['category']!r}")
        items.append(
            _pair(
                record["id"],
                record["category"],
                record["title"],
                record["body"],
                record.get("target", len(record["body"]) - 1),
                "written",
                record.get("note", ""),
            )
        )
    return items


def build_pairs(path: Path = PAIRS_FILE) -> list[Item]:
    items = written_pairs(path) + composed_pairs()
    ids = [item.id for item in items]
    if len(ids) != len(set(ids)):
        raise ValueError("duplicate pair ids: " + ", ".join(sorted({i for i in ids if ids.count(i) > 1})))
    return items


def build_all(shared: Path = SHARED) -> tuple[list[Item], Build]:
    build = build_spin_sets(shared)
    return build.items + build_pairs(), build


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--write-manifest", action="store_true", help="rewrite the frozen test-half manifest (commit it on its own)"
    )
    parser.add_argument("--show", metavar="SET", choices=SETS, help="print the items of one set as JSON lines")
    args = parser.parse_args(argv)
    items, build = build_all()
    if args.write_manifest:
        MANIFEST_FILE.write_text(json.dumps(manifest_of(items), indent=2, sort_keys=True) + "\n", encoding="utf-8")
        print(f"wrote {MANIFEST_FILE}")
    if args.show:
        for item in items:
            if item.set == args.show:
                print(json.dumps(item.as_json(), ensure_ascii=False))
    if not args.write_manifest and not args.show:
        print(json.dumps(manifest_of(items), indent=2, sort_keys=True))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
