"""A record's metadata, kept on ``documents``: its url, publication date, authors and domain.

Scraped news carries fields an analyst filters on (``url``, ``published``, ``authors``,
``domain``), written differently by every scraper: an ISO date or an RFC 2822 one or a Mongo
export's ``{'$date': 1474243200000}``; authors as a JSON list, a Python list printed as text
(``"['Wendy Gittleson']"``) or ``"Alex Ansary, Amethyst Cruz"``. Ingestion keeps each as text,
whatever its JSON type (:func:`record_metadata` per record, :func:`metadata_columns` per
table, vectorised); :func:`typed_metadata` then gives the typed columns of ``documents``:

- ``url`` and ``domain`` (the ``domain`` field, else the url's host without ``www.``),
- ``published`` as written and ``published_at``, a UTC timestamp when the text is one of the
  common forms (else null: the text is still there),
- ``authors``, a list of names,
- ``metadata``: the fields of ``ingest.keep_fields`` that a record has, as a JSON object (text),
  so any other field can be kept without changing the table's schema.
"""

from __future__ import annotations

import json
from typing import Any

import polars as pl

from cleaners import schemas
from cleaners.settings import IngestSettings

#: Raw metadata columns of a parsed record (all text) → the settings that name their fields.
RAW_FIELDS = {"url": "url_fields", "published": "published_fields", "authors": "author_fields",
              "domain": "domain_fields"}
RAW_SCHEMA = schemas.RAW_METADATA


def _json(value: Any) -> str:
    """Compact JSON, as polars writes it on the vectorised path (so both paths give the same text)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)


def _as_text(value: Any) -> str | None:
    if value is None:
        return None
    return value if isinstance(value, str) else _json(value)


def record_metadata(record: dict[str, Any], settings: IngestSettings) -> dict[str, str | None]:
    """The raw metadata of one JSON record: each the first present of its fields, as text."""
    found: dict[str, str | None] = {}
    for column, fields in RAW_FIELDS.items():
        found[column] = next((_as_text(record[name]) for name in getattr(settings, fields)
                              if record.get(name) is not None), None)
    kept = {name: record[name] for name in settings.keep_fields if record.get(name) is not None}
    found["metadata"] = _json(kept) if kept else None
    return found


def has_objects(table: pl.DataFrame, settings: IngestSettings) -> bool:
    """Whether a metadata field holds JSON objects: polars gives every row the union of their
    keys (nulls for the missing) and may reorder them, so such files take the per-record path."""
    names = {name for fields in RAW_FIELDS.values() for name in getattr(settings, fields)} | set(settings.keep_fields)
    return any(_has_struct(table.schema[name]) for name in names if name in table.columns)


def _has_struct(dtype: Any) -> bool:
    if isinstance(dtype, pl.Struct):
        return True
    return isinstance(dtype, (pl.List, pl.Array)) and _has_struct(dtype.inner)


def _text_of(table: pl.DataFrame, name: str) -> pl.Expr:
    """A column as text: strings as they are, dates and times in ISO 8601, anything else
    (numbers, lists) as JSON."""
    dtype = table.schema[name]
    if dtype == pl.String:
        return pl.col(name)
    if dtype == pl.Null:
        return pl.lit(None, dtype=pl.String)
    if dtype == pl.Date:
        return pl.col(name).dt.strftime("%Y-%m-%d")
    if isinstance(dtype, pl.Datetime):
        zone = "%:z" if dtype.time_zone else ""
        return pl.col(name).dt.strftime("%Y-%m-%dT%H:%M:%S%.f" + zone)
    encoded = pl.struct(pl.col(name).alias("v")).struct.json_encode()  # {"v":<json>}
    return pl.when(pl.col(name).is_null()).then(None).otherwise(encoded.str.slice(5).str.head(-1))


def metadata_columns(table: pl.DataFrame, settings: IngestSettings) -> list[pl.Expr]:
    """Expressions for the raw metadata columns (``RAW_SCHEMA``) of a parsed table."""
    expressions = []
    for column, fields in RAW_FIELDS.items():
        present = [_text_of(table, name) for name in getattr(settings, fields) if name in table.columns]
        expressions.append((pl.coalesce(present) if present else pl.lit(None, dtype=pl.String)).alias(column))
    expressions.append(_kept_json(table, [name for name in settings.keep_fields if name in table.columns]))
    return expressions


def _kept_json(table: pl.DataFrame, names: list[str]) -> pl.Expr:
    """A JSON object of the named columns that are not null in the row (null if none is), as
    :func:`record_metadata` writes it for a record that lacks a field."""
    if not names:
        return pl.lit(None, dtype=pl.String).alias("metadata")
    members = [
        pl.when(pl.col(name).is_not_null()).then(
            pl.lit(json.dumps(name) + ":") + pl.struct(pl.col(name).alias("v")).struct.json_encode().str.slice(5)
            .str.head(-1))
        for name in names
    ]
    joined = pl.concat_list(members).list.drop_nulls().list.join(",")
    return pl.when(joined != "").then(pl.lit("{") + joined + pl.lit("}")).alias("metadata")


def no_metadata() -> list[pl.Expr]:
    """The raw metadata columns of a format that has none (txt, md)."""
    return [pl.lit(None, dtype=dtype).alias(name) for name, dtype in RAW_SCHEMA.items()]


def _published_at(text: pl.Expr) -> pl.Expr:
    """A UTC timestamp from the common ways scrapers write a date; null for anything else."""
    utc = pl.Datetime("us", "UTC")
    epoch_ms = text.str.extract(r"\$date['\"]?\s*:\s*(?:\{\s*['\"]\$numberLong['\"]\s*:\s*['\"]?)?(-?\d{9,})", 1
                                ).cast(pl.Int64, strict=False)
    # {"$date": "2016-09-19T00:00:00Z"} (Mongo's relaxed extended JSON)
    iso = pl.coalesce(text.str.extract(r"\$date['\"]?\s*:\s*['\"]([^'\"]+)['\"]", 1), text)
    iso = iso.str.strip_chars().str.replace(r"Z$", "+00:00").str.replace(" ", "T")
    return pl.coalesce(
        iso.str.to_datetime("%Y-%m-%dT%H:%M:%S%.f%:z", strict=False, time_zone="UTC"),
        iso.str.to_datetime("%Y-%m-%dT%H:%M:%S%z", strict=False, time_zone="UTC"),
        iso.str.to_datetime("%Y-%m-%dT%H:%M:%S%.f", strict=False).dt.replace_time_zone("UTC"),
        iso.str.to_datetime("%Y-%m-%dT%H:%M", strict=False).dt.replace_time_zone("UTC"),
        text.str.strip_chars().str.to_datetime("%Y-%m-%d", strict=False).dt.replace_time_zone("UTC"),
        text.str.replace(r"\s*(GMT|UTC)$", " +0000").str.to_datetime("%a, %d %b %Y %H:%M:%S %z", strict=False,
                                                                    time_zone="UTC"),
        text.str.strip_chars().str.to_datetime("%B %d, %Y", strict=False).dt.replace_time_zone("UTC"),
        pl.from_epoch(epoch_ms, time_unit="ms").dt.replace_time_zone("UTC"),
    ).cast(utc)


def _authors(text: pl.Expr) -> pl.Expr:
    """A list of names from a JSON list, a printed Python list or "A, B and C"."""
    stripped = text.str.strip_chars()
    listed = stripped.str.starts_with("[")
    inner = stripped.str.strip_chars("[]")
    names = (pl.when(listed).then(inner.str.replace_all(r"""['"]\s*,\s*['"]""", "\x00"))
             .otherwise(stripped.str.replace(r"(?i)^by\s+", "").str.replace_all(r"\s*(?:[,;&]|\band\b)\s*", "\x00")))
    return (names.str.split("\x00").list.eval(pl.element().str.strip_chars(" '\"").filter(pl.element() != ""))
            .list.eval(pl.element().filter(pl.element().str.len_chars() <= 200)))


def _domain(domain: pl.Expr, url: pl.Expr) -> pl.Expr:
    host = url.str.strip_chars().str.extract(r"^(?:[A-Za-z][A-Za-z0-9+.-]*:)?//(?:[^/@?#]*@)?([^/:?#\s]+)", 1)
    named = domain.str.strip_chars().str.extract(r"^(?:[A-Za-z][A-Za-z0-9+.-]*://)?([^/:?#\s]+)", 1)
    return pl.coalesce(named, host).str.to_lowercase().str.replace(r"^www\.", "")


def typed_metadata() -> list[pl.Expr]:
    """The typed metadata columns of ``documents``, from the raw ones."""
    empty = pl.col("authors").is_null() | (pl.col("authors").str.strip_chars().is_in(["", "[]"]))
    return [
        pl.col("url").str.strip_chars().replace("", None).alias("url"),
        pl.col("published").alias("published"),
        _published_at(pl.col("published")).alias("published_at"),
        pl.when(empty).then(None).otherwise(_authors(pl.col("authors"))).alias("authors"),
        _domain(pl.col("domain"), pl.col("url")).alias("domain"),
        pl.col("metadata").alias("metadata"),
    ]
