"""The clause analyser: one claim per predicate, read off cheap tokens.

A claim is (subject, predicate lemma, complement, net polarity, asserted or not) for *any*
verb or predicative adjective. Walking left from the predicate collects its verb group: the
operators (negators, implicative verbs, phrasal implicatives such as "take the opportunity to",
"avoid" + gerund) whose signatures compose to the net polarity, plus the auxiliaries and modals
that decide whether the claim is asserted at all. The subject is the word group before the verb
group, the complement the words after the predicate, both up to a clause break.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, replace

from cleaners.flags.lexicon import Lexicon, Signature
from cleaners.flags.phrases import Complement, Phrase, make_complement, make_phrase
from cleaners.flags.words import (
    ADVERBS,
    BE,
    CLAUSE_WORDS,
    CONDITIONALS,
    DETERMINERS,
    DO,
    FUNCTION_WORDS,
    HAVE,
    MODALS,
    NUMBER_WORDS,
    PREPOSITIONS,
    PUNCTUATION_BREAKS,
    QUOTES,
    lemma,
)
from cleaners.sentences import Sentence

NEGATOR: Signature = (-1, 1)
_COMPLEMENT_BREAKS = PUNCTUATION_BREAKS | (CLAUSE_WORDS - PREPOSITIONS)
_SUBJECT_BREAKS = PUNCTUATION_BREAKS | CLAUSE_WORDS
# A report's scope ends at a contrast or a dash: "critics said X, but the US did Y" asserts Y.
_REPORT_SCOPE_BREAKS = {";", "—", "–", "but", "while", "whereas", "although", "though"}
# An auxiliary opening a sentence inverts it: a question ("Has it failed to …"), or a
# condition ("Had he known …"); neither asserts.
_INVERTED = {"do", "does", "did", "has", "have", "had", "is", "are", "was", "were", "will", "would", "can", "could",
             "should", "shall", "may", "might", "must"}
_MODAL_TO = {"go", "have", "about", "ought", "need", "use", "want", "plan", "try", "hope", "expect", "intend"}


@dataclass(frozen=True)
class Operator:
    """One operator in a verb group: its words, its kind and its signature."""

    text: str
    kind: str  # negator, quantifier, infinitive, adjective, phrasal, gerund
    signature: Signature

    @property
    def sign(self) -> int:
        """The operator's effect in a positive context: − for "refuse", "not"; + for "manage"."""
        return self.signature[0] or self.signature[1]


@dataclass
class Claim:
    """What one predicate says, where, and whether it is asserted (see the module docstring)."""

    line_no: int
    sentence: Sentence
    index: int  # of the predicate, among the sentence's tokens
    predicate: str  # surface word
    lemma: str
    voice: str  # "active", or "be" (passive or predicative: "were denied", "is guilty")
    subject: Phrase
    complement: Complement
    operators: tuple[Operator, ...]  # outermost first
    net: int  # truth of "subject predicate complement": +1, -1, or 0 when nothing follows
    why_not: str = ""  # why it is not asserted: question, conditional, modal, infinitive, gerund, idiom
    speaker: Phrase | None = None  # who is reported as saying it, if someone is
    located: Sentence | None = None  # the real sentence (cleaners.sentences), found only for what is shown
    reported: bool = False  # a headline claim its speaker reports of someone else

    @property
    def offset(self) -> int:
        return self.sentence.tokens[self.index].start

    @property
    def shown(self) -> Sentence:
        """The sentence a flag shows: the real one once located, else the analysed one."""
        return self.located or self.sentence

    @property
    def definite(self) -> bool:
        """Asserted (modulo who says it) and with a known truth value."""
        return not self.why_not and self.net != 0


def compose(operators: tuple[Operator, ...]) -> int:
    """Net truth of the innermost complement: each signature picks its value by the context
    the operators outside it make (Nairn, Condoravdi & Karttunen 2006)."""
    context = 1
    for operator in operators:
        context = operator.signature[0] if context > 0 else operator.signature[1]
        if context == 0:
            return 0
    return context


def is_predicate(words: list[str], lows: list[str], index: int, lexicon: Lexicon) -> bool:
    """Could token ``index`` be a verb or predicative adjective (not a noun, not an operator)?"""
    low = lows[index]
    if len(low) < 2 or not low.isalpha() or low in FUNCTION_WORDS:
        return False
    word_lemma = lemma(words[index])
    following = lows[index + 1] if index + 1 < len(lows) else ""
    if following == "to" and (word_lemma in lexicon.infinitive or word_lemma in lexicon.adjective):
        return False  # "refuse to X": an operator on X
    if word_lemma in lexicon.gerund and following.endswith("ing"):
        return False
    if index == 0:
        return True
    previous = lows[index - 1]
    if previous in DETERMINERS or previous.isdigit() or previous in NUMBER_WORDS:
        return False
    if words[index - 1].endswith(("'s", "’s")) or previous in {"'s", "’s", "'", "’"}:
        return False
    if previous in PREPOSITIONS and previous != "to" and not (previous == "from" and lows[index - 2:index - 1] == ["refrain"]):
        return False
    return True


def _infinitive_operator(words: list[str], lows: list[str], governor: int, lexicon: Lexicon) -> tuple[Operator, int] | None:
    """The operator governing "to" at ``governor + 1``, and the index left of it."""
    governor_lemma = lemma(words[governor])
    if governor_lemma in lexicon.infinitive:
        return Operator(words[governor], "infinitive", lexicon.infinitive[governor_lemma]), governor - 1
    if governor_lemma in lexicon.adjective:
        return Operator(words[governor], "adjective", lexicon.adjective[governor_lemma]), governor - 1
    if governor_lemma in lexicon.phrasal_nouns:
        for verb in range(governor - 1, max(-1, governor - 4), -1):
            pair = (lemma(words[verb]), governor_lemma)
            if pair in lexicon.phrasal:
                return Operator(" ".join(words[verb:governor + 1]), "phrasal", lexicon.phrasal[pair]), verb - 1
            if lows[verb] not in DETERMINERS and not lows[verb].isalpha():
                break
    return None


@dataclass
class _Group:
    operators: list[Operator]
    start: int  # first token of the verb group
    modal: bool = False
    why_not: str = ""
    be: bool = False  # the nearest auxiliary is a form of "be"
    without: bool = False


def verb_group(words: list[str], lows: list[str], index: int, lexicon: Lexicon) -> _Group:
    """Walk left from the predicate over its verb group, collecting operators (innermost first)."""
    group = _Group([], index)
    cursor = index - 1
    nearest_aux = True
    while cursor >= 0:
        low = lows[cursor]
        if low in ("not", "n't", "never", "cannot") or (low == "longer" and cursor and lows[cursor - 1] == "no"):
            if low == "not" and cursor + 1 < len(lows) and lows[cursor + 1] in {"only", "just", "merely"}:
                break
            text = "no longer" if low == "longer" else words[cursor]
            group.operators.append(Operator(text, "negator", NEGATOR))
            group.modal = group.modal or low == "cannot"
            cursor -= 2 if low == "longer" else 1
            continue
        if low in MODALS:
            group.modal = True
        elif low == "to":
            if cursor == 0:
                group.why_not = "infinitive"
                break
            found = _infinitive_operator(words, lows, cursor - 1, lexicon)
            if found:
                group.operators.append(found[0])
                cursor = found[1]
                nearest_aux = False
                continue
            governor = lemma(words[cursor - 1])
            if governor in lexicon.glue_to:
                cursor -= 2
                continue
            group.why_not = "modal" if governor in _MODAL_TO else "infinitive"
            break
        elif lemma(words[cursor]) in lexicon.gerund and lows[cursor + 1].endswith("ing"):
            group.operators.append(Operator(words[cursor], "gerund", lexicon.gerund[lemma(words[cursor])]))
            nearest_aux = False
        elif low == "from" and cursor and lemma(words[cursor - 1]) in lexicon.gerund:
            group.operators.append(Operator(f"{words[cursor - 1]} from", "gerund", lexicon.gerund[lemma(words[cursor - 1])]))
            cursor -= 2
            continue
        elif low == "without":
            group.operators.append(Operator(words[cursor], "negator", NEGATOR))
            group.without = True
            cursor -= 1
            break
        elif low in BE or low in HAVE or low in DO:
            if nearest_aux and low in BE:
                group.be = True
            nearest_aux = False
        elif low not in ADVERBS:
            break
        cursor -= 1
    group.start = cursor + 1
    group.operators.reverse()
    return group


def _reports(words: list[str], lows: list[str], lemmas: list[str], index: int, lexicon: Lexicon) -> bool:
    """Is token ``index`` a reporting verb ("said", "claims"; not "the claim", not "States")?"""
    if lemmas[index] not in lexicon.reporting or (words[index][:1].isupper() and index > 0):
        return False
    if index + 1 < len(lows) and lows[index + 1] == "by":
        return False  # "a statement posted by the union": a participle, not a report
    return index == 0 or lows[index - 1] not in DETERMINERS


def _subject_span(words: list[str], lows: list[str], lemmas: list[str], end: int, lexicon: Lexicon) -> int:
    """First token of the subject that ends just before ``end``."""
    start = end
    while start > 0 and end - start < 12:
        low = lows[start - 1]
        if low in _SUBJECT_BREAKS or low in QUOTES:
            break
        if _reports(words, lows, lemmas, start - 1, lexicon):
            break
        start -= 1
    return start


def _complement_end(lows: list[str], index: int) -> int:
    end = index + 1
    while end < len(lows) and end - index <= 15 and lows[end] not in _COMPLEMENT_BREAKS:
        end += 1
    return end


def title_case(words: list[str]) -> bool:
    """Is this text in Title Case (capitals say nothing about names there)?"""
    content = [word for word in words if word.isalpha() and len(word) > 3 and word.lower() not in FUNCTION_WORDS]
    capitalised = sum(word[:1].isupper() for word in content)
    return len(content) >= 2 and capitalised >= 0.6 * len(content)


@functools.lru_cache(maxsize=4096)
def prepared(sentence: Sentence) -> tuple[list[str], list[str], list[str]]:
    """Words, lower-case words and lemmas of a sentence, once per sentence (not per predicate)."""
    words = [token.text for token in sentence.tokens]
    # An acronym keeps its capitals: "IS" and "US" are names here, not "is" and "us".
    lows = [word if len(word) > 1 and word.isupper() and word.isalpha() else word.lower() for word in words]
    return words, lows, [lemma(word) for word in words]


def analyse(sentence: Sentence, line_no: int, index: int, lexicon: Lexicon, titled: bool = False) -> Claim | None:
    """The claim whose predicate is token ``index`` of ``sentence``, or None if it is none.

    A claim depends only on its sentence's words (the same text gives the same tokens, wherever
    it stands), so it is computed once per distinct sentence text (syndicated copies repeat
    theirs) and copied for this sentence and ``line_no``: the copy is the caller's to change."""
    key = (sentence.text, len(sentence.tokens), index, id(lexicon), titled)
    if key in _CLAIMS:
        claim = _CLAIMS[key]
    else:
        if len(_CLAIMS) >= _CLAIMS_KEPT:
            _CLAIMS.clear()
        claim = _CLAIMS[key] = _claim(sentence, index, lexicon, titled)
    return None if claim is None else replace(claim, sentence=sentence, line_no=line_no)


_CLAIMS: dict[tuple[str, int, int, int, bool], Claim | None] = {}
_CLAIMS_KEPT = 20_000  # each keeps a sentence: bounded memory


def _claim(sentence: Sentence, index: int, lexicon: Lexicon, titled: bool) -> Claim | None:
    line_no = 0
    words, lows, lemmas = prepared(sentence)
    if not is_predicate(words, lows, index, lexicon):
        return None
    group = verb_group(words, lows, index, lexicon)
    subject_end = group.start
    if group.without:
        subject_end = verb_group(words, lows, max(0, group.start - 1), lexicon).start
    subject_start = _subject_span(words, lows, lemmas, subject_end, lexicon)
    positions = list(range(subject_start, subject_end))
    subject = make_phrase(words[subject_start:subject_end], positions, lexicon, titled)
    end = _complement_end(lows, index)
    complement = make_complement(words[index + 1:end], lexicon)
    operators = list(group.operators)
    if subject.negative:
        operators.insert(0, Operator(subject.text.split()[0] if subject.text else "no", "quantifier", NEGATOR))
    if complement.negative:
        operators.append(Operator("no", "quantifier", NEGATOR))
    why_not = group.why_not or _not_asserted(lows, lemmas, index, group, lexicon)
    voice = "be" if group.be and not lows[index].endswith("ing") else "active"
    claim = Claim(line_no, sentence, index, words[index], lemmas[index].lower(), voice, subject, complement,
                  tuple(operators), compose(tuple(operators)), why_not)
    claim.speaker = speaker_of(words, lows, lemmas, subject_start, end, lexicon, titled)
    return claim


def _not_asserted(lows: list[str], lemmas: list[str], index: int, group: _Group, lexicon: Lexicon) -> str:
    """Why a claim is not asserted ("" if it is): a question, an if-clause, a modal, a bare
    gerund, a non-committal idiom."""
    if "?" in lows[index:] or (lows and lows[0] in _INVERTED and index > 1):
        return "question"  # "…?", or an auxiliary first: "Did the bank not cut rates"
    before = lows[:index]
    if any(word in CONDITIONALS for word in before) or any(
            a == "in" and b == "case" for a, b in zip(before, before[1:])):
        return "conditional"
    if group.modal:
        return "modal"
    gerund_operator = any(operator.kind == "gerund" for operator in group.operators)
    if lows[index].endswith("ing") and not group.be and not gerund_operator and index > 0:
        return "gerund"
    window = " ".join(lows[max(0, index - 3):index + 6])
    for idiom in lexicon.idioms:
        if idiom in window and (lemmas[index] in idiom.split() or lows[index] in idiom.split()):
            return "idiom"
    return ""


def speaker_of(words: list[str], lows: list[str], lemmas: list[str], start: int, end: int, lexicon: Lexicon,
               titled: bool) -> Phrase | None:
    """Who the sentence reports as saying the clause at ``start:end``: "Critics say that …",
    "… , a rival claimed"; None when the sentence reports no one ("according to X" sources a
    claim without changing it)."""
    cursor = start - 1
    while cursor >= 0 and lows[cursor] not in _REPORT_SCOPE_BREAKS:
        if _reports(words, lows, lemmas, cursor, lexicon):  # "Critics say that (this week,) it …"
            left = _subject_span(words, lows, lemmas, _verb_start(lows, cursor), lexicon)
            phrase = make_phrase(words[left:_verb_start(lows, cursor)], list(range(left, cursor)), lexicon, titled)
            return phrase if not phrase.empty else _phrase_after(words, lows, cursor + 1, lexicon, titled)
        cursor -= 1
    for cursor in range(end, len(words)):
        if _reports(words, lows, lemmas, cursor, lexicon):
            left = cursor
            while left > end and lows[left - 1] not in PUNCTUATION_BREAKS and lows[left - 1] not in QUOTES:
                left -= 1
            if lows[left - 1] not in {",", "—", "–"} and lows[left - 1] not in QUOTES or lows[left] in PREPOSITIONS:
                continue  # "… outside the state capitol", "…, according to …": not a report of the clause
            verb_start = _verb_start(lows, cursor)
            phrase = make_phrase(words[left:verb_start], list(range(left, verb_start)), lexicon, titled)
            return phrase if not phrase.empty else _phrase_after(words, lows, cursor + 1, lexicon, titled)
    return None


def _verb_start(lows: list[str], verb: int) -> int:
    """Index of the first auxiliary or adverb before a verb ("has also said" → "has")."""
    start = verb
    while start > 0 and (lows[start - 1] in HAVE or lows[start - 1] in BE or lows[start - 1] in DO
                         or lows[start - 1] in ADVERBS or lows[start - 1] in MODALS):
        start -= 1
    return start


def _phrase_after(words: list[str], lows: list[str], start: int, lexicon: Lexicon, titled: bool) -> Phrase:
    end = start
    while end < len(words) and end - start < 10 and lows[end] not in _SUBJECT_BREAKS and lows[end] not in QUOTES:
        end += 1
    return make_phrase(words[start:end], list(range(start, end)), lexicon, titled)


def leading_phrase(sentence: Sentence, lexicon: Lexicon) -> Phrase:
    """The noun phrase a sentence starts with (after a short introductory phrase and comma):
    what a pronoun in the next sentence most likely stands for."""
    words = [token.text for token in sentence.tokens]
    lows = [word.lower() for word in words]
    start = 0
    if "," in lows[:6]:
        start = lows.index(",") + 1
    end = start
    while end < len(words) and end - start < 8:
        low = lows[end]
        if low in PUNCTUATION_BREAKS or low in CLAUSE_WORDS or (low in PREPOSITIONS and end > start):
            break
        if low in BE or low in HAVE or low in DO or low in MODALS:
            break
        if end > start and low.isalpha() and words[end][:1].islower() and low not in DETERMINERS and (
                low.endswith(("ed", "s")) or lemma(words[end]) != low):
            break
        end += 1
    return make_phrase(words[start:end], list(range(start, end)), lexicon)
