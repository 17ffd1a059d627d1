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
