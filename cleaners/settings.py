"""Every setting of a run, in one pydantic model.

Settings come from, in increasing priority: the defaults below, a TOML file (``--config``), and
``--set section.key=value`` overrides on the command line. The whole model is written into each
run's manifest, so a run can be explained and repeated.

Example TOML::

    [ingest]
    text_fields = ["body"]
    max_record_chars = 2_000_000

    [normalise]
    uncurl_quotes = true
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class IngestSettings(_Section):
    """How input files are read and which records are refused."""

    id_fields: list[str] = Field(
        default=["id", "doc_id", "uuid", "url"],
        description="Record fields/columns tried, in order, for the record's own id (else its row number).",
    )
    title_fields: list[str] = Field(
        default=["title", "headline"],
        description="Fields/columns tried, in order, for the title.",
    )
    text_fields: list[str] = Field(
        default=["text", "content", "body"],
        description="Fields/columns tried, in order, for the body text. A record or table "
        "without any of them is rejected.",
    )
    max_record_chars: int = Field(
        default=5_000_000,
        ge=1,
        description="A record (or txt/md file) whose body is longer than this is rejected.",
    )
    max_line_chars: int = Field(
        default=1_000_000,
        ge=1,
        description="A document containing a single line longer than this is rejected "
        "(such lines are nearly always binary or minified data, not prose).",
    )
    max_file_bytes: int = Field(
        default=512_000_000, ge=1,
        description="A file larger than this (after gzip decompression, which stops there) is rejected "
        "as 'too_large' before it is read whole; split larger JSONL/CSV files.",
    )
    coerce_text: bool = Field(
        default=False,
        description="Accept a JSON text field that is a number, bool, list or object as its JSON text; "
        "by default such a record is rejected as 'text_not_string'.",
    )
    url_fields: list[str] = Field(default=["url", "canonical_link", "link"],
                                  description="Fields tried, in order, for documents.url.")
    published_fields: list[str] = Field(
        default=["published", "publish_date", "published_at", "date_published", "pubDate", "date"],
        description="Fields tried, in order, for documents.published (as written) and published_at (parsed).")
    author_fields: list[str] = Field(default=["authors", "author", "byline"],
                                     description="Fields tried, in order, for documents.authors (a list of names).")
    domain_fields: list[str] = Field(default=["domain", "site"],
                                     description="Fields tried, in order, for documents.domain (else the url's host).")
    keep_fields: list[str] = Field(
        default=[], description="Any other fields to keep, as a JSON object in documents.metadata "
        '(e.g. ["keywords", "type"]).')
    encodings: list[Literal["utf-8", "cp1252", "latin-1"]] = Field(
        default=["utf-8", "cp1252", "latin-1"],
        description="Encodings tried, in order, for files that have no byte-order mark.",
    )
    extensions: list[str] = Field(
        default=[".txt", ".md", ".jsonl", ".ndjson", ".json", ".csv", ".parquet"],
        description="File endings read (each also with .gz). Other files are reported in "
        "rejects as 'unsupported_format'.",
    )


class NormaliseSettings(_Section):
    """ftfy's configuration and the whitespace rules.

    The defaults repair what scraping breaks (mojibake, HTML entities, control characters,
    Unicode composition) and keep what an author chose (curly quotes, full-width forms,
    ligatures).
    """

    fix_encoding: bool = Field(default=True, description="Repair mojibake (ftfy).")
    unescape_html: bool = Field(
        default=True,
        description="Decode HTML entities (&amp;, &#8217;). Input is plain text, so entities "
        "are decoded even on lines that contain '<'.",
    )
    remove_terminal_escapes: bool = True
    fix_c1_controls: bool = True
    remove_control_chars: bool = True
    normalization: Literal["NFC", "NFKC", "NFD", "NFKD"] | None = "NFC"
    uncurl_quotes: bool = Field(default=False, description="Turn curly quotes into straight ones.")
    fix_character_width: bool = Field(
        default=False, description="Turn full-width Latin letters into ordinary ones."
    )
    fix_latin_ligatures: bool = Field(default=False, description="Split ligatures such as 'ﬁ'.")
    remove_zero_width: bool = Field(
        default=True,
        description="Delete zero-width spaces, word joiners, byte-order marks and soft hyphens.",
    )
    normalise_spaces: bool = Field(
        default=True,
        description="Turn non-breaking and other Unicode spaces and tabs into a space, "
        "collapse runs of spaces, and strip both ends of each line.",
    )
    max_passes: int = Field(
        default=10,
        ge=1,
        le=50,
        description="Normalisation repeats on a changed line until it stops changing, at most "
        "this many times (double-escaped entities need two passes).",
    )
    fast_path: bool = Field(
        default=True,
        description="Send only lines that may need ftfy through it. Output is identical; "
        "turn off only to measure.",
    )


class OutputSettings(_Section):
    compression: Literal["zstd", "snappy", "lz4", "gzip", "uncompressed"] = "zstd"
    compression_level: int | None = 3


class RunSettings(_Section):
    shards: int = Field(
        default=0,
        ge=0,
        description="Input files are split into this many shards by a stable hash of their "
        "path; each shard is one task. 0 (default): two per worker. Output does not depend on it.",
    )
    workers: int = Field(
        default=0,
        ge=0,
        description="Worker processes for `textwash run` and `run_local(workers=None)`. 0 (default): one "
        "per core. Output does not depend on it.",
    )
    incremental: bool = Field(
        default=False,
        description="Process only input files that are new or changed since the runs recorded in the "
        "output folder's index, and deduplicate them against those runs.",
    )
    batch_mb: float = Field(
        default=32.0,
        gt=0,
        description="Inside a shard, files are cleaned in batches of about this many MB of "
        "input, each written as its own Parquet part, so memory stays bounded by a batch "
        "(a larger file is cut by `batch_records`). Output does not depend on it.",
    )
    batch_records: int = Field(
        default=100_000,
        ge=1,
        description="At most this many documents per batch: a file of millions of tiny records is "
        "cleaned in slices of this many, so memory stays bounded by the slice, not the file. "
        "Output does not depend on it.",
    )


class DedupSettings(_Section):
    """Line and document deduplication (``cleaners/dedup.py``). Thresholds were chosen by
    measurement on the labelled benchmark corpus and by reading what they mark in
    ``../shared/corpora`` (see the README)."""

    enabled: bool = True
    fuzzy_threshold: float = Field(
        default=92.0, ge=50, le=100,
        description="rapidfuzz ratio (0-100) between two line keys for a near-duplicate line.",
    )
    min_fuzzy_chars: int = Field(
        default=30, ge=1,
        description="Lines whose key is shorter than this match only exactly (so 'Yes.' and "
        "'No.' never merge).",
    )
    block_chars: int = Field(
        default=12, ge=4, le=64,
        description="Lines of one document sharing their first, middle or last this many key "
        "characters are compared with rapidfuzz (blocking; no all-pairs comparison).",
    )
    block_window: int = Field(
        default=32, ge=1, le=1000,
        description="In a block of lines sharing a stretch, each line is compared with the next this many "
        "lines of the block only, so a block of thousands of look-alike lines (a list of headlines "
        "with one prefix) costs lines x window comparisons, not all pairs. Manifests count the capped blocks.",
    )
    boilerplate_min_docs: int = Field(
        default=3, ge=2,
        description="A short line (or its close variants) recurring in at least this many "
        "unrelated documents (near-duplicate documents count once) is boilerplate.",
    )
    boilerplate_max_chars: int = Field(
        default=100, ge=1,
        description="Only lines whose key is at most this long can be boilerplate; longer shared "
        "lines are content (syndication is the document clusters' job).",
    )
    repeated_paragraphs: bool = Field(
        default=True,
        description="A content line (longer than boilerplate_max_chars) recurring, exactly or nearly and "
        "with the same numbers, in documents that are not near-duplicates of each other is a duplicate "
        "of its first occurrence in every later document (cleaners/paragraphs.py).",
    )
    paragraph_anchors: int = Field(
        default=4, ge=1, le=64,
        description="Each content line is blocked by this many of its word n-gram hashes (the "
        "smallest) plus its key: lines sharing one are compared with rapidfuzz.",
    )
    doc_shingle_words: int = Field(default=5, ge=1, le=12, description="Word n-gram size for document MinHash.")
    doc_minhash_bins: int = Field(default=32, ge=4, le=256, description="MinHash signature length (one-permutation bins).")
    doc_bands: int = Field(default=8, ge=1, description="LSH bands; must divide doc_minhash_bins.")
    doc_jaccard_threshold: float = Field(
        default=0.7, gt=0, le=1,
        description="Exact Jaccard similarity of word shingles for two documents to be near-duplicates.",
    )
    partitions: int = Field(
        default=0, ge=0,
        description="The corpus-wide steps are split into this many partitions by stable hash; "
        "each is one task with memory bounded by its share. 0 (default): one per 48 MB of input, "
        "at least 4. Output does not depend on it.",
    )
    write_noncanonical_documents: bool = Field(
        default=True,
        description="Write near-duplicate (non-canonical) documents to `documents` (marked), or "
        "only mark them in the manifest counts and keep their lines in `lines`.",
    )


class FlagSettings(_Section):
    """Contradiction flagging (``cleaners/flags/``)."""

    enabled: bool = Field(default=True, description="Flag contradictory and double-negated sentences.")


class Settings(_Section):
    """All settings of a textwash run."""

    ingest: IngestSettings = IngestSettings()
    normalise: NormaliseSettings = NormaliseSettings()
    dedup: DedupSettings = DedupSettings()
    flags: FlagSettings = FlagSettings()
    output: OutputSettings = OutputSettings()
    run: RunSettings = RunSettings()

    @classmethod
    def load(cls, path: str | Path | None = None, overrides: list[str] | None = None) -> Settings:
        """Defaults, then the TOML file at ``path``, then ``section.key=value`` overrides.

        An override's value is parsed as JSON when it can be (``5``, ``true``, ``["a","b"]``),
        else taken as a string. Raises :class:`SettingsError`, whose message is one line per
        problem saying where it is and how to mend it.
        """
        data: dict[str, Any] = {}
        origins: dict[tuple[str, ...], str] = {}
        if path is not None:
            data = _read_toml(Path(path))
            text = Path(path).read_text(encoding="utf-8", errors="replace")
            origins = {key: f"{path} line {line}" for key, line in _toml_key_lines(text).items()}
        for override in overrides or []:
            key, sep, raw_value = override.partition("=")
            if not sep or "." not in key:
                raise SettingsError(f"--set {override!r} is not of the form section.key=value "
                                    "(e.g. --set dedup.fuzzy_threshold=90)")
            section, _, field = key.strip().partition(".")
            try:
                value: Any = json.loads(raw_value)
            except json.JSONDecodeError:
                value = raw_value
            data.setdefault(section, {})[field] = value
            origins[(section, field)] = f"--set {key.strip()}"
        try:
            return cls.model_validate(data)
        except ValidationError as error:
            raise SettingsError("\n".join(explain(problem, origins) for problem in error.errors())) from None

    def fingerprint_json(self) -> str:
        """Canonical JSON of the settings that change output (for the run id)."""
        layout = {"run": {"shards", "workers", "batch_mb", "batch_records", "incremental"}, "dedup": {"partitions"}}
        return self.model_dump_json(exclude=layout)


class SettingsError(ValueError):
    """Settings that cannot be used; the message says where each problem is and how to mend it."""


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise SettingsError(f"settings file {path} does not exist") from None
    except OSError as error:
        raise SettingsError(f"settings file {path} cannot be read: {error.strerror or error}") from None
    except tomllib.TOMLDecodeError as error:  # its message names the line and column
        raise SettingsError(f"settings file {path} is not valid TOML: {error}") from None


def _toml_key_lines(text: str) -> dict[tuple[str, ...], int]:
    """Where each ``[section]`` and ``key =`` of a (simple) TOML file is, for error messages."""
    found: dict[tuple[str, ...], int] = {}
    section = ""
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith("[") and "]" in stripped:
            section = stripped.strip("[] ").split("]")[0].strip()
            found.setdefault((section,), number)
        elif "=" in stripped and not stripped.startswith("#"):
            found.setdefault((section, stripped.split("=", 1)[0].strip().strip("\"'")), number)
    return found


def _sections() -> dict[str, type[BaseModel]]:
    return {name: field.annotation for name, field in Settings.model_fields.items()}  # type: ignore[misc]


def _did_you_mean(section: str, key: str) -> str:
    """A hint for an unknown ``section.key``: the closest key, the section it belongs in, or the
    valid keys."""
    import difflib

    sections = _sections()
    if section not in sections:
        close = difflib.get_close_matches(section, list(sections), n=1)
        hint = f"did you mean [{close[0]}]? " if close else ""
        return f"{hint}sections: {', '.join(sections)}"
    keys = list(sections[section].model_fields)
    close = difflib.get_close_matches(key, keys, n=1, cutoff=0.7)
    if close:
        return f"did you mean {section}.{close[0]}?"
    elsewhere = [name for name, model in sections.items() if key in model.model_fields]
    if elsewhere:
        return f"{key} belongs in [{elsewhere[0]}]: use {elsewhere[0]}.{key}"
    return f"valid keys of [{section}]: {', '.join(keys)}"


def explain(problem: Any, origins: dict[tuple[str, ...], str] | None = None) -> str:
    """One line for one pydantic error: which setting, from where, what is wrong, how to mend it."""
    location = tuple(str(part) for part in problem["loc"] if not isinstance(part, int))
    origins = origins or {}
    where = origins.get(location[:2]) or origins.get(location[:1])
    name = ".".join(location)
    prefix = f"{where}: " if where and not where.startswith("--set") else ""
    kind, context = problem["type"], problem.get("ctx") or {}
    if kind == "extra_forbidden":
        section, key = (location + ("",))[:2]
        what = f"unknown section [{section}]" if len(location) == 1 else f"unknown setting {name}"
        return f"{prefix}{what} ({_did_you_mean(section, key)})"
    value = json.dumps(problem["input"], default=str)
    bounds = {"greater_than_equal": ">=", "less_than_equal": "<=", "greater_than": ">", "less_than": "<"}
    if kind in bounds:
        limit = next(iter(context.values()))
        limit = int(limit) if isinstance(limit, float) and limit.is_integer() else limit
        return f"{prefix}{name} = {value}: must be {bounds[kind]} {limit}"
    if kind == "literal_error":
        return f"{prefix}{name} = {value}: must be one of {context.get('expected')}"
    expected = {"int_parsing": "an integer", "int_from_float": "a whole number", "float_parsing": "a number",
                "bool_parsing": "true or false", "list_type": "a list, e.g. [\"a\", \"b\"]",
                "string_type": "a string"}.get(kind)
    if expected:
        return f"{prefix}{name} = {value}: must be {expected}"
    return f"{prefix}{name} = {value}: {problem['msg']}"
