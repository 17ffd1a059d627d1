"""Flag sentences whose meaning is inverted or contradicted, each with a plain-English reason.

Article spinners turn "the US denied visas" into "the US is refusing to deny them entry": two
negative operators whose net meaning (the US lets them in) contradicts the headline. This module
finds, in each document's kept text and title:

- **claims**: a predicate from a two-pole *family* of the lexicon (``cleaners/data/lexicon.toml``:
  allow/grant vs deny/refuse, confirm vs deny, support vs oppose, win vs lose, ...), the
  *operators* in front of it in the same clause (negators such as "not", implicative verbs such
  as "refuse to" / "fail to" / "manage to"), the *net polarity* they compose to, and a *subject*
  (an alias from the lexicon, e.g. US = U.S. = United States = Washington, else the word group
  just before the verb);
- **flags**:
  ``contradiction`` (high): a claim reached through at least one operator whose net polarity is
  opposite to another claim of the same subject and family in the document (the headline first);
  ``double_negation`` (low): stacked negative operators ("refuse to deny", "fail to reject") with
  no conflicting claim; ``numeric_conflict`` (medium): one quantity of the same thing doing the
  same (noun and verb) given two incompatible numbers, minding "at least", "about", "more than".

Never flagged: non-committal idioms ("will not confirm or deny"), a plain negated claim on its
own ("did not deny the report"), claims about different subjects, claims that are not asserted
(under a modal, a future, a wish or an if-clause) and passive claims ("were denied", whose
subject is not the actor) — the last two may still be the claim another sentence conflicts with.
Lemmas come from simplemma,
which ships its data: nothing is downloaded at run time.

A vectorised prefilter in polars decides what reaches the Python analysis. Per predicate
family, a document is worth reading only if one of its kept lines has an operator within three
words before a predicate of that family (where contradiction and double-negation flags live);
then only its lines naming a predicate of such a family are read, plus the title. Lines counting
an event ("12 people were injured") are read when a document has two of them.
"""

from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass, field, replace
from importlib import resources
from typing import Any

import polars as pl
import simplemma

from cleaners import schemas
from cleaners.sentences import Sentence, sentence_at, split_paragraph, whole_paragraph

FLAG_SCHEMA = dict(schemas.FLAGS)

_IRREGULAR = {"won": "win", "lost": "lose", "rose": "rise", "risen": "rise", "grew": "grow", "grown": "grow",
              "fell": "fall", "fallen": "fall", "forgot": "forget", "forgotten": "forget", "forbade": "forbid",
              "forbidden": "forbid", "barred": "bar", "banned": "ban", "n't": "not", "wo": "will", "ca": "can"}
# Words that may stand between an operator and its predicate without breaking the chain.
_GLUE = {"to", "be", "have", "do", "will", "would", "can", "could", "may", "might", "shall", "should", "must",
         "reportedly", "also", "still", "even", "just", "allegedly", "apparently", "already", "repeatedly",
         "again", "now", "simply", "really", "effectively", "actually", "officially", "so", "far", "yet",
         "continue", "continued", "seem", "appear", "has", "had", "is", "was", "were", "are", "been", "being",
         "get", "got", "go", "going"}
_SKIP_OBJECT = {"the", "a", "an", "their", "its", "his", "her", "them", "they", "him", "he", "she", "it", "this",
                "that", "these", "those", "any", "all", "some", "us", "we", "you", "i"}
_PREPOSITIONS = {"to", "for", "from", "in", "on", "at", "by", "with", "of", "after", "before", "over", "into"}
_CLAUSE_BREAK = {".", "!", "?", ",", ";", ":", "but", "while", "although", "though", "whereas", "because", "since", "which",
                 "who", "and", "or", "(", ")", '"', "“", "”"}
_NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
                 "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "twenty": 20, "fifty": 50, "hundred": 100}
_QUALIFIERS = {("at", "least"): "at_least", ("more", "than"): "more_than", ("over",): "more_than",
               ("at", "most"): "at_most", ("fewer", "than"): "at_most", ("less", "than"): "at_most",
               ("up", "to"): "at_most", ("about",): "about", ("around",): "about", ("nearly",): "about",
               ("almost",): "about", ("roughly",): "about", ("approximately",): "about", ("some",): "about"}
_HYPOTHETICAL = {"if", "unless", "whether", "would", "could", "might", "may", "can", "should", "must", "will",
                 "shall", "go", "want", "hope", "plan", "expect", "threaten", "promise"}
_BE = {"be", "is", "was", "were", "are", "been", "being", "get", "got", "'s", "’s"}
_PARTICIPLE = ("ed", "en", "wn", "lost", "won", "cut", "barred", "banned")
_PRONOUNS = {"i", "we", "you", "he", "she", "it", "they", "this", "that", "who", "which", "one", "there"}
_NEGATOR_LEMMAS = {"not", "never", "no", "without", "neither", "nor", "cannot"}
_AUXILIARY_VERBS = {"have", "has", "had", "be", "been", "was", "were", "is", "are", "reportedly", "apparently",
                    "also", "already", "now", "allegedly", "reported", "said"}


@dataclass(frozen=True)
class Lexicon:
    version: str
    negators: frozenset[str]
    implicatives: dict[str, int]
    families: dict[str, dict[str, Any]]
    idioms: tuple[str, ...]
    subjects: tuple[tuple[str, re.Pattern[str]], ...]
    quantity_verbs: frozenset[str] = frozenset()
    units: frozenset[str] = frozenset()
    poles: dict[str, list[tuple[str, int]]] = field(default_factory=dict)  # lemma -> [(family, sign)]


@functools.cache
def load_lexicon(text: str | None = None) -> Lexicon:
    """The lexicon shipped with textwash (or ``text``, a TOML string of the same form)."""
    if text is None:
        text = resources.files("cleaners.data").joinpath("lexicon.toml").read_text(encoding="utf-8")
    data = tomllib.loads(text)
    poles: dict[str, list[tuple[str, int]]] = {}
    for name, family in data["families"].items():
        for sign, key in ((1, "positive"), (-1, "negative")):
            for lemma in family[key]:
                poles.setdefault(lemma, []).append((name, sign))
    subjects = tuple((canonical, re.compile("|".join(aliases))) for canonical, aliases in data["subjects"].items())
    return Lexicon(
        version=data["version"], negators=frozenset(data["negators"]), implicatives=dict(data["implicatives"]),
        families=data["families"], idioms=tuple(data["idioms"]["noncommittal"]), subjects=subjects, poles=poles,
        quantity_verbs=frozenset(data["quantities"]["verbs"]), units=frozenset(data["quantities"]["units"]),
    )


def _stems(lemmas: list[str]) -> list[str]:
    stems = {lemma[:-1] if lemma.endswith(("e", "y")) and len(lemma) > 3 else lemma for lemma in lemmas}
    stems |= {form for form, base in _IRREGULAR.items() if base in lemmas and form.isalpha()}
    return sorted(stems)


# The prefilter regexes run on lower-cased text with ASCII word boundaries: Unicode-aware \b,
# \w and (?i) keep Rust's fast regex engine from running and cost 10x here.
_B, _W, _NW = r"(?-u:\b)", r"[a-z0-9_]", r"[^a-z0-9_]"


def cue_pattern(lexicon: Lexicon) -> str:
    """A regex (for lower-cased text) matching any paragraph that could hold a claim."""
    stems = _stems([*lexicon.poles, *lexicon.implicatives])
    return _B + "(?:" + "|".join(map(re.escape, stems)) + ")" + _W + "*"


def composed_pattern(lexicon: Lexicon, family: str | None = None) -> str:
    """A regex for an operator (negator or implicative) within three words before a predicate
    (of ``family``, or of any family): the only place a contradiction or a double negation can
    be flagged."""
    negators = [re.escape(word) for word in lexicon.negators if word.isalpha()] + ["n['’]t"]
    implicatives = [re.escape(stem) + _W + "*" for stem in _stems(list(lexicon.implicatives))]
    lemmas = _family_lemmas(lexicon, family)
    predicates = [re.escape(stem) for stem in _stems(lemmas)]
    return ("(?:" + "|".join(negators + implicatives) + ")" + _B + f"(?:{_NW}+{_W}+){{0,3}}{_NW}+(?:"
            + "|".join(predicates) + ")" + _W + "*")


def family_cue_pattern(lexicon: Lexicon, family: str) -> str:
    """A regex for any form of one family's predicates."""
    return _B + "(?:" + "|".join(map(re.escape, _stems(_family_lemmas(lexicon, family)))) + ")" + _W + "*"


def _family_lemmas(lexicon: Lexicon, family: str | None) -> list[str]:
    if family is None:
        return list(lexicon.poles)
    return [*lexicon.families[family]["positive"], *lexicon.families[family]["negative"]]


def quantity_pattern(lexicon: Lexicon) -> str:
    """A regex for "NUMBER NOUN ... counted-event verb" (numeric conflicts need two of them)."""
    numbers = ["[0-9][0-9,]*"] + sorted(_NUMBER_WORDS)
    verbs = [re.escape(stem) for stem in _stems(list(lexicon.quantity_verbs))]
    return (_B + "(?:" + "|".join(numbers) + ")" + f" +{_W}+(?:{_NW}+{_W}+){{0,3}}{_NW}+(?:"
            + "|".join(verbs) + ")" + _W + "*")


@functools.lru_cache(maxsize=200_000)
def lemma(word: str) -> str:
    lower = word.lower()
    return _IRREGULAR.get(lower) or simplemma.lemmatize(lower, lang="en")


@dataclass
class Claim:
    line_no: int
    sentence: Sentence
    subject: str | None
    family: str
    pole: int
    operators: list[tuple[str, int]]  # surface word, sign
    predicate: str  # surface word
    object_text: str
    net: int
    hypothetical: bool = False  # under a modal, a future, a wish or an if-clause: not asserted
    passive: bool = False  # "were denied": the subject found is not the one acting
    offset: int = 0  # of the predicate, in the paragraph

    @property
    def composed(self) -> bool:
        return bool(self.operators)


def _alias_matches(sentence: Sentence, lexicon: Lexicon) -> list[tuple[int, str]]:
    """(offset in the sentence, canonical subject) of every lexicon alias in the sentence."""
    return [(match.start(), canonical) for canonical, pattern in lexicon.subjects
            for match in pattern.finditer(sentence.text)]


def _subject(sentence: Sentence, position: int, lexicon: Lexicon, words: list[str],
             aliases: list[tuple[int, str]] | None = None) -> str | None:
    """Who makes the claim: a lexicon alias in the predicate's clause (the nearest before it),
    else the word group just before the verb (a capitalised run, or one word)."""
    if aliases is None:
        aliases = _alias_matches(sentence, lexicon)
    clause_start = position
    while clause_start > 0 and words[clause_start - 1].lower() not in _CLAUSE_BREAK | {"that", "said", "says"}:
        clause_start -= 1
    low = sentence.tokens[clause_start].start - sentence.start if clause_start < len(sentence.tokens) else 0
    cut = sentence.tokens[position].start - sentence.start
    found = [(start, canonical) for start, canonical in aliases if low <= start < cut]
    if found:
        return max(found)[1]
    # Fallback: skip the verb group leftwards, then take a capitalised run or one content word.
    index = position - 1
    while index >= 0 and (lemma(words[index]) in _GLUE or lemma(words[index]) in lexicon.negators
                          or lemma(words[index]) in lexicon.implicatives):
        index -= 1
    if index < 0 or words[index] in _CLAUSE_BREAK or not words[index][:1].isalpha():
        return None
    if words[index][:1].isupper():
        start = index
        while start > 0 and words[start - 1][:1].isupper():
            start -= 1
        return " ".join(words[start:index + 1]).lower()
    return lemma(words[index])


def _sentence_subject(sentence: Sentence, lexicon: Lexicon) -> str | None:
    """The one lexicon subject a sentence names, if exactly one."""
    named = {canonical for canonical, pattern in lexicon.subjects if pattern.search(sentence.text)}
    return named.pop() if len(named) == 1 else None


def _family(candidates: list[tuple[str, int]], object_lemmas: list[str], lexicon: Lexicon) -> tuple[str, int]:
    if len(candidates) == 1:
        return candidates[0]
    for name, sign in candidates:
        if any(word in lexicon.families[name].get("objects", []) for word in object_lemmas):
            return name, sign
    without_objects = [item for item in candidates if not lexicon.families[item[0]].get("objects")]
    return (without_objects or candidates)[0]


def claims_in(sentence: Sentence, line_no: int, lexicon: Lexicon) -> list[Claim]:
    """Every claim a sentence makes (see the module docstring)."""
    words = [token.text for token in sentence.tokens]
    lemmas = [lemma(word) for word in words]
    lowered = " ".join(word.lower() for word in words)
    claims = []
    aliases: list[tuple[int, str]] | None = None  # found on first need, once per sentence
    for index, word_lemma in enumerate(lemmas):
        candidates = lexicon.poles.get(word_lemma)
        if not candidates:
            continue
        if word_lemma in lexicon.implicatives and index + 1 < len(lemmas) and lemmas[index + 1] == "to":
            continue  # "refuse to X": an operator on X, not a claim of its own
        if any(idiom in lowered and word_lemma in idiom for idiom in lexicon.idioms):
            continue
        following = [lemmas[i] for i in range(index + 1, min(index + 5, len(lemmas)))]
        family, pole = _family(candidates, following, lexicon)
        operators: list[tuple[str, int]] = []
        cursor = index - 1
        while cursor >= 0 and lemmas[cursor] not in _CLAUSE_BREAK:
            current = lemmas[cursor]
            if current in lexicon.negators:
                operators.append((words[cursor], -1))
            elif current in lexicon.implicatives and cursor + 1 < len(lemmas) and lemmas[cursor + 1] == "to":
                operators.append((words[cursor], lexicon.implicatives[current]))
            elif current not in _GLUE:
                break
            cursor -= 1
        operators.reverse()
        # Non-factual contexts: a modal, future or wish in the verb group, or an if-clause before it.
        chain_lemmas = {lemmas[position] for position in range(cursor + 1, index)}
        hypothetical = bool(chain_lemmas & _HYPOTHETICAL) or any(
            lemmas[position] in {"if", "unless", "whether"} for position in range(0, index))
        # "talked about not allowing X": a gerund after a preposition is a topic, not an assertion.
        chain_start = cursor + 1
        verb_word = words[chain_start] if chain_start < index else words[index]
        if verb_word.lower().endswith("ing") and cursor >= 0 and lemmas[cursor] in _PREPOSITIONS | {"about"}:
            hypothetical = True
        # "were (not) denied": a form of "be" in the verb group before a participle.
        passive = any(lemmas[position] in _BE or words[position].lower() in _BE
                      for position in range(cursor + 1, index)) and words[index].lower().endswith(_PARTICIPLE)
        net = pole
        for _, sign in operators:
            net *= sign
        object_words: list[str] = []
        content_words = 0
        for position in range(index + 1, min(index + 6, len(words))):
            if lemmas[position] in _CLAUSE_BREAK or not words[position][:1].isalnum():
                break
            if lemmas[position] in _PREPOSITIONS and content_words:
                break
            object_words.append(words[position])
            content_words += lemmas[position] not in _SKIP_OBJECT and lemmas[position] not in _PREPOSITIONS
            if content_words == 2:
                break
        if aliases is None:
            aliases = _alias_matches(sentence, lexicon)
        subject = _subject(sentence, cursor + 1 if cursor + 1 <= index else index, lexicon, words, aliases)
        if subject in _PRONOUNS:
            subject = None
        claims.append(Claim(line_no, sentence, subject, family, pole, operators, words[index],
                            " ".join(object_words), net, hypothetical, passive, sentence.tokens[index].start))
    return claims


def _object_head(claim: Claim) -> str | None:
    """The first content word of the claim's object, as a lemma (``them entry`` → ``entry``)."""
    for word in claim.object_text.split():
        word_lemma = lemma(word)
        if word_lemma not in _SKIP_OBJECT and word_lemma not in _PREPOSITIONS:
            return word_lemma
    return None


def _same_target(claim: Claim, other: Claim) -> bool:
    """Do two claims speak of the same thing? The same subject; or, when neither subject could be
    found (a pronoun, a relative clause), the same object ("allowed them to vote" / "refused to
    allow them to vote")."""
    if claim.subject is not None or other.subject is not None:
        return claim.subject == other.subject
    head = _object_head(claim)
    return head is not None and head == _object_head(other) and claim.object_text.lower() == other.object_text.lower()


def _sign(value: int) -> str:
    return "+" if value > 0 else "−"


def _chain(claim: Claim) -> str:
    """``refusing (−) to deny (−)``, ``not (−) deny (−)``: each operator with its sign."""
    parts = []
    for word, sign in claim.operators:
        is_implicative = lemma(word) not in _NEGATOR_LEMMAS
        parts.append(f"{word} ({_sign(sign)})" + (" to" if is_implicative else ""))
    parts.append(f"{claim.predicate} ({_sign(claim.pole)})")
    return " ".join(parts)


def _says(claim: Claim, lexicon: Lexicon) -> str:
    """What a claim amounts to, in words: ``US allows them entry``, ``ministry does not deny the report``."""
    subject = claim.subject if claim.subject else "the subject"
    only_negators = claim.operators and all(lemma(word) in lexicon.negators for word, _ in claim.operators)
    if only_negators and claim.net != claim.pole:
        return f"{subject} does not {lemma(claim.predicate)} {claim.object_text}".strip()
    verb = lexicon.families[claim.family]["says"]["positive" if claim.net > 0 else "negative"]
    return f"{subject} {verb} {claim.object_text}".strip()


def _where(claim: Claim) -> str:
    if claim.line_no == 0:
        return "the headline"
    return f"line {claim.line_no}, sentence {claim.sentence.number}"


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


def quantities_in(sentence: Sentence, line_no: int, lexicon: Lexicon | None = None) -> list[Quantity]:
    """``[qualifier] NUMBER NOUN ... VERB`` groups: how many of what did what.

    Only counted events (the lexicon's quantity verbs) of things that are not units of measure.
    """
    lexicon = lexicon or load_lexicon()
    words = [token.text for token in sentence.tokens]
    lemmas = [lemma(word) for word in words]
    found = []
    for index, word in enumerate(words):
        cleaned = word.replace(",", "")
        if cleaned.isdigit():
            value = float(cleaned)
            if 1900 <= value <= 2100:
                continue  # a year, not a quantity
        elif word.lower() in _NUMBER_WORDS:
            value = float(_NUMBER_WORDS[word.lower()])
        else:
            continue
        if index + 1 >= len(words) or not words[index + 1][:1].isalpha() or words[index + 1][:1].isupper():
            continue
        qualifier = "exact"
        for phrase, name in _QUALIFIERS.items():
            if tuple(lemma.lower() for lemma in words[max(0, index - len(phrase)):index]) == phrase:
                qualifier = name
        cursor = index + 2
        while cursor < len(words) and words[cursor].lower() in _AUXILIARY_VERBS:
            cursor += 1
        if cursor >= len(words) or not words[cursor][:1].isalpha():
            continue
        noun, verb = lemmas[index + 1], lemmas[cursor]
        if noun in lexicon.units or verb not in lexicon.quantity_verbs or words[index + 1].startswith("-"):
            continue
        if not (cursor > index + 2 or words[cursor].lower().endswith(_PARTICIPLE)):
            continue  # "six electoral votes": a noun, not a verb
        found.append(Quantity(line_no, sentence, _sentence_subject(sentence, lexicon), noun, verb, value, qualifier,
                              " ".join(words[max(0, index - 2):cursor + 1])))
    return found


def _python_quantity_regex(lexicon: Lexicon) -> re.Pattern[str]:
    """:func:`quantity_pattern` for Python's ``re`` (which has no ``(?-u:...)``), compiled once."""
    return _python_pattern(lexicon, "quantity")


#: Compiled Python regexes per (lexicon, kind, family): building a pattern escapes every word of
#: the lexicon, which cost more per document than the search itself.
_PATTERNS: dict[tuple[int, str, str | None], re.Pattern[str]] = {}


def _python_pattern(lexicon: Lexicon, kind: str, family: str | None = None) -> re.Pattern[str]:
    key = (id(lexicon), kind, family)
    compiled = _PATTERNS.get(key)
    if compiled is None:
        text = quantity_pattern(lexicon) if kind == "quantity" else family_cue_pattern(lexicon, family or "")
        _PARAGRAPH_LEXICONS[id(lexicon)] = lexicon  # keeps the lexicon, so its id is not reused
        compiled = _PATTERNS[key] = _compile_cached(text.replace(_B, r"\b"))
    return compiled


@functools.lru_cache(maxsize=16)
def _compile_cached(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


#: Paragraph analyses already done in this process, by (lexicon, is title, text). Syndicated
#: copies repeat the same paragraphs dozens of times; each is analysed once. Bounded.
_PARAGRAPHS: dict[tuple[int, bool, str], tuple[list[Claim], list[Quantity], int]] = {}
_PARAGRAPH_LEXICONS: dict[int, Lexicon] = {}  # keeps each keyed lexicon alive: its id is not reused
_PARAGRAPH_CACHE_SIZE = 30_000  # about 6 KB each (tokens of the whole paragraph): under 200 MB


def _read_paragraph(text: str, is_title: bool, lexicon: Lexicon,
                    counted: re.Pattern[str]) -> tuple[list[Claim], list[Quantity], int]:
    """Claims and counted quantities of one paragraph (``line_no`` 0: callers set theirs, on
    the copies they make), and how many sentences were split now (0 when cached).
    Cheap tokens over the whole paragraph; the real splitter runs
    only where events are counted (and, later, where a flag needs a sentence: see locate)."""
    key = (id(lexicon), is_title, text)
    cached = _PARAGRAPHS.get(key)
    if cached is not None:
        return cached[0], cached[1], 0  # no sentence split this time
    claims = claims_in(whole_paragraph(text), 0, lexicon)
    quantities: list[Quantity] = []
    n_sentences = 0
    if not is_title and counted.search(text.lower()):
        sentences = split_paragraph(text)
        n_sentences = len(sentences)
        for sentence in sentences:
            quantities.extend(quantities_in(sentence, 0, lexicon))
    if len(_PARAGRAPHS) >= _PARAGRAPH_CACHE_SIZE:
        _PARAGRAPHS.clear()
    _PARAGRAPH_LEXICONS[id(lexicon)] = lexicon
    _PARAGRAPHS[key] = (claims, quantities, n_sentences)
    return claims, quantities, n_sentences


def flag_document(title: str, paragraphs: list[tuple[int, str]], lexicon: Lexicon | None = None,
                  stats: dict[str, int] | None = None, composed_lines: set[int] | None = None) -> list[dict[str, Any]]:
    """Flags for one document: ``title`` and its kept ``(line_no, text)`` paragraphs.

    ``composed_lines`` (from the prefilter) names the lines with an operator before a predicate;
    they are read first, and the others only if one of them makes a composed, asserted claim.
    """
    lexicon = lexicon or load_lexicon()
    claims: list[Claim] = []
    quantities: list[Quantity] = []
    texts = dict([(0, title), *paragraphs])
    counted = _python_quantity_regex(lexicon)

    def read(line_no: int) -> None:
        text = texts[line_no]
        if not text:
            return
        found_claims, found_quantities, n_sentences = _read_paragraph(text, line_no == 0, lexicon, counted)
        claims.extend(replace(claim, line_no=line_no) for claim in found_claims)
        quantities.extend(replace(quantity, line_no=line_no) for quantity in found_quantities)
        if stats is not None:
            stats["paragraphs"] = stats.get("paragraphs", 0) + 1
            stats["sentences"] = stats.get("sentences", 0) + n_sentences

    # Lines with an operator first: if none of them makes an asserted, composed claim, no
    # contradiction or double negation is possible and the rest is read only for quantities.
    first = [line_no for line_no in texts if composed_lines is None or line_no in composed_lines]
    for line_no in first:
        read(line_no)
    if composed_lines is not None:
        # Only the families of asserted, composed claims can conflict: read the other lines that
        # name one of them (and, for quantities, the lines that count an event).
        families = {claim.family for claim in claims if claim.composed and not claim.hypothetical}
        family_cues = [_python_pattern(lexicon, "family", family) for family in families]
        for line_no in texts:
            if line_no in composed_lines:
                continue
            lowered = texts[line_no].lower()
            if any(cue.search(lowered) for cue in family_cues) or (line_no and counted.search(lowered)):
                read(line_no)

    def locate(claim: Claim) -> Claim:
        if claim.sentence.number == 0:
            claim.sentence = sentence_at(texts[claim.line_no], claim.offset)
            if stats is not None:
                stats["sentences"] = stats.get("sentences", 0) + 1
        return claim

    flags = []
    flagged: set[int] = set()
    for claim in claims:
        if claim.line_no == 0 or not claim.composed or claim.hypothetical or claim.passive:
            continue
        opposite = [other for other in claims if other is not claim and _same_target(claim, other)
                    and other.family == claim.family and other.net == -claim.net and not other.hypothetical]
        if not opposite:
            continue
        opposite.sort(key=lambda other: (other.line_no != 0, other.composed, other.line_no, other.offset))
        locate(claim)
        for other in opposite[:2]:
            locate(other)
        reasons = "; ".join(f"{_where(other)} says {_says(other, lexicon)}" for other in opposite[:2])
        flags.append(_flag(claim, "contradiction", "high",
                           f"{_chain(claim)} ⇒ {_says(claim, lexicon)}; {reasons}", opposite[0], lexicon))
        flagged.add(id(claim))
    for claim in claims:
        if claim.line_no == 0 or id(claim) in flagged or claim.hypothetical:
            continue
        implicatives = [sign for word, sign in claim.operators if lemma(word) in lexicon.implicatives and sign < 0]
        negatives = sum(1 for _, sign in claim.operators if sign < 0) + (claim.pole < 0)
        if implicatives and negatives >= 2:
            locate(claim)
            flags.append(_flag(claim, "double_negation", "low",
                               f"{_chain(claim)}: {negatives} negatives cancel out ⇒ {_says(claim, lexicon)}; "
                               "no other sentence says otherwise, but check the wording", None, lexicon))
    for index, quantity in enumerate(quantities):
        for earlier in quantities[:index]:
            if quantity.subject is None or (earlier.subject, earlier.noun, earlier.verb) != (
                    quantity.subject, quantity.noun, quantity.verb):
                continue
            low, high = quantity.interval()
            other_low, other_high = earlier.interval()
            if low <= other_high and other_low <= high:
                continue
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


def flag_documents(documents: pl.DataFrame, lines: pl.DataFrame, lexicon: Lexicon | None = None,
                   stats: dict[str, int] | None = None) -> pl.DataFrame:
    """The ``flags`` table for documents (``doc_id, title``) and their final ``lines``.

    Only kept lines are read; a vectorised cue test sends only documents with a cue word in a
    kept line through the Python analysis, and only those lines (plus the title).
    """
    lexicon = lexicon or load_lexicon()
    families = list(lexicon.families)
    text = pl.col("lower")
    kept_lines = lines.filter(pl.col("status") == "kept").select("doc_id", "line_no", "text")
    # The cue tests are a function of the text: run them once per distinct line (syndicated
    # copies repeat theirs), then give the answers back to every line.
    cues = (
        kept_lines.select(pl.col("text").unique())
        .with_columns(lower=pl.col("text").str.to_lowercase())
        .with_columns(cue=text.str.contains(cue_pattern(lexicon)), quantity=text.str.contains(quantity_pattern(lexicon)))
        .filter(pl.col("cue") | pl.col("quantity"))
        .with_columns(
            *[text.str.contains(family_cue_pattern(lexicon, family)).alias(f"cue_{family}") for family in families],
            *[text.str.contains(composed_pattern(lexicon, family)).alias(f"op_{family}") for family in families],
        )
    )
    kept = kept_lines.join(cues, on="text")
    # Per document: the families that have an operator before one of their predicates (only
    # there can a contradiction or double negation be), and whether two lines count an event.
    per_document = kept.group_by("doc_id").agg(
        *[pl.col(f"op_{family}").any() for family in families],
        (pl.col("quantity").sum() >= 2).alias("quantities"),
    )
    # A line is analysed if it names a predicate of such a family, or counts an event in a
    # document with two counts; the title of every analysed document is analysed too.
    line_needed = pl.lit(False)
    for family in families:
        line_needed = line_needed | (pl.col(f"cue_{family}") & pl.col(f"op_{family}_doc"))
    line_needed = line_needed | (pl.col("quantity") & pl.col("quantities"))
    candidates = (
        kept.join(per_document.rename({f"op_{family}": f"op_{family}_doc" for family in families}), on="doc_id")
        .filter(line_needed)
        .sort("doc_id", "line_no")
        .group_by("doc_id", maintain_order=True)
        .agg("line_no", "text", composed=pl.any_horizontal([f"op_{family}" for family in families]))
        .join(documents.select("doc_id", "title"), on="doc_id")
    )
    rows = []
    for doc_id, line_numbers, texts, composed, title in candidates.select(
            "doc_id", "line_no", "text", "composed", "title").iter_rows():
        composed_lines = {number for number, flag in zip(line_numbers, composed) if flag}
        for flag in flag_document(title or "", list(zip(line_numbers, texts)), lexicon, stats, composed_lines):
            rows.append({"doc_id": doc_id, **flag})
    if stats is not None:
        stats["documents"] = stats.get("documents", 0) + candidates.height
    return pl.DataFrame(rows, schema=FLAG_SCHEMA)
