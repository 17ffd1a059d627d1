"""Comparison keys, stable hashes and shingles for deduplication.

Two lines are "the same" for deduplication when their *keys* match: the normalised text with
case, digits, punctuation and whitespace folded, so that "Read More", "Read more »" and
"READ MORE..." all become ``read more``. Keys are compared exactly through a stable 64-bit hash
(xxh3, the same on every machine and run) and fuzzily with rapidfuzz.

Shingle hashes for MinHash are built without per-shingle Python: each distinct word is hashed
once with xxh3, and a shingle's hash is a polynomial over its words' hashes modulo a Mersenne
prime, computed vectorised in polars. All arithmetic stays below 2**63, so it is exact and the
same everywhere.
"""

from __future__ import annotations

import difflib
import functools
import re

import numpy as np
import polars as pl
import xxhash

#: Mersenne prime 2**31 - 1: shingle and MinHash arithmetic is done modulo this.
PRIME = (1 << 31) - 1
_BASE = 1_000_003



def line_key(text: pl.Expr) -> pl.Expr:
    """The comparison key: lower case, digits as 0, punctuation removed, spaces folded."""
    return (
        text.str.to_lowercase()
        .str.replace_all(r"\p{N}", "0")
        .str.replace_all(r"[^\p{L}\p{N}]+", " ")  # punctuation, symbols and whitespace runs
        .str.strip_chars(" ")
    )


#: A number as written: digit runs joined by ``.`` or ``,`` ("1,923.40", "0900", "2.1").
NUMBER = r"\p{N}+(?:[.,:]\p{N}+)*"


def numbers(text: pl.Expr) -> pl.Expr:
    """The numbers of a line, in order, joined by spaces ("" when it has none), thousands commas
    dropped ("10,947" and "10947" are one number; "1.2" and "12", "2:15" and "215" are not).

    Keys fold digits (so "2.1k SHARES" and "3.4k SHARES" are one boilerplate key); two *content*
    lines are the same only when their numbers are too ("rose 1.2% to $1,923.40" is not "fell
    0.4% to $1,911.10"), so deduplication compares this alongside the key.
    """
    return text.str.extract_all(NUMBER).list.join(" ").str.replace_all(",", "", literal=True)


_SENTENCE_END = re.compile(r"[.!?:;][\"'”’)\]]*$")
#: Words that start sentences without naming anything: a capitalised one of these at a sentence
#: start is not a name. (Any other capitalised word is: "Francis went on…", "May 2010 saw…".)
SENTENCE_WORDS = frozenset("""
a about after again against all also although an and another any are as at be because been before
being both but by can could did do does during each either even every few for from had has have he
her here hers herself him himself his how however i if in indeed instead into is it its itself just
later meanwhile more most much my neither no nor not now of off often on once one only or other our
ours out over perhaps she should since so some still such than that the their theirs them then
there these they this those though through thus to today too under unless until up us very was we
were what when where whether which while who whom whose why will with without would yet you your
yes thanks please according earlier still
""".split())


_DIGIT = re.compile(r"\d")


def _fold(raw: str) -> str:
    """A word as compared: lower case, letters and digits only; in a number, the decimal point and
    the colon stay ("1.2" is not "12") and thousands commas go ("10,947" is "10947")."""
    lowered = raw.lower()
    if lowered.isalnum():  # most words: nothing to strip
        return lowered
    if _DIGIT.search(lowered) is None:
        return "".join(char for char in lowered if char.isalnum())
    return "".join(char for char in lowered if char.isalnum() or char in ".:").strip(".:")


@functools.lru_cache(maxsize=4096)
def _words(text: str) -> tuple[tuple[str, ...], tuple[bool, ...]]:
    """Folded words of ``text`` (lower case, letters and digits only) and whether each carries a
    fact: a number, or a word with a capital letter ("Smith", "mid-August", "IMF") unless it is a
    common word starting a sentence. In a line with more capitals than small letters, case tells
    nothing, so there only numbers count.

    Cached: a repeated paragraph's first occurrence is compared with every copy of it.
    """
    shouted = sum(map(str.isupper, text)) * 2 > sum(map(str.isalpha, text))
    folded, facts = [], []
    starts_sentence = True
    for raw in text.split():
        word = _fold(raw)
        if word:
            capital = raw.lower() != raw
            name = not shouted and capital and not (starts_sentence and word in SENTENCE_WORDS)
            folded.append(word)
            facts.append(name or _DIGIT.search(word) is not None)
        starts_sentence = _SENTENCE_END.search(raw) is not None
    return tuple(folded), tuple(facts)


def facts_differ(left: str, right: str) -> bool:
    """Whether two near-identical lines differ in a number, a name or a date, not only in wording.

    "Spot gold rose 1.2%" / "fell 0.4%", "Senator Smith said" / "Senator Jones said", "on Monday" /
    "on Tuesday" are different facts, however high their similarity; "refusing to" / "declining
    to", a typo or a dropped "the" are not, nor is a copy cut short at either end. Words are
    aligned (difflib) and every word that is not matched is checked.
    """
    left_words, left_facts = _words(left)
    right_words, right_facts = _words(right)
    if _fact_words(left_words, left_facts) == _fact_words(right_words, right_facts):
        return False  # the same facts in the same order: whatever else differs is wording
    matcher = difflib.SequenceMatcher(None, left_words, right_words, autojunk=False)
    operations = matcher.get_opcodes()
    for number, (tag, i1, i2, j1, j2) in enumerate(operations):
        if tag == "equal" or not (any(left_facts[i1:i2]) or any(right_facts[j1:j2])):
            continue
        at_an_end = tag in ("delete", "insert") and number in (0, len(operations) - 1)
        if at_an_end:  # a copy cut short ("…, said Smith" / "…, said"): nothing contradicts
            continue
        if tag == "replace" and i2 - i1 == j2 - j1 == 1 and _misspelt(left_words[i1], right_words[j1]):
            continue
        return True
    return False


def _fact_words(words: tuple[str, ...], facts: tuple[bool, ...]) -> tuple[str, ...]:
    return tuple(word for word, fact in zip(words, facts, strict=True) if fact)


def _misspelt(left: str, right: str) -> bool:
    """One word of 5+ letters with one letter dropped or added ("Hillary" / "Hilary"): a typo,
    not another name. A changed letter ("Jason" / "Mason") or any digit is another fact."""
    if not (left.isalpha() and right.isalpha()) or min(len(left), len(right)) < 5 or abs(len(left) - len(right)) != 1:
        return False
    shorter, longer = sorted((left, right), key=len)
    return any(longer[:cut] + longer[cut + 1:] == shorter for cut in range(len(longer)))


def stable_hash64(values: pl.Series) -> pl.Series:
    """xxh3-64 of each string, as Int64 (for Parquet, DuckDB, Spark), hashing each distinct value once."""
    distinct = values.drop_nulls().unique()
    hashes = [xxhash.xxh3_64_intdigest(value.encode("utf-8")) for value in distinct.to_list()]
    signed = [value - (1 << 64) if value >= (1 << 63) else value for value in hashes]
    return values.replace_strict(distinct, pl.Series(signed, dtype=pl.Int64), default=None, return_dtype=pl.Int64)


def stable_hash31(values: pl.Series, cache: dict[str, int] | None = None) -> pl.Series:
    """xxh3 of each string reduced modulo :data:`PRIME` (Int64), each distinct value hashed once.

    ``cache`` (word → hash) carries hashes across calls, so chunked callers hash a word once.
    """
    cache = {} if cache is None else cache
    distinct = values.drop_nulls().unique().to_list()
    for value in distinct:
        if value not in cache:
            cache[value] = xxhash.xxh3_64_intdigest(value.encode("utf-8")) % PRIME
    return values.replace_strict(distinct, [cache[value] for value in distinct], default=None, return_dtype=pl.Int64)


def words(frame: pl.DataFrame, id_column: str, key_column: str, keep: list[str] | None = None,
          cache: dict[str, int] | None = None) -> pl.DataFrame:
    """One row per word of each key: ``id, position, word_hash`` (plus ``keep`` columns).

    Rows stay in (id, position) order, which :func:`ngram_hashes` relies on.
    """
    keep = keep or []
    exploded = (
        frame.lazy()
        .select(pl.col(id_column), *[pl.col(name) for name in keep], pl.col(key_column).str.split(" ").alias("word"))
        .with_columns(position=pl.int_ranges(0, pl.col("word").list.len(), dtype=pl.Int32))
        .explode(["word", "position"])
        .filter(pl.col("word").is_not_null() & (pl.col("word") != ""))
        .collect()
    )
    return exploded.with_columns(word_hash=stable_hash31(exploded.get_column("word"), cache)).drop("word")


def ngram_hashes(words_frame: pl.DataFrame, id_column: str, size: int, keep: list[str] | None = None) -> pl.DataFrame:
    """``id, shingle`` (plus ``keep`` columns): a hash per run of ``size`` consecutive words.

    A key shorter than ``size`` words gives one shingle of all its words. Not deduplicated.
    Computed with numpy in place (a few arrays of one int64 per word), not as a chain of polars
    expressions, to keep memory flat.
    """
    keep = keep or []
    ids = words_frame.get_column(id_column).to_numpy()
    word_hashes = words_frame.get_column("word_hash").to_numpy()
    count = len(ids)
    shingles = np.zeros(count, dtype=np.int64)
    part = np.empty(count, dtype=np.int64)
    for offset in range(size):
        # A word `offset` places on belongs to the same key only if the id matches; else it is 0.
        part[:] = 0
        if offset < count:
            same_key = ids[offset:] == ids[: count - offset]
            part[: count - offset] = np.where(same_key, word_hashes[offset:], 0)
        shingles *= _BASE
        shingles += part
        shingles %= PRIME
    n_words = words_frame.select(pl.len().over(id_column).cast(pl.Int32)).to_series().to_numpy()
    positions = words_frame.get_column("position").to_numpy()
    starts = positions <= np.maximum(n_words - size, 0)
    return words_frame.select(pl.col(id_column), *[pl.col(name) for name in keep]).with_columns(
        shingle=pl.Series(shingles)).filter(pl.Series(starts))


def word_shingles(frame: pl.DataFrame, id_column: str, key_column: str, size: int) -> pl.DataFrame:
    """Distinct ``(id, shingle)`` pairs of each key's word n-grams (see :func:`ngram_hashes`)."""
    return ngram_hashes(words(frame, id_column, key_column), id_column, size).unique()
