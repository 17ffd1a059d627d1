"""Every table textwash writes, staged or final, with its schema: the one place they are declared.

A frame is written only through :func:`conform` (``cleaners.output.write_table`` calls it), which
selects the declared columns in the declared order and casts them, and fails loudly when a column
is missing. So no schema-less frame reaches disk, an empty frame has the same columns as a full
one, and readers (polars, DuckDB, pandas, Spark) never meet two spellings of one table.

``docs/SCHEMA.md`` documents the final tables column by column.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import polars as pl

Schema = Mapping[str, Any]  # column → polars data type

# ------------------------------------------------------------------ final tables

#: A record's metadata as parsed, all text (``cleaners/metadata.py``), before it is typed.
RAW_METADATA: Schema = {"url": pl.String, "published": pl.String, "authors": pl.String, "domain": pl.String,
                        "metadata": pl.String}
#: One parsed record of any format, before the checks common to every format (``cleaners/ingest.py``).
RECORDS: Schema = {"record_id": pl.String, "row": pl.Int64, "title": pl.String, "body": pl.String, **RAW_METADATA}
#: A document's metadata (``cleaners/metadata.py``), on staged and final documents alike.
METADATA: Schema = {
    "url": pl.String, "domain": pl.String, "published": pl.String, "published_at": pl.Datetime("us", "UTC"),
    "authors": pl.List(pl.String), "metadata": pl.String,
}
DOCUMENTS: Schema = {
    "doc_id": pl.String, "source": pl.String, "record": pl.String, "title": pl.String, **METADATA, "text": pl.String,
    "encoding": pl.String, "format": pl.String, "n_lines": pl.Int32, "n_lines_kept": pl.Int32,
    "dup_cluster_id": pl.String, "is_canonical": pl.Boolean, "jaccard_to_canonical": pl.Float64,
    "dup_cluster_size": pl.Int32, "run_id": pl.String,
}
LINES: Schema = {
    "doc_id": pl.String, "source": pl.String, "line_no": pl.Int32, "text_raw": pl.String, "text": pl.String, "status": pl.String,
    "reason": pl.String, "fixes": pl.List(pl.String), "duplicate_of_doc_id": pl.String,
    "duplicate_of_line_no": pl.Int32, "similarity": pl.Float64, "boilerplate_cluster_id": pl.String,
    "boilerplate_cluster_text": pl.String, "boilerplate_cluster_docs": pl.Int32, "run_id": pl.String,
}
REJECTS: Schema = {"source": pl.String, "record": pl.String, "reason": pl.String, "detail": pl.String, "run_id": pl.String}
FLAGS: Schema = {
    "doc_id": pl.String, "source": pl.String, "line_no": pl.Int32, "sentence_no": pl.Int32, "char_start": pl.Int32,
    "char_end": pl.Int32,
    "sentence": pl.String, "kind": pl.String, "severity": pl.String, "explanation": pl.String,
    "conflicts_with_line_no": pl.Int32, "conflicts_with_sentence_no": pl.Int32, "conflicts_with_text": pl.String,
    "lexicon_version": pl.String, "run_id": pl.String,
}
#: The final tables; each row carries the ``run_id`` of the run that wrote it.
FINAL: dict[str, Schema] = {"documents": DOCUMENTS, "lines": LINES, "rejects": REJECTS, "flags": FLAGS}
#: One row per committed run (``OUTPUT/runs``): the commit record and the history.
RUNS: Schema = {
    "seq": pl.Int64, "run_id": pl.String, "attempt": pl.String, "kind": pl.String, "started_at": pl.String,
    "finished_at": pl.String,
    "schema_version": pl.String, "input_dir": pl.String, "table_versions": pl.String, "index_version": pl.String,
    "manifest": pl.String,
}

# ---------------------------------------------------------------- staged tables

FILES: Schema = {
    "source": pl.String, "format": pl.String, "bytes": pl.Int64, "digest": pl.String, "encoding": pl.String,
    "n_documents": pl.Int64, "n_rejects": pl.Int64,
}
STAGED_DOCUMENTS: Schema = {
    "doc_id": pl.String, "source": pl.String, "record": pl.String, "row": pl.Int64, "format": pl.String,
    "encoding": pl.String, "title": pl.String, **METADATA,
}
STAGED_LINES: Schema = {
    "doc_id": pl.String, "line_no": pl.Int32, "text_raw": pl.String, "text": pl.String, "fixes": pl.List(pl.String),
    "status": pl.String, "reason": pl.String, "key": pl.String, "key_hash": pl.Int64, "key_chars": pl.Int32,
    "numbers_hash": pl.Int64,
}
DOC_INFO: Schema = {"doc_id": pl.String, "source": pl.String, "row": pl.Int64, "n_chars": pl.Int64}
DUPLICATES: Schema = {"doc_id": pl.String, "line_no": pl.Int32, "dup_of_line_no": pl.Int32, "similarity": pl.Float64}
SHINGLES: Schema = {"doc_id": pl.String, "shingles": pl.List(pl.Int32)}  # sorted, distinct, < 2**31 - 1
BANDS: Schema = {"doc_id": pl.String, "band": pl.Int32, "bucket": pl.Int64}
OCCURRENCES: Schema = {
    "key_hash": pl.Int64, "key": pl.String, "text": pl.String, "doc_id": pl.String, "source": pl.String,
    "row": pl.Int64, "line_no": pl.Int32,
}
PAIRS: Schema = {"doc_a": pl.String, "doc_b": pl.String}
COMPONENTS: Schema = {"doc_id": pl.String, "component": pl.Int64}
ROUTED_PAIRS: Schema = {"doc_a": pl.String, "doc_b": pl.String, "partition": pl.Int32}
ROUTES: Schema = {"doc_id": pl.String, "partition": pl.Int32}
MEMBERS: Schema = {
    "doc_id": pl.String, "dup_cluster_id": pl.String, "is_canonical": pl.Boolean, "dup_cluster_size": pl.Int32,
    "partition": pl.Int32,
}
CLUSTERS: Schema = {
    "doc_id": pl.String, "dup_cluster_id": pl.String, "is_canonical": pl.Boolean,
    "jaccard_to_canonical": pl.Float64, "dup_cluster_size": pl.Int32,
}
KEY_STATS: Schema = {
    "key_hash": pl.Int64, "key": pl.String, "text": pl.String, "n_docs": pl.Int64, "n_clusters": pl.Int64,
    "first_doc_id": pl.String, "first_line_no": pl.Int32,
}
BOILERPLATE: Schema = {
    "key_hash": pl.Int64, "key": pl.String, "cluster_id": pl.String, "cluster_text": pl.String,
    "cluster_docs": pl.Int64, "similarity": pl.Float64, "first_doc_id": pl.String, "first_line_no": pl.Int32,
}
ANCHORS: Schema = {
    "anchor": pl.Int64, "numbers_hash": pl.Int64, "key_hash": pl.Int64, "key_chars": pl.Int32, "head": pl.String,
    "tail": pl.String, "doc_id": pl.String, "source": pl.String, "row": pl.Int64, "line_no": pl.Int32,
}
_FIRST: Schema = {"first_doc_id": pl.String, "first_source": pl.String, "first_row": pl.Int64,
                  "first_line_no": pl.Int32}
REPEAT_PAIRS: Schema = {"doc_id": pl.String, "line_no": pl.Int32, "key_hash": pl.Int64, **_FIRST,
                        "first_key_hash": pl.Int64, "family_docs": pl.Int64}
PARAGRAPH_KEYS: Schema = {"doc_id": pl.String, "line_no": pl.Int32, "text": pl.String, "key": pl.String}
VERIFIED_REPEATS: Schema = {"doc_id": pl.String, "line_no": pl.Int32, **_FIRST, "similarity": pl.Float64,
                            "family_docs": pl.Int64}
#: Repeated paragraphs, resolved in partitions (``cleaners/paragraphs.py``, step 4).
BEST_FIRSTS: Schema = {"doc_id": pl.String, "line_no": pl.Int32, **_FIRST, "similarity": pl.Float64}
FIRST_REFS: Schema = {"first_doc_id": pl.String, "first_line_no": pl.Int32}
CHAIN_ROOTS: Schema = {"doc_id": pl.String, "line_no": pl.Int32, **_FIRST}
FAMILY_MEMBERS: Schema = {"first_doc_id": pl.String, "first_line_no": pl.Int32, "doc_id": pl.String}
FAMILY_SIZES: Schema = {"first_doc_id": pl.String, "first_line_no": pl.Int32, "family_docs": pl.Int64}
REPEATS: Schema = VERIFIED_REPEATS
INDEX_FILES: Schema = {"source": pl.String, "digest": pl.String, "run_id": pl.String}

#: The cross-run index's tables (``cleaners/index.py``).
INDEX: dict[str, Schema] = {
    "files": INDEX_FILES, "doc_info": DOC_INFO, "shingles": SHINGLES, "bands": BANDS, "occurrences": OCCURRENCES,
    "anchors": ANCHORS,
}


def empty(schema: Schema) -> pl.DataFrame:
    """A frame with no rows and exactly ``schema``'s columns."""
    return pl.DataFrame(schema=dict(schema))


#: Columns added to the final tables after 2.0 (a minor version adds columns): an output written
#: before them reads them as null (see ``cleaners/delta_files.py`` and ``cleaners/upgrade.py``).
LATER_COLUMNS: Schema = {**METADATA}


def with_later_columns(frame: pl.DataFrame, schema: Schema) -> pl.DataFrame:
    """``frame`` with the :data:`LATER_COLUMNS` of ``schema`` it lacks, as nulls."""
    return frame.with_columns(pl.lit(None, dtype=dtype).alias(name) for name, dtype in LATER_COLUMNS.items()
                              if name in schema and name not in frame.columns)


def conform(frame: pl.DataFrame, schema: Schema) -> pl.DataFrame:
    """``frame`` with exactly ``schema``'s columns, in order, cast to their types.

    Raises ``ValueError`` naming the missing columns (a bug in the stage that made the frame).
    """
    missing = [column for column in schema if column not in frame.columns]
    if missing:
        raise ValueError(f"frame lacks declared column(s) {missing}; it has {frame.columns}")
    return frame.select(list(schema)).cast(pl.Schema(schema))
