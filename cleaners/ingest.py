"""Read a folder of raw documents into a ``documents`` frame and a ``rejects`` frame.

Formats (each also gzip-compressed, ``name.ext.gz``):

========================  =====================================================================
``.txt``, ``.md``         one document per file: the first non-empty line is the title, the
                          rest is the body
``.jsonl``, ``.ndjson``   one JSON object per line (blank lines are skipped)
``.json``                 one JSON object, or an array of objects
``.csv``                  a header row, then one document per row (fields may be huge and span
                          lines)
``.parquet``              one document per row
========================  =====================================================================

Field and column names for the id, the title and the text come from
:class:`~cleaners.settings.IngestSettings` (the first one present wins).

Nothing is dropped silently: whatever cannot become a document (a binary file, undecodable
bytes, a malformed JSON line, a CSV without a text column, an empty file, a record over the size
limit, an unsupported file type) becomes a row of ``rejects`` with the source, the record, a
short ``reason`` code and a human ``detail``, and ingestion goes on with the next record.

Every document gets a ``doc_id`` that depends only on its file's path relative to the input
folder and its record key (its own id if it has one, else its 1-based row/line number), so the
same input gives the same ids on any machine and in any file order.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import re
import stat
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
from polars.exceptions import PanicException

from cleaners import schemas, storage
from cleaners.decoding import DecodeFailure, decode_bytes
from cleaners.hashing import file_digest, stable_hex
from cleaners.metadata import has_objects, metadata_columns, record_metadata, typed_metadata
from cleaners.settings import IngestSettings

REJECT_SCHEMA = dict(schemas.REJECTS)
#: What parsing a hostile file can raise. polars' Rust code can panic on corrupt Parquet; the
#: panic reaches Python as ``PanicException``, a ``BaseException``, which ``except Exception``
#: would let through and fail the run (found by tests/test_ingest_fuzz.py).
PARSE_ERRORS = (Exception, PanicException)
FILE_SCHEMA = dict(schemas.FILES)


@dataclass
class IngestResult:
    """What ingestion produced: raw documents, rejects, and one row per input file."""

    documents: pl.DataFrame
    rejects: pl.DataFrame
    files: pl.DataFrame


RECORD_SCHEMA = schemas.RECORDS


@dataclass
class _Records:
    """Records parsed one by one in Python, before the checks common to every format."""

    record_ids: list[str | None] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)
    titles: list[str | None] = field(default_factory=list)
    bodies: list[str | None] = field(default_factory=list)
    metadata: list[dict[str, str | None]] = field(default_factory=list)  # (none for txt/md)

    def to_frame(self) -> pl.DataFrame:
        columns: dict[str, list[Any]] = {"record_id": self.record_ids, "row": self.rows, "title": self.titles,
                                         "body": self.bodies}
        for name in schemas.RAW_METADATA:
            columns[name] = [meta[name] for meta in self.metadata] if self.metadata else [None] * len(self.rows)
        return pl.DataFrame(columns, schema=RECORD_SCHEMA)


class _FileRejected(Exception):
    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


def file_format(path: Path) -> tuple[str, bool]:
    """``(".jsonl", True)`` for ``x.jsonl.gz``; the format is the ending without ``.gz``."""
    name = path.name.lower()
    compressed = name.endswith(".gz")
    if compressed:
        name = name[:-3]
    suffix = Path(name).suffix
    if suffix == ".ndjson":
        suffix = ".jsonl"
    if suffix == ".md":
        suffix = ".txt"
    return suffix, compressed


def discover(input_dir: Any) -> list[str]:
    """Every file below ``input_dir`` (a folder, or a prefix on an object store), as sorted POSIX
    paths relative to it.

    Dotfiles and dot-folders (``.gitkeep``, ``.git/``) are not input and are not listed.
    """
    root = storage.location(input_dir)
    if not root.is_dir():
        raise FileNotFoundError(f"input folder {root} does not exist or is not a folder")
    return [relative for relative, _ in storage.files_below(root)
            if not any(part.startswith(".") for part in relative.split("/"))]


def signature(path: Any) -> str | None:
    """What identifies a file that is not read (refused before or while reading): its size and
    modification time. Recorded as its digest, so an incremental run re-reads it only once it
    changes. None if even that is unknown."""
    try:
        info = os.lstat(path) if storage.is_local(path) else path.stat()
    except OSError:
        return None
    return "unread-" + stable_hex(str(info.st_size), str(getattr(info, "st_mtime_ns", info.st_mtime)))


def content_digest(root: Any, source: str, limit: int = 512_000_000,
                   extensions: list[str] | None = None) -> str | None:
    """The digest ingestion records for a file: of its decompressed bytes, or, for a file that
    is not read (unsupported, too large, unreadable, outside the input), its :func:`signature`."""
    path = storage.location(root) / source
    fmt, compressed = file_format(Path(source))
    if extensions is not None and fmt not in _allowed(extensions):
        return signature(path)
    try:
        return file_digest(_read_bytes(path, compressed, limit, root))
    except _FileRejected:
        return signature(path)


def _allowed(extensions: list[str]) -> set[str]:
    allowed = {ext if ext != ".ndjson" else ".jsonl" for ext in extensions}
    return {".txt" if ext == ".md" else ext for ext in allowed}


def ingest_files(root: Any, sources: list[str], settings: IngestSettings) -> IngestResult:
    """Read ``sources`` (paths relative to ``root``) into documents and rejects.

    Files are parsed one by one; the checks common to every record run once, vectorised, over
    all of them (news folders often hold thousands of small files).
    """
    root = storage.location(root)
    parsed: list[pl.DataFrame] = []
    rejects: list[dict[str, Any]] = []
    files: list[dict[str, Any]] = []
    allowed = _allowed(settings.extensions)

    for source in sorted(sources):
        fmt, compressed = file_format(Path(source))
        file_row: dict[str, Any] = {
            "source": source, "format": fmt.lstrip("."), "bytes": None, "digest": None,
            "encoding": None, "n_documents": 0, "n_rejects": 0,
        }
        files.append(file_row)
        file_rejects: list[dict[str, Any]] = []
        try:
            check_entry(root, root / source)
            if fmt not in allowed:
                raise _FileRejected("unsupported_format", f"files ending in {fmt or '(none)'} are not read")
            data = _read_bytes(root / source, compressed, settings.max_file_bytes)
            file_row["bytes"] = len(data)
            file_row["digest"] = file_digest(data)
            if not data.strip():
                raise _FileRejected("empty", "the file is empty")
            records, encoding = _parse(data, fmt, settings, file_rejects)
            file_row["encoding"] = encoding
            if not records.height and not file_rejects:
                raise _FileRejected("empty", "no record in the file (only blank or whitespace-like lines)")
            if records.height:
                parsed.append(records.with_columns(
                    source=pl.lit(source), format=pl.lit(fmt.lstrip(".")), encoding=pl.lit(encoding)))
        except _FileRejected as error:
            file_rejects.append({"record": None, "reason": error.reason, "detail": error.detail})
            if file_row["digest"] is None:  # refused before it was read: identify it as plan_run does
                file_row["digest"] = signature(root / source)
        rejects.extend({"source": source, **reject} for reject in file_rejects)

    records = pl.concat(parsed) if parsed else pl.DataFrame(
        schema={**RECORD_SCHEMA, "source": pl.String, "format": pl.String, "encoding": pl.String})
    documents = _validate(records, settings, rejects)
    rejects_frame = pl.DataFrame(rejects, schema=REJECT_SCHEMA).sort("source", maintain_order=True)
    per_file_documents = dict(documents.group_by("source").len().iter_rows())
    per_file_rejects = dict(rejects_frame.group_by("source").len().iter_rows())
    for file_row in files:
        file_row["n_documents"] = per_file_documents.get(file_row["source"], 0)
        file_row["n_rejects"] = per_file_rejects.get(file_row["source"], 0)
    return IngestResult(documents=documents, rejects=rejects_frame, files=pl.DataFrame(files, schema=FILE_SCHEMA))


def check_entry(root: Any, path: Any) -> None:
    """Refuse what is not a regular file inside the input folder, before anything opens it.

    A symlink is followed only if it resolves inside ``root`` (``outside_input`` otherwise: a
    link to ``/etc/passwd`` or a secrets file must never reach ``lines``); FIFOs, sockets and
    devices (``not_a_file``: opening a FIFO would block the run), dangling links and link loops
    (``unreadable``) are refused with the reason. Object stores have none of these.
    """
    if not storage.is_local(path):
        return
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        if "\\x" in str(path):
            raise _FileRejected("bad_file_name", "the file name is not valid UTF-8 (shown with \\x escapes)") from None
        raise _FileRejected("unreadable", "the file disappeared before it was read") from None
    except OSError as error:
        raise _FileRejected("unreadable", f"cannot stat the file: {error.strerror or error}") from None
    if stat.S_ISLNK(info.st_mode):
        try:
            target = Path(path).resolve(strict=True)
        except (OSError, RuntimeError) as error:
            raise _FileRejected("unreadable", f"a dangling or looping symbolic link: {error}") from None
        base = Path(root).resolve()
        if base not in target.parents:
            raise _FileRejected("outside_input", f"a symbolic link to {target}, outside the input folder")
        info = os.stat(target)
        if stat.S_ISDIR(info.st_mode):
            raise _FileRejected("not_a_file", "a symbolic link to a folder of the input: not followed (its files "
                                "are read where they are)")
    if stat.S_ISDIR(info.st_mode):
        raise _FileRejected("unreadable", "a folder that cannot be listed")
    if not stat.S_ISREG(info.st_mode):
        raise _FileRejected("not_a_file", "not a regular file (a FIFO, socket or device)")


def _read_bytes(path: Any, compressed: bool, limit: int = 512_000_000, root: Any = None) -> bytes:
    """The file's bytes (decompressed), never more than ``limit``: the size is checked before
    reading, and gzip is decompressed as a stream that stops at the limit (a 10 MB bomb that
    expands to 10 GB costs ``limit`` bytes, not 10 GB)."""
    if root is not None:
        check_entry(root, path)
    try:
        size = path.stat().st_size
        if size > limit:
            raise _FileRejected("too_large", f"{size:,} bytes on disk, over ingest.max_file_bytes ({limit:,})")
        with path.open("rb") as handle:
            if not compressed:
                return bytes(handle.read(limit + 1))
            return _gunzip(handle, limit)
    except OSError as error:
        raise _FileRejected("unreadable", f"cannot read the file: {error.strerror or error}") from None


def _gunzip(handle: Any, limit: int) -> bytes:
    chunks, total = [], 0
    try:
        with gzip.GzipFile(fileobj=handle) as stream:
            while chunk := stream.read(1 << 20):
                total += len(chunk)
                if total > limit:
                    raise _FileRejected("too_large", f"expands to more than ingest.max_file_bytes ({limit:,}) bytes")
                chunks.append(chunk)
    except (OSError, EOFError, zlib.error) as error:
        raise _FileRejected("unreadable", f"not valid gzip: {error}") from None
    return b"".join(chunks)


def _decode(data: bytes, settings: IngestSettings) -> tuple[str, str]:
    try:
        return decode_bytes(data, settings.encodings)
    except DecodeFailure as failure:
        raise _FileRejected(failure.reason, failure.detail) from None


def _parse(data: bytes, fmt: str, settings: IngestSettings, rejects: list[dict[str, Any]]) -> tuple[pl.DataFrame, str]:
    """Parse one file's bytes into a records frame (``RECORD_SCHEMA``) and the encoding used."""
    if fmt == ".parquet":
        return _parse_table(_read_parquet(data), settings), "parquet"
    text, encoding = _decode(data, settings)
    if fmt == ".txt":
        return _parse_txt(text).to_frame(), encoding
    if fmt == ".jsonl":
        fast = _parse_jsonl_with_polars(text, data if encoding == "utf-8" else None, settings)
        return (fast if fast is not None else _parse_jsonl(text, settings, rejects).to_frame()), encoding
    if fmt == ".json":
        return _parse_json(text, settings, rejects).to_frame(), encoding
    if fmt == ".csv":
        return _parse_table(_read_csv(text, rejects), settings), encoding
    raise _FileRejected("unsupported_format", f"files ending in {fmt} are not read")  # pragma: no cover


#: Where a txt title line ends: the same breaks as ``cleaners/lines.py`` (CR-only files from old
#: Macs, U+2028/U+2029 from word processors), so the title is never a whole CR-only file and a
#: paragraph after a U+2028 never joins the title. (U+0085 is left to lines.py: it can be mojibake.)
_TITLE_BREAK = re.compile("\r\n|[\r\n\u2028\u2029]")


def _parse_txt(text: str) -> _Records:
    """Title = first non-empty line; body = everything after that line."""
    records = _Records()
    position = 0
    while True:
        match = _TITLE_BREAK.search(text, position)
        end = match.start() if match else len(text)
        if text[position:end].strip():
            records.record_ids.append(None)
            records.rows.append(1)
            records.titles.append(text[position:end].strip())
            records.bodies.append(text[match.end():] if match else "")
            break
        if match is None:
            break
        position = match.end()
    return records


def _first_present(record: dict[str, Any], names: list[str]) -> Any:
    for name in names:
        value = record.get(name)
        if value is not None:
            return value
    return None


def _has_surrogate(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _add_object(records: _Records, record: Any, row: int, settings: IngestSettings, rejects: list[dict[str, Any]]) -> None:
    if not isinstance(record, dict):
        rejects.append({"record": str(row), "reason": "not_an_object",
                        "detail": f"record {row} is a JSON {type(record).__name__}, not an object"})
        return
    record_id = _first_present(record, settings.id_fields)
    title = _first_present(record, settings.title_fields)
    body = _first_present(record, settings.text_fields)
    if body is not None and not isinstance(body, str):
        if not settings.coerce_text:
            rejects.append({"record": str(row), "reason": "text_not_string",
                            "detail": f"the text field is a JSON {type(body).__name__}, not a string "
                            "(set ingest.coerce_text = true to accept its JSON text)"})
            return
        body = json.dumps(body, ensure_ascii=False) if isinstance(body, (list, dict)) else json.dumps(body)
    metadata = record_metadata(record, settings)
    bad = next((value for value in (record_id, title, body, *metadata.values())
                if isinstance(value, str) and _has_surrogate(value)), None)
    if bad is not None:
        rejects.append({"record": str(row), "reason": "invalid_unicode",
                        "detail": "a string holds a lone surrogate escape (e.g. \\udfff), which is not text"})
        return
    records.record_ids.append(None if record_id is None else str(record_id))
    records.rows.append(row)
    records.titles.append(None if title is None else str(title))
    records.bodies.append(body)
    records.metadata.append(metadata)


def _parse_jsonl(text: str, settings: IngestSettings, rejects: list[dict[str, Any]]) -> _Records:
    # Split on "\n" only: JSON strings may hold a raw U+2028, which str.splitlines would cut.
    records = _Records()
    for line_no, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except RecursionError:
            rejects.append({"record": str(line_no), "reason": "malformed_json",
                            "detail": f"line {line_no}: nested too deeply to parse"})
            continue
        except json.JSONDecodeError as error:
            rejects.append({"record": str(line_no), "reason": "malformed_json",
                            "detail": f"line {line_no}: {error}"})
            continue
        _add_object(records, record, line_no, settings, rejects)
    return records


def _parse_json(text: str, settings: IngestSettings, rejects: list[dict[str, Any]]) -> _Records:
    try:
        loaded = json.loads(text)
    except RecursionError:
        raise _FileRejected("malformed_json", "nested too deeply to parse") from None
    except json.JSONDecodeError as error:
        raise _FileRejected("malformed_json", str(error)) from None
    records = _Records()
    items = loaded if isinstance(loaded, list) else [loaded]
    for row, item in enumerate(items, start=1):
        _add_object(records, item, row, settings, rejects)
    return records


def _parse_jsonl_with_polars(text: str, utf8: bytes | None, settings: IngestSettings) -> pl.DataFrame | None:
    """Parse JSONL in Rust when it gives exactly what the line-by-line parser would.

    That is: no blank lines (so row = line number: polars skips blank lines, so its row count
    tells), every line an object, and the id, title
    and text fields plain strings (ids may be integers). Anything else returns ``None`` and
    the caller parses line by line, which reports each bad line in ``rejects``.
    """
    n_lines = text.count("\n") + (not text.endswith("\n"))  # (no list of lines: there may be millions)
    if not text.strip():
        return None
    try:
        table = pl.read_ndjson(io.BytesIO(utf8 if utf8 is not None else text.encode("utf-8")),
                               infer_schema_length=None)
    except PARSE_ERRORS:  # malformed lines, non-objects, clashing types: the slow path explains
        return None
    if table.height != n_lines:  # polars skipped a blank line: row numbers would shift
        return None
    allowed = {"id": (pl.String, pl.Int64), "other": (pl.String,)}
    for name in settings.id_fields:
        if name in table.columns and table.schema[name] not in allowed["id"]:
            return None
    for name in [*settings.title_fields, *settings.text_fields]:
        if name in table.columns and table.schema[name] not in allowed["other"]:
            return None
    if has_objects(table, settings):
        return None

    def first_present(names: list[str]) -> pl.Expr:
        present = [pl.col(name).cast(pl.String) for name in names if name in table.columns]
        return pl.coalesce(present) if present else pl.lit(None, dtype=pl.String)

    return table.select(
        first_present(settings.id_fields).alias("record_id"),
        pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias("row"),
        first_present(settings.title_fields).alias("title"),
        first_present(settings.text_fields).alias("body"),
        *metadata_columns(table, settings),
    )


def _read_csv(text: str, rejects: list[dict[str, Any]]) -> pl.DataFrame:
    import csv

    try:
        header = next(csv.reader(io.StringIO(text[:1_000_000], newline="")), [])
    except csv.Error:
        header = []  # polars says what is wrong with it
    repeated = sorted({name for name in header if header.count(name) > 1})
    if repeated:
        raise _FileRejected("duplicate_header", f"the header names {repeated} more than once: which one is meant "
                            "is ambiguous")
    try:
        return pl.read_csv(io.BytesIO(text.encode("utf-8")), infer_schema=False, raise_if_empty=True)
    except PARSE_ERRORS as error:  # polars raises several error types for malformed CSV
        rows = _csv_row_by_row(text, rejects)
        if rows is None:
            raise _FileRejected("malformed_csv", f"{type(error).__name__}: {error}".splitlines()[0]) from None
        return rows


def _csv_row_by_row(text: str, rejects: list[dict[str, Any]]) -> pl.DataFrame | None:
    """The slow path for a CSV polars refuses: rows with the header's number of fields are kept
    (with their own row numbers), each other row is rejected alone. None if even that fails."""
    import csv

    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error:
        return None
    if not rows or not rows[0]:
        return None
    header, good, numbers = rows[0], [], []
    for number, row in enumerate(rows[1:], start=1):
        if not row:
            continue
        if len(row) != len(header):
            rejects.append({"record": str(number), "reason": "malformed_csv",
                            "detail": f"row {number} has {len(row)} fields, the header has {len(header)}"})
            continue
        good.append(row)
        numbers.append(number)
    if not good and not rejects:
        return None
    frame = pl.DataFrame({name: [row[index] for row in good] for index, name in enumerate(header)},
                         schema={name: pl.String for name in header})
    return frame.with_columns(__row=pl.Series(numbers, dtype=pl.Int64))


def _read_parquet(data: bytes) -> pl.DataFrame:
    try:
        return pl.read_parquet(io.BytesIO(data))
    except PARSE_ERRORS as error:
        raise _FileRejected("malformed_parquet", f"{type(error).__name__}: {error}".splitlines()[0]) from None


def _parse_table(table: pl.DataFrame, settings: IngestSettings) -> pl.DataFrame:
    text_column = next((name for name in settings.text_fields if name in table.columns), None)
    if text_column is None:
        raise _FileRejected("missing_text_column",
                            f"none of the text columns {settings.text_fields} is in {table.columns[:20]}")
    id_column = next((name for name in settings.id_fields if name in table.columns), None)
    title_column = next((name for name in settings.title_fields if name in table.columns), None)

    def column(name: str | None) -> pl.Expr:
        return pl.col(name).cast(pl.String) if name is not None else pl.lit(None, dtype=pl.String)

    for name in (text_column, title_column, id_column):
        dtype = table.schema[name] if name is not None else pl.String
        if dtype.is_nested() or dtype == pl.Null and name == text_column:
            raise _FileRejected("text_not_string", f"column {name!r} holds {dtype}, not text")
    rows = pl.col("__row") if "__row" in table.columns else pl.int_range(1, pl.len() + 1, dtype=pl.Int64)
    try:
        return table.select(
            column(id_column).alias("record_id"), rows.alias("row"), column(title_column).alias("title"),
            column(text_column).alias("body"), *metadata_columns(table, settings),
        )
    except PARSE_ERRORS as error:  # binary that is not UTF-8, and other casts that fail
        raise _FileRejected("undecodable", f"{type(error).__name__}: {error}".splitlines()[0]) from None


def _validate(records: pl.DataFrame, settings: IngestSettings, rejects: list[dict[str, Any]]) -> pl.DataFrame:
    """Checks common to all formats, vectorised; returns accepted records as raw documents.

    Refused records are appended to ``rejects``, each with its first failed check.
    """
    body_chars = pl.col("body").str.len_chars()
    record = pl.coalesce("record_id", pl.col("row").cast(pl.String))
    # Only bodies longer than max_line_chars can hold a line that long: split just those.
    longest_line = (
        pl.when(body_chars > settings.max_line_chars)
        .then(pl.col("body").str.split("\n").list.eval(pl.element().str.len_chars()).list.max())
        .otherwise(0)
    )
    reason = (
        pl.when(pl.col("body").is_null()).then(pl.lit("missing_text_field"))
        .when(body_chars > settings.max_record_chars).then(pl.lit("too_large"))
        .when(pl.col("_longest") > settings.max_line_chars).then(pl.lit("line_too_long"))
        .when((pl.col("body").str.strip_chars() == "") & (pl.col("title").fill_null("").str.strip_chars() == ""))
        .then(pl.lit("empty"))
    )
    checked = records.with_columns(record=record, _longest=longest_line).with_columns(_reason=reason)

    for row in checked.filter(pl.col("_reason").is_not_null()).iter_rows(named=True):
        rejects.append({"source": row["source"], "record": row["record"], "reason": row["_reason"],
                        "detail": _reject_detail(row, settings)})

    accepted = checked.filter(pl.col("_reason").is_null())
    # A record's key: its own id, else "#row"; a repeated id inside one file also gets "#row".
    key = pl.coalesce("record_id", pl.lit("#") + pl.col("row").cast(pl.String))
    repeated = ~pl.col("_key").is_first_distinct().over("source")
    accepted = accepted.with_columns(_key=key).with_columns(
        _key=pl.when(repeated).then(pl.col("_key") + "#" + pl.col("row").cast(pl.String)).otherwise("_key")
    )
    return accepted.select(
        doc_id=_doc_ids(accepted["source"], accepted["_key"]),
        source=pl.col("source"),
        record=pl.col("record"),
        row=pl.col("row"),
        format=pl.col("format"),
        encoding=pl.col("encoding"),
        title=pl.col("title").fill_null(""),
        body=pl.col("body"),
    ).hstack(accepted.select(typed_metadata()))


def _doc_ids(sources: pl.Series, keys: pl.Series, chunk: int = 65_536) -> pl.Series:
    """``stable_hex(source, key)`` of every record, a chunk at a time (a file may hold millions
    of records: no Python list, or tuple per row, of them all)."""
    parts = [
        pl.Series([stable_hex(source, key) for source, key in
                   zip(sources.slice(offset, chunk).to_list(), keys.slice(offset, chunk).to_list(), strict=True)],
                  dtype=pl.String)
        for offset in range(0, len(sources), chunk)
    ]
    return pl.concat(parts, rechunk=True) if parts else pl.Series([], dtype=pl.String)


def _reject_detail(row: dict[str, Any], settings: IngestSettings) -> str:
    reason = row["_reason"]
    if reason == "missing_text_field":
        return f"none of the text fields {settings.text_fields} is present"
    if reason == "too_large":
        return f"body has {len(row['body']):,} characters; max_record_chars is {settings.max_record_chars:,}"
    if reason == "line_too_long":
        return f"a line has {row['_longest']:,} characters; max_line_chars is {settings.max_line_chars:,}"
    return "no title and no text"
