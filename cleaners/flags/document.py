"""Flags for one document: its headline's claims against the claims of its body.

Only lines that pass :func:`cleaners.flags.cues.line_is_read` are analysed (the polars
prefilter applies the same test, so what it drops could never be flagged); in them, only
tokens whose key is one of the headline's (or a negative-pole predicate after a negative
operator, for double negations) become claims. The previous line is read for pronoun
antecedents, and every line for the acronyms it introduces.
"""

from __future__ import annotations

import functools
import re
from dataclasses import replace
from typing import Any

from cleaners.flags.claims import Claim, analyse, leading_phrase, title_case
from cleaners.flags.cues import double_negation_spans, family_key, has_double_negation_cue, headline_keys, shared_keys
from cleaners.flags.lexicon import Lexicon, load_lexicon
from cleaners.flags.match import acronyms_in, same_entity
from cleaners.flags.phrases import Phrase
from cleaners.flags.quantities import Quantity, numeric_flags, quantities_in, quantity_pattern, subject_pattern
from cleaners.flags.rules import Conflict, agreement, chain, conflicts, explain, resolve_subject, says, shared_family
from cleaners.flags.words import lemma
from cleaners.sentences import _FAST_TOKEN, Sentence, Token, sentence_at
from cleaners.sentences import sentence_spans as real_sentence_spans


@functools.lru_cache(maxsize=4096)
def real_spans(text: str) -> list[tuple[int, int]]:
    """The real sentences' spans of a paragraph (:mod:`cleaners.sentences`), cached: syndicated
    copies repeat paragraphs. Callers must not change the list."""
    return real_sentence_spans(text)


# Sentence ends for pseudo-sentences: ".", "!", "?", but not the dots of "U.S.", "a.m.", "Mr.",
# an initial ("J. K. Rowling"), a decimal or a domain ("3.5", "TheDomains.com").
# The lookahead only lets the engine skip positions where no alternative can start (2x faster).
_ENDS = re.compile(r"(?=[A-Za-z0-9_][.!?]|[A-Za-z]{2,5}\.|[.!?]|\w\.\w)"
                   r"(?:(?:[A-Za-z]\.){2,}|\b(?:Mr|Mrs|Ms|Dr|St|Jr|Sr|Gov|Sen|Rep|Gen|Lt|Col|Sgt|Capt|Prof|Inc|Co|Corp|Ltd"
                   r"|vs|Mt|Ft|No|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\.|\b[A-Z]\.|\w\.\w|[.!?])")


@functools.lru_cache(maxsize=50_000)
def sentence_spans(text: str) -> tuple[tuple[int, int], ...]:
    """(start, end) of a paragraph's pseudo-sentences: cut after each ".", "!" or "?" (not
    inside "U.S."). Cheaper than the real split, and enough to read claims: a question mark still
    ends its clause. The real sentence is found (:func:`sentence_at`) only for what a flag shows."""
    spans = []
    start = 0
    for match in _ENDS.finditer(text):
        if len(match.group()) == 1:
            spans.append((start, match.end()))
            start = match.end()
    if text[start:].strip():
        spans.append((start, len(text)))
    return tuple(spans)


_WORD_CHARACTER = re.compile(r"\w")


@functools.lru_cache(maxsize=50_000)
def _piece_tokens(piece: str) -> tuple[tuple[str, int], ...]:
    """The tokens of a piece of text and their offsets in it, once per distinct piece (the
    synthetic corpus and syndicated copies repeat sentences in new paragraphs)."""
    return tuple((match.group(), match.start()) for match in _FAST_TOKEN.finditer(piece))


@functools.lru_cache(maxsize=50_000)
def pseudo_sentence(text: str, start: int, end: int, number: int) -> Sentence:
    """The pseudo-sentence ``text[start:end]`` with the cheap tokens of
    :func:`cleaners.sentences.whole_paragraph` ("U.S." whole, "didn't" = "did" + "n't")."""
    new = tuple.__new__
    if start == 0 or not _WORD_CHARACTER.match(text, start - 1):  # tokens as if the piece stood alone
        tokens = tuple(new(Token, (token, offset + start)) for token, offset in _piece_tokens(text[start:end]))
    else:
        tokens = tuple(new(Token, (match.group(), match.start())) for match in _FAST_TOKEN.finditer(text, start, end))
    if not tokens:
        return Sentence(number, start, end, text[start:end], ())
    first, last = tokens[0].start, tokens[-1].start + len(tokens[-1].text)
    return Sentence(number, first, last, text[first:last], tokens)


def pseudo_sentences(text: str) -> tuple[Sentence, ...]:
    """Every pseudo-sentence of a paragraph (see :func:`sentence_spans`)."""
    return tuple(pseudo_sentence(text, start, end, number)
                 for number, (start, end) in enumerate(sentence_spans(text), start=1))


def locate(claim: Claim, text: str) -> Claim:
    """The claim with its real sentence (:mod:`cleaners.sentences`, numbered as the flags table
    numbers them)."""
    if claim.located is None:
        claim.located = real_sentence_at(text, claim.offset)
    return claim


def real_sentence_at(text: str, offset: int) -> Sentence:
    """:func:`cleaners.sentences.sentence_at`, through the per-paragraph cache."""
    return sentence_at(text, offset, real_spans(text))


@functools.cache
def _counted(lexicon: Lexicon) -> tuple[re.Pattern[str], re.Pattern[str]]:
    return re.compile(quantity_pattern(lexicon)), re.compile(subject_pattern(lexicon))


def headline_claims(title: str, lexicon: Lexicon, wanted: set[str] | None = None) -> list[Claim]:
    """The definite claims of the headline, with subjects reported from others dropped;
    only for predicates whose prefilter key is in ``wanted`` when given. Cached per headline
    (syndicated copies share theirs); the claims returned are copies, the caller's to change."""
    frozen = None if wanted is None else frozenset(wanted)
    return [replace(claim) for claim in _headline_claims(title, lexicon, frozen)]


@functools.lru_cache(maxsize=4096)
def _headline_claims(title: str, lexicon: Lexicon, wanted: frozenset[str] | None) -> tuple[Claim, ...]:
    found = []
    for sentence in pseudo_sentences(title):
        titled = title_case([token.text for token in sentence.tokens])
        for index, token in enumerate(sentence.tokens):
            if wanted is not None and not _wanted(token.text, wanted, lexicon):
                continue
            claim = analyse(sentence, 0, index, lexicon, titled)
            if claim is None or not claim.definite:
                continue
            resolved = resolve_subject(claim, None, claim.subject)
            if resolved is None:  # "X did Y, officials said": only their own report can differ
                resolved = replace(claim, reported=True)
            if not resolved.subject.empty:
                found.append(resolved)
    return tuple(found)


def _wanted(word: str, wanted: frozenset[str], lexicon: Lexicon) -> bool:
    return word.isalpha() and family_key(word.lower(), lexicon) in wanted


def _negative_pole(claim: Claim, lexicon: Lexicon) -> str | None:
    negative = [name for name, pole in lexicon.family_of(claim.lemma).items()
                if pole < 0 and name in lexicon.double_negation_families]
    return negative[0] if negative else None


def _double_negation(claim: Claim, lexicon: Lexicon) -> dict[str, Any] | None:
    """A low flag for "refusing to deny" with nothing to contradict: check the wording."""
    family = _negative_pole(claim, lexicon)
    implicative = any(op.kind not in {"negator", "quantifier"} and op.sign < 0 for op in claim.operators)
    if family is None or not implicative or not claim.definite:
        return None
    negatives = sum(op.sign < 0 for op in claim.operators) + 1
    if negatives < 2:
        return None
    explanation = (f"{chain(claim, family, lexicon)}: {negatives} negatives cancel out ⇒ {says(claim, family, lexicon)}; "
                   "no other sentence says otherwise, but check the wording")
    return _flag(claim, "double_negation", "low", explanation, None, lexicon)


def _flag(claim: Claim, kind: str, severity: str, explanation: str, other: Claim | None, lexicon: Lexicon) -> dict[str, Any]:
    return {
        "line_no": claim.line_no, "sentence_no": claim.shown.number, "char_start": claim.shown.start,
        "char_end": claim.shown.end, "sentence": claim.shown.text, "kind": kind, "severity": severity,
        "explanation": explanation,
        "conflicts_with_line_no": other.line_no if other else None,
        "conflicts_with_sentence_no": other.shown.number if other else None,
        "conflicts_with_text": other.shown.text if other else None,
        "lexicon_version": lexicon.version,
    }


class _Reader:
    """Reads a document's lines into conflicts, agreeing claims and double negations."""

    def __init__(self, title: str, paragraphs: list[tuple[int, str]], lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        self.title = title
        self.texts = dict(paragraphs)
        self.acronyms: dict[str, Phrase] = {}
        for text in [title, *self.texts.values()]:
            if "(" in text:
                self.acronyms.update(acronyms_in(text, lexicon))
        self.headline: list[Claim] = []
        self.predicates: set[str] = set()
        self.families: set[str] = set()
        self.conflicts: list[Conflict] = []
        self.agreeing: list[Claim] = []
        self.double_negations: list[Claim] = []
        self.sentences_read = 0
        self._relatedness: dict[str, bool] = {}  # per document: the headline's predicates decide

    def read(self, lines: list[tuple[int, str, str | None, dict[str, str], bool]]) -> None:
        """Read ``(line_no, text, previous line's text, shared keys, double-negation cue)``: the
        headline only for the predicates whose keys the body shares, then the body lines."""
        wanted = {key for line in lines for key in line[3].values()}
        self.headline = headline_claims(self.title, self.lexicon, wanted) if wanted else []
        self.predicates = {claim.lemma for claim in self.headline}
        self.families = {name for claim in self.headline for name in self.lexicon.family_of(claim.lemma)}
        for line_no, text, previous_text, found, double_cue in lines:
            self._read_line(line_no, text, previous_text, found, double_cue)

    def _read_line(self, line_no: int, text: str, previous_text: str | None, found: dict[str, str],
                   double_cue: bool) -> None:
        """Read the pseudo-sentences of a line that hold a candidate word or a double-negation
        cue; the one before each stays at hand for a pronoun's antecedent."""
        found = {word: key for word, key in found.items() if self._related(word)} if self.headline else {}
        if not double_cue and not found:
            return
        lower = text.lower()
        doubles = double_negation_spans(lower, self.lexicon) if double_cue else ()
        spans = sentence_spans(text)
        for number, (start, end) in enumerate(spans, start=1):
            piece = lower[start:end]
            double = tuple(span for span in doubles if span[0] < end and start < span[1])
            if not double and not any(word in piece for word in found):
                continue
            self.sentences_read += 1
            if number > 1:
                previous: tuple[str, int, int, int] | None = (text, *spans[number - 2], number - 1)
            elif previous_text and sentence_spans(previous_text):
                last = sentence_spans(previous_text)[-1]
                previous = (previous_text, *last, len(sentence_spans(previous_text)))
            else:
                previous = None
            self._read_sentence(line_no, pseudo_sentence(text, start, end, number), previous, double, found)

    def _related(self, word: str) -> bool:
        """Could a token spelt ``word`` (lower case) be a headline predicate, or of its family?
        The same test as :meth:`_read_sentence` makes, for any capitalisation of the word (an
        all-capitals token is its own lemma), so lines without such a word need no reading."""
        if word not in self._relatedness:
            self._relatedness[word] = any(
                lemma(form) in self.predicates or any(name in self.families for name in self.lexicon.family_of(lemma(form)))
                for form in {word, word.upper()})
        return self._relatedness[word]

    def _read_sentence(self, line_no: int, sentence: Sentence, previous: tuple[str, int, int, int] | None,
                       doubles: tuple[tuple[int, int], ...], matched: dict[str, str]) -> None:
        """Claims of the sentence's candidate words: those that share a headline key (compared
        with the headline) and, for double negations, those that start inside a cue's span."""
        found = False
        for index, token in enumerate(sentence.tokens):
            low = token.text.lower()
            shared = low in matched
            double_cue = bool(doubles) and any(start <= token.start < end for start, end in doubles)
            if not shared and not (double_cue and low.isalpha()):
                continue
            word_lemma = lemma(token.text)
            poles = self.lexicon.family_of(word_lemma)
            related = shared and (word_lemma in self.predicates or any(name in self.families for name in poles))
            if not related and not (double_cue and any(pole < 0 for pole in poles.values())):
                continue
            claim = analyse(sentence, line_no, index, self.lexicon)
            if claim is None:
                continue
            if not found and related:
                antecedent = None
                if previous is not None and claim.subject.pronoun:
                    antecedent = leading_phrase(pseudo_sentence(*previous), self.lexicon)
                found = self._compare(claim, antecedent)
            if not found and double_cue and _double_negation(claim, self.lexicon):
                self.double_negations.append(claim)

    def _compare(self, claim: Claim, antecedent: Phrase | None) -> bool:
        """Record a conflict with (or agreement with) a headline claim; True on a conflict."""
        for reference in self.headline:
            if shared_family(claim.lemma, reference.lemma, self.lexicon) is None:
                continue
            resolved = resolve_subject(claim, antecedent, reference.subject)
            if reference.reported:
                same_speaker = (resolved is None and claim.speaker is not None and reference.speaker is not None
                                and same_entity(claim.speaker, reference.speaker, self.acronyms))
                resolved = claim if same_speaker else None
            if resolved is not None:
                family = conflicts(resolved, reference, self.lexicon, self.acronyms)
                if family is not None:
                    self.conflicts.append(Conflict(resolved, reference, family))
                    return True
            if agreement(claim, reference, self.lexicon, self.acronyms) is not None and claim.net != 0:
                if conflicts(claim, reference, self.lexicon, self.acronyms) is None:
                    self.agreeing.append(claim)
        return False

    def flags(self) -> list[dict[str, Any]]:
        flags = []
        flagged = set()
        for conflict in self.conflicts:
            claim = locate(conflict.claim, self.texts[conflict.claim.line_no])
            others = [other for other in self.agreeing if other.line_no != claim.line_no
                      and agreement(other, conflict.reference, self.lexicon, self.acronyms) is not None]
            others.sort(key=lambda other: (other.line_no, other.offset))
            for other in others[:1]:
                locate(other, self.texts[other.line_no])
            locate(conflict.reference, self.title)
            explanation = explain(conflict, others, self.lexicon)
            flags.append(_flag(claim, "contradiction", "high", explanation, conflict.reference, self.lexicon))
            flagged.add((claim.line_no, claim.shown.number))
        for claim in self.double_negations:
            locate(claim, self.texts[claim.line_no])
            if (claim.line_no, claim.shown.number) not in flagged:
                flags.append(_double_negation(claim, self.lexicon) or {})
                flagged.add((claim.line_no, claim.shown.number))
        return flags


def flag_document(title: str, paragraphs: list[tuple[int, str]], lexicon: Lexicon | None = None,
                  stats: dict[str, int] | None = None,
                  prefiltered: dict[int, tuple[list[str], bool, bool]] | None = None) -> list[dict[str, Any]]:
    """Flags for one document: ``title`` and its kept ``(line_no, text)`` paragraphs, in order.

    Every line is tested with the necessary condition of :func:`cleaners.flags.cues.line_is_read`,
    so giving this function only the prefiltered lines (plus the line before each, and the
    lines that introduce acronyms or count events) gives the same flags as giving it all of
    them. ``prefiltered`` (from the polars prefilter: per line, its words that share a key with
    the headline, its double-negation cue and whether it counts an event of a named subject)
    saves computing those tests again.
    """
    lexicon = lexicon or load_lexicon()
    title = title or ""
    keys = headline_keys(title, lexicon) if prefiltered is None else None
    read: list[tuple[int, str, str | None, dict[str, str], bool]] = []
    previous: str | None = None
    for line_no, text in paragraphs:
        if text:
            if keys is None:  # the prefilter's words all have a headline key (polars computed the same keys)
                matched, double_cue, _counted_event = prefiltered[line_no]  # type: ignore[index]
                found = {word: family_key(word, lexicon) for word in matched}
            else:
                found, double_cue = shared_keys(text, keys, lexicon), has_double_negation_cue(text, lexicon)
            if found or double_cue:  # = line_is_read
                read.append((line_no, text, previous, found, double_cue))
        previous = text or None
    flags: list[dict[str, Any]] = []
    if read:
        reader = _Reader(title, paragraphs, lexicon)
        reader.read(read)
        flags = reader.flags()
        if stats is not None:
            stats["paragraphs"] = stats.get("paragraphs", 0) + len(read)
            stats["sentences"] = stats.get("sentences", 0) + reader.sentences_read
    texts = dict(paragraphs)
    counted = None if prefiltered is None else {number for number, (_, _, count) in prefiltered.items() if count}
    flags.extend(numeric_flags(_quantities(paragraphs, lexicon, counted), lexicon,
                               lambda line_no, offset: real_sentence_at(texts[line_no], offset)))
    return flags


def _quantities(paragraphs: list[tuple[int, str]], lexicon: Lexicon, counted: set[int] | None = None) -> list[Quantity]:
    """Counted events of a named subject, when two lines count one (else nothing can conflict);
    ``counted`` are the line numbers that do, when the prefilter found them already."""
    if counted is None:
        event, named = _counted(lexicon)
        counted = {line_no for line_no, text in paragraphs if text and event.search(text.lower()) and named.search(text)}
    lines = [(line_no, text) for line_no, text in paragraphs if line_no in counted]
    found: list[Quantity] = []
    if len(lines) >= 2:
        for line_no, text in lines:
            for sentence in pseudo_sentences(text):
                found.extend(quantities_in(sentence, line_no, lexicon))
    return found
