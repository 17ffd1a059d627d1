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


def stable_hash31(values: pl.Series) -> pl.Series:
    """xxh3 of each string reduced modulo :data:`PRIME` (Int64), each distinct value hashed once."""
    distinct = values.drop_nulls().unique()
    hashes = [xxhash.xxh3_64_intdigest(value.encode("utf-8")) % PRIME for value in distinct.to_list()]
    return values.replace_strict(distinct, pl.Series(hashes, dtype=pl.Int64), default=None, return_dtype=pl.Int64)


def words(frame: pl.DataFrame, id_column: str, key_column: str, keep: list[str] | None = None) -> pl.DataFrame:
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
    return exploded.with_columns(word_hash=stable_hash31(exploded.get_column("word"))).drop("word")


def ngram_hashes(words_frame: pl.DataFrame, id_column: str, size: int, keep: list[str] | None = None) -> pl.DataFrame:
    """``id, shingle`` (plus ``keep`` columns): a hash per run of ``size`` consecutive words.

    A key shorter than ``size`` words gives one shingle of all its words. Not deduplicated.
    """
    keep = keep or []
    shingle = pl.lit(0, dtype=pl.Int64)
    for offset in range(size):
        # A shifted word belongs to the same key only if the id matches; else it counts as 0.
        same_key = pl.col(id_column).shift(-offset) == pl.col(id_column)
        part = pl.when(same_key).then(pl.col("word_hash").shift(-offset)).otherwise(0)
        shingle = (shingle * _BASE + part) % PRIME
    n_words = pl.len().over(id_column).cast(pl.Int64)
    last_start = pl.max_horizontal(n_words - size, pl.lit(0))
    return (
        words_frame.lazy()
        .with_columns(shingle=shingle, _keep=pl.col("position") <= last_start)
        .filter(pl.col("_keep"))
        .select(pl.col(id_column), *[pl.col(name) for name in keep], pl.col("shingle"))
        .collect()
    )


def word_shingles(frame: pl.DataFrame, id_column: str, key_column: str, size: int) -> pl.DataFrame:
    """Distinct ``(id, shingle)`` pairs of each key's word n-grams (see :func:`ngram_hashes`)."""
    return ngram_hashes(words(frame, id_column, key_column), id_column, size).unique()
