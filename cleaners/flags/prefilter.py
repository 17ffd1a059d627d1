"""The flags table step: a vectorised polars prefilter, then :func:`flag_document` per document.

Python reads only what could hold a flag. Per distinct kept line, polars tests the cues of
:mod:`cleaners.flags.cues` (a polarity cue, a double-negation cue, a counted event, an acronym
definition); a line is *read* when it has a double-negation cue, or a polarity cue (in it or in
the headline) and a word whose key is one of the headline's — exactly the test
:func:`cleaners.flags.cues.line_is_read` applies line by line. Words are extracted only from
lines that contain a root of one of their headline's keys (plain substring search, a necessary
condition: :func:`cleaners.flags.cues.key_roots`). Documents with a read line (or two counted
events) go to Python with their read lines, the line before each (pronoun antecedents), their
acronym definitions and their counted events."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator
from typing import Any

import polars as pl

from cleaners import schemas
from cleaners.flags.cues import (
    ASCII_B,
    _components,
    cue_pattern,
    double_negation_pattern,
    family_pattern,
    key_roots,
    object_quantifier_pattern,
    polarity_pattern,
)
from cleaners.flags.document import flag_document
from cleaners.flags.lexicon import Lexicon, load_lexicon
from cleaners.flags.quantities import quantity_pattern, subject_pattern
from cleaners.flags.words import DOUBLING, FUNCTION_WORDS, KEY_IRREGULAR, NOT_BEFORE_PREDICATES

FLAG_SCHEMA = dict(schemas.FLAGS)
_FUNCTION_WORDS = sorted(FUNCTION_WORDS)  # a list: is_in on a Series of the same type is deprecated
_ACRONYM_DEFINITION = r"\([A-Z][A-Za-z]{1,7}\)"


def with_keys(frame: pl.DataFrame, word: str, lexicon: Lexicon) -> pl.DataFrame:
    """``frame`` with ``key``: :func:`cleaners.flags.cues.family_key` of its lower-case ``word``
    column, computed once per distinct word and in steps (an eager expression that used its
    stem five times computed it five times)."""
    distinct = frame.select(pl.col(word).unique()).with_columns(
        _stem=pl.col(word).replace(KEY_IRREGULAR).str.replace(r"(?:ing|ed|es|s|e)$", "").str.replace(r"y$", "i"))
    stem = pl.col("_stem")
    last, before, length = stem.str.slice(-1, 1), stem.str.slice(-2, 1), stem.str.len_chars()
    doubled = (length > 2) & (last == before) & last.is_in(sorted(DOUBLING))
    distinct = distinct.with_columns(key=pl.when(doubled).then(stem.str.slice(0, length - 1)).otherwise(stem)
                                     .replace(_components(lexicon))).drop("_stem")
    return frame.join(distinct, on=word, how="left", nulls_equal=True)


def _line_cues(kept: pl.DataFrame, lexicon: Lexicon) -> pl.DataFrame:
    """Per distinct line text (syndicated copies repeat theirs), tested once each: whether it has
    a polarity cue at all (``cue``), a double-negation cue, a counted event, an acronym definition."""
    lower = pl.col("lower")
    return (
        kept.select(pl.col("text").unique())
        .with_columns(lower=pl.col("text").str.to_lowercase())
        .with_columns(
            cue=lower.str.contains(cue_pattern(lexicon, ASCII_B)),
            double=lower.str.contains(double_negation_pattern(lexicon, ASCII_B)),
            quantity=lower.str.contains(quantity_pattern(lexicon, ASCII_B)),
            acronym=pl.col("text").str.contains(_ACRONYM_DEFINITION),
        )
        .with_columns(quantity=pl.col("quantity") & pl.col("text").str.contains(subject_pattern(lexicon)))
    )


def _cue_words(texts: pl.DataFrame, lexicon: Lexicon) -> pl.DataFrame:
    """(text, cue_words) per distinct ``text`` (lower-cased in ``lower``): the words near a
    polarity cue, before an object "no", or of an antonym family (:func:`cues.cue_words`)."""
    lower = pl.col("lower")
    spans = pl.concat_list(
        lower.str.extract_all(polarity_pattern(lexicon, ASCII_B)),
        lower.str.extract_all(object_quantifier_pattern(ASCII_B)),
        lower.str.extract_all(family_pattern(lexicon, ASCII_B)),
    )
    return texts.unique("text").select("text", cue_words=spans.list.join(" ").str.extract_all("[a-z]+"))


def _may_share(kept: pl.DataFrame, keys: pl.DataFrame, anywhere: bool, lexicon: Lexicon) -> pl.DataFrame:
    """(doc_id, line_no) of the lines that contain a root (:func:`cues.key_roots`) of one of
    their headline's ``near`` (or ``anywhere``) keys: only they can have a word with such a key,
    so only their words need extracting. Plain substring search: about one line in four passes."""
    wanted = keys.filter(pl.col("anywhere") == anywhere).select("doc_id", "key")
    distinct = wanted.get_column("key").unique().sort().to_list()
    roots = pl.DataFrame([(family, root) for family in distinct for root in sorted(key_roots(family, lexicon))],
                         schema={"key": pl.String, "root": pl.String}, orient="row")
    pairs = wanted.join(roots, on="key").select("doc_id", "root").unique()
    return (kept.select("doc_id", "line_no", "lower").join(pairs, on="doc_id")
            .filter(pl.col("lower").str.contains(pl.col("root"), literal=True))
            .select("doc_id", "line_no").unique())


def _headline_keys(documents: pl.DataFrame, lexicon: Lexicon) -> pl.DataFrame:
    """(doc_id, key, anywhere) of the headlines' keys (:func:`cleaners.flags.cues.headline_keys`)."""
    title = pl.col("title").fill_null("")
    pieces = (documents.select("doc_id", piece=title.str.extract_all("[^A-Za-z]*[A-Za-z]+"))
              .with_columns(position=pl.int_ranges(0, pl.col("piece").list.len(), dtype=pl.UInt32),
                            headline=pl.int_range(pl.len(), dtype=pl.UInt32))
              .explode("piece", "position").drop_nulls("piece"))
    words = pieces.with_columns(before=pl.col("piece").str.extract("^([^A-Za-z]*)"),
                                word=pl.col("piece").str.extract("([A-Za-z]+)$"))
    words = words.with_columns(lower=pl.col("word").str.to_lowercase())
    first = pl.col("position") == 0  # a headline's words are contiguous: shift(1) is the previous one
    previous, previous_before = pl.when(~first).then(pl.col("lower").shift(1)), pl.when(~first).then(pl.col("before").shift(1))
    possessive = (previous == "s") & previous_before.is_in(["'", "’"]) & (pl.col("position") > 1)
    marker = previous.is_in(sorted(NOT_BEFORE_PREDICATES)) & previous_before.str.contains(r"(?:^|[\s\"“(])$")
    after_marker = ~first & (pl.col("before") == " ") & (possessive | marker).fill_null(False)
    content = (pl.col("lower").str.len_chars() >= 3) & ~pl.col("lower").is_in(sorted(FUNCTION_WORDS))
    words = words.with_columns(capital=pl.col("word").str.slice(0, 1).str.contains("[A-Z]"),
                               long=(pl.col("lower").str.len_chars() > 3) & ~pl.col("lower").is_in(sorted(FUNCTION_WORDS)))
    long, capital = pl.col("long").sum().over("headline"), (pl.col("long") & pl.col("capital")).sum().over("headline")
    titled = (long >= 2) & (capital >= 0.6 * long)
    near = (words.filter(content & (first | ~pl.col("capital") | titled) & ~after_marker)
            .pipe(with_keys, "lower", lexicon).select("doc_id", "key", anywhere=pl.lit(False)))
    lower = title.str.to_lowercase()
    spans = pl.concat_list(lower.str.extract_all(polarity_pattern(lexicon, ASCII_B)),
                           lower.str.extract_all(object_quantifier_pattern(ASCII_B)))
    cued = (documents.select("doc_id", word=spans.list.join(" ").str.extract_all("[a-z]+")).explode("word")
            .filter((pl.col("word").str.len_chars() >= 3) & ~pl.col("word").is_in(sorted(FUNCTION_WORDS)))
            .pipe(with_keys, "word", lexicon).select("doc_id", "key", anywhere=pl.lit(True)))
    return pl.concat([near, cued]).unique()


def _sharing(kept: pl.DataFrame, keys: pl.DataFrame, lexicon: Lexicon) -> pl.DataFrame:
    """(doc_id, line_no, word: list) of lines with cue words whose key is a ``near`` key of
    their headline, or words whose key is an ``anywhere`` key: those words."""
    def matches(words: str, anywhere: bool) -> pl.DataFrame:
        candidates = (kept.select("doc_id", "line_no", word=pl.col(words)).explode("word")
                      .filter(~pl.col("word").is_in(_FUNCTION_WORDS)))  # never predicates; drops nulls too
        distinct = with_keys(candidates.select(pl.col("word").unique()), "word", lexicon)
        wanted = keys.filter(pl.col("anywhere") == anywhere).select("doc_id", "key")
        return (candidates.join(distinct, on="word").join(wanted, on=["doc_id", "key"], how="semi")
                .select("doc_id", "line_no", "word"))

    found = pl.concat([matches("cue_words", False), matches("all_words", True)]).unique()
    return found.group_by("doc_id", "line_no").agg(pl.col("word").sort())


def read_lines(documents: pl.DataFrame, lines: pl.DataFrame, lexicon: Lexicon) -> pl.DataFrame:
    """The kept lines Python must see (``doc_id, line_no, text``, and the ``matched`` words,
    ``double`` cue and ``counted`` event of each), in document order."""
    kept = lines.filter(pl.col("status") == "kept").select("doc_id", "line_no", "text").sort("doc_id", "line_no")
    kept = kept.join(_line_cues(kept, lexicon), on="text", how="left")
    keys = _headline_keys(documents, lexicon)
    no_words = pl.lit([], dtype=pl.List(pl.String))
    cued = kept.filter("cue")
    near = cued.join(_may_share(cued, keys, False, lexicon), on=["doc_id", "line_no"], how="semi")
    kept = kept.join(_cue_words(near, lexicon), on="text", how="left").with_columns(pl.col("cue_words").fill_null(no_words))
    every_word = (kept.join(_may_share(kept, keys, True, lexicon), on=["doc_id", "line_no"], how="semi")
                  .select("doc_id", "line_no", all_words=pl.col("lower").str.extract_all("[a-z]+")))
    kept = kept.join(every_word, on=["doc_id", "line_no"], how="left").with_columns(pl.col("all_words").fill_null(no_words))
    shared = _sharing(kept, keys, lexicon).rename({"word": "matched"})
    kept = kept.join(shared, on=["doc_id", "line_no"], how="left")
    kept = kept.with_columns(read=pl.col("double") | pl.col("matched").is_not_null())
    kept = kept.with_columns(
        counted=pl.col("quantity") & (pl.col("quantity").sum().over("doc_id") >= 2),
        any_read=pl.col("read").any().over("doc_id"),
        before_read=pl.col("read").shift(-1).over("doc_id").fill_null(False),
    )
    needed = pl.col("read") | pl.col("counted") | (pl.col("any_read") & (pl.col("before_read") | pl.col("acronym")))
    return kept.filter(needed).select("doc_id", "line_no", "text", "matched", "double", "counted")


def flag_documents(documents: pl.DataFrame, lines: pl.DataFrame, lexicon: Lexicon | None = None,
                   stats: dict[str, int] | None = None) -> pl.DataFrame:
    """The ``flags`` table for documents (``doc_id, title``) and their final ``lines``."""
    lexicon = lexicon or load_lexicon()
    needed = read_lines(documents, lines, lexicon)
    columns = ("line_no", "text", "matched", "double", "counted")
    grouped = needed.group_by("doc_id", maintain_order=True).agg(*columns).join(
        documents.select("doc_id", "title"), on="doc_id")
    rows: list[dict[str, Any]] = []
    with _cyclic_gc_paused():
        for doc_id, numbers, texts, matched, double, counted, title in grouped.select("doc_id", *columns, "title").iter_rows():
            prefiltered = {number: (words or [], bool(flag), bool(count))
                           for number, words, flag, count in zip(numbers, matched, double, counted)}
            for flag in flag_document(title or "", list(zip(numbers, texts)), lexicon, stats, prefiltered):
                rows.append({"doc_id": doc_id, **flag})
    if stats is not None:
        stats["documents"] = stats.get("documents", 0) + grouped.height
    return pl.DataFrame(rows, schema=FLAG_SCHEMA)


@contextlib.contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while documents are read. Reading allocates many small
    objects that reference counting frees (they form no cycles), yet each allocation burst
    triggers collections that walk every long-lived object, the flagger's caches included:
    that walk cost 15% of the step. Collection resumes afterwards as it was."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
