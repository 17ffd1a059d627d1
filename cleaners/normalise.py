"""Repair each line with ftfy, fast, then tidy its whitespace; record what changed it.

ftfy is the best tool there is for mojibake (``â€”`` → ``—``), stray HTML entities and
control characters, but it is Python and runs at a few MB/s. Most lines of news need nothing:
they are ASCII, or hold curly quotes and dashes that ftfy leaves alone. So the normaliser asks,
vectorised in polars (Rust), *could ftfy change this line?*, and sends only those lines through
ftfy, each distinct line once.

The question is answered with ftfy's own gates, so the answer is never "no" when ftfy would act:

- mojibake: ftfy repairs encodings only when its ``badness`` regex matches; we run the same
  regex (translated to Rust syntax at import time from ``ftfy.badness.BADNESS_RE``);
- HTML entities: ftfy's own entity pattern;
- control characters and terminal escapes: the exact code points ftfy removes;
- Unicode normalisation: the line holds a character that NFC (or the configured form) could
  change, from Python's ``unicodedata``, the tables ftfy itself uses;
- options that are off by default (uncurl quotes, full-width forms, ligatures): any non-ASCII
  character, when turned on.

A property test (hypothesis) and a test over the real corpora check that this fast path gives
exactly what ftfy-on-every-line gives.

Whitespace, after ftfy: zero-width spaces, word joiners, byte-order marks and soft hyphens are
deleted; tabs, non-breaking and other Unicode spaces become a space; runs of spaces collapse;
both ends are stripped.

Normalising twice changes nothing: a line that changed is normalised again until it stops
changing (``max_passes``), because one repair can reveal another (``&amp;amp;`` → ``&amp;`` →
``&``).

Each line's ``fixes`` lists what changed it, in the order applied, from: ``mojibake``,
``html_entities``, ``terminal_escapes``, ``c1_controls``, ``control_chars``, ``nfc`` (or the
configured form), ``uncurl_quotes``, ``character_width``, ``latin_ligatures``, ``zero_width``,
``unicode_spaces``, ``space_runs``, ``trim``.
"""

from __future__ import annotations

import functools
import unicodedata

import ftfy
import polars as pl
from ftfy.badness import BADNESS_RE

from cleaners.settings import NormaliseSettings

FIXES_DTYPE = pl.List(pl.String)

_HTML_ENTITY = r"&#?[0-9A-Za-z]{1,24};"  # ftfy.chardata.HTML_ENTITY_RE
_TERMINAL_ESCAPE = r"\x1b"
# ftfy.chardata.CONTROL_CHARS: the code points ftfy.fixes.remove_control_chars deletes.
_FTFY_CONTROL_CHARS = r"[\x00-\x08\x0b\x0e-\x1f\x7f\x{206A}-\x{206F}\x{FEFF}\x{FFF9}-\x{FFFC}]"
_ZERO_WIDTH = r"[\x{200B}\x{2060}\x{FEFF}\x{AD}]"
#: A line of nothing but joiners (ZWNJ, ZWJ: kept inside words, where Persian or emoji need
#: them) and spaces has no text: it becomes empty.
_ONLY_JOINERS = r"^[\x{200C}\x{200D}\s]*[\x{200C}\x{200D}][\x{200C}\x{200D}\s]*$"
_UNICODE_SPACES = r"[\t\x0c\x{A0}\x{1680}\x{2000}-\x{200A}\x{202F}\x{205F}\x{3000}]"

_FTFY_STEP_NAMES = {
    "unescape_html": "html_entities",
    "remove_terminal_escapes": "terminal_escapes",
    "fix_c1_controls": "c1_controls",
    "remove_control_chars": "control_chars",
    "uncurl_quotes": "uncurl_quotes",
    "fix_character_width": "character_width",
    "fix_latin_ligatures": "latin_ligatures",
    "fix_surrogates": "surrogates",
    "fix_line_breaks": "line_breaks",
}


def python_verbose_regex_to_rust(pattern: str) -> str:
    """Translate a Python ``re.VERBOSE`` pattern made of literals and classes to Rust syntax.

    Python's verbose mode drops whitespace and ``#`` comments outside character classes but
    keeps them inside; Rust's ``(?x)`` drops them inside too, and Rust reads ``[``, ``&&``,
    ``--`` and ``~~`` inside a class as nesting or set operations. So we strip comments and
    whitespace ourselves and escape those characters when they are literals inside a class.
    """
    out: list[str] = []
    i, n, in_class = 0, len(pattern), False
    while i < n:
        char = pattern[i]
        if char == "\\":
            out.append(pattern[i : i + 2])
            i += 2
            continue
        if in_class:
            if char == "]":
                in_class = False
                out.append(char)
            elif char == "-" and out[-1] not in ("[", "-", "\\-") and i + 1 < n and pattern[i + 1] not in "]-":
                out.append(char)  # a range such as à-ñ
            elif char in "[&~-":
                out.append("\\" + char)
            else:
                out.append(char)
            i += 1
            continue
        if char == "#":
            while i < n and pattern[i] != "\n":
                i += 1
            continue
        if char.isspace():
            i += 1
            continue
        out.append(char)
        if char == "[":
            in_class = True
            if i + 1 < n and pattern[i + 1] == "^":
                out.append("^")
                i += 1
        i += 1
    return "".join(out)


#: ftfy's mojibake detector, as a Rust regex for polars.
BADNESS_RUST = python_verbose_regex_to_rust(BADNESS_RE.pattern)


@functools.cache
def unstable_under(form: str) -> str:
    """A Rust regex class of the characters that can make a line change under ``form``.

    That is: characters not normalised on their own, combining characters, and characters that
    can be the second half of a canonical composition (Unicode's NF*_Quick_Check "No" and
    "Maybe"). Built from Python's own ``unicodedata``, the tables ftfy normalises with, so the
    prefilter and ftfy agree on the Unicode version.
    """
    code_points = set()
    for code_point in range(0x30000):
        char = chr(code_point)
        if unicodedata.combining(char) or not unicodedata.is_normalized(form, char):  # type: ignore[arg-type]
            code_points.add(code_point)
        decomposition = unicodedata.decomposition(char)
        if decomposition and not decomposition.startswith("<") and len(decomposition.split()) == 2:
            code_points.add(int(decomposition.split()[1], 16))
    ranges: list[str] = []
    ordered = sorted(code_points)
    start = previous = ordered[0]
    for code_point in [*ordered[1:], -1]:  # -1: the end
        if code_point == previous + 1:
            previous = code_point
            continue
        ranges.append(f"\\x{{{start:X}}}" if start == previous else f"\\x{{{start:X}}}-\\x{{{previous:X}}}")
        start = previous = code_point
    return "[" + "".join(ranges) + "]"


def ftfy_config(settings: NormaliseSettings) -> ftfy.TextFixerConfig:
    """The ftfy configuration these settings mean. Line breaks are handled by the splitter."""
    return ftfy.TextFixerConfig(
        unescape_html=settings.unescape_html,
        remove_terminal_escapes=settings.remove_terminal_escapes,
        fix_encoding=settings.fix_encoding,
        fix_c1_controls=settings.fix_c1_controls,
        remove_control_chars=settings.remove_control_chars,
        normalization=settings.normalization,
        uncurl_quotes=settings.uncurl_quotes,
        fix_character_width=settings.fix_character_width,
        fix_latin_ligatures=settings.fix_latin_ligatures,
        fix_line_breaks=False,
        explain=True,
    )


def may_need_ftfy(text: pl.Expr, settings: NormaliseSettings) -> pl.Expr:
    """True where ftfy, configured by ``settings``, could change the line (a superset)."""
    if settings.uncurl_quotes or settings.fix_character_width or settings.fix_latin_ligatures:
        return text.str.contains(r"[^\x00-\x7f]|&|\x1b")
    patterns = [r"[\x80-\x9f]"]
    if settings.fix_encoding:
        patterns.append(BADNESS_RUST)
    if settings.unescape_html:
        patterns.append(_HTML_ENTITY)
    if settings.remove_terminal_escapes:
        patterns.append(_TERMINAL_ESCAPE)
    if settings.remove_control_chars:
        patterns.append(_FTFY_CONTROL_CHARS)
    if settings.normalization is not None:
        patterns.append(unstable_under(settings.normalization))
    return text.str.contains("|".join(f"(?:{p})" for p in patterns))


def _fix_names(steps: list[ftfy.ExplanationStep] | None, settings: NormaliseSettings) -> list[str]:
    names: list[str] = []
    for action, parameter in steps or []:
        if action in ("encode", "decode", "transcode") or parameter == "decode_inconsistent_utf8":
            name = "mojibake"
        elif action == "normalize":
            name = parameter.lower()
        else:
            name = _FTFY_STEP_NAMES.get(parameter, parameter)
        if name not in names:
            names.append(name)
    return names


def fix_with_ftfy(text: str, settings: NormaliseSettings) -> tuple[str, list[str]]:
    """ftfy one line; return the fixed line and the names of the fixes that changed it."""
    fixed, steps = ftfy.fix_and_explain(text, config=_cached_config(settings))
    return fixed, _fix_names(steps, settings)


@functools.lru_cache(maxsize=8)
def _cached_config_json(settings_json: str) -> ftfy.TextFixerConfig:
    return ftfy_config(NormaliseSettings.model_validate_json(settings_json))


def _cached_config(settings: NormaliseSettings) -> ftfy.TextFixerConfig:
    return _cached_config_json(settings.model_dump_json())


def _tidy_whitespace(text: pl.Expr, settings: NormaliseSettings) -> tuple[pl.Expr, list[pl.Expr]]:
    """Vectorised whitespace rules; returns the new text and one nullable fix name per rule."""
    fixes: list[pl.Expr] = []

    def note(condition: pl.Expr, name: str) -> None:
        fixes.append(pl.when(condition).then(pl.lit(name)))

    if settings.remove_zero_width:
        note(text.str.contains(_ZERO_WIDTH) | text.str.contains(_ONLY_JOINERS), "zero_width")
        text = text.str.replace_all(_ZERO_WIDTH, "")
        text = pl.when(text.str.contains(_ONLY_JOINERS)).then(pl.lit("")).otherwise(text)
    if settings.normalise_spaces:
        note(text.str.contains(_UNICODE_SPACES), "unicode_spaces")
        text = text.str.replace_all(_UNICODE_SPACES, " ")
        note(text.str.contains("  "), "space_runs")
        text = text.str.replace_all(" {2,}", " ")
        note(text.str.starts_with(" ") | text.str.ends_with(" "), "trim")
        text = text.str.strip_chars(" ")
    return text, fixes


def _apply_ftfy(texts: pl.Series, candidates: pl.Series, settings: NormaliseSettings) -> tuple[pl.Series, pl.Series]:
    """ftfy the rows at ``candidates`` (each distinct text once).

    Returns the new texts and, per row, the comma-joined names of the fixes ftfy made (null
    where it changed nothing).
    """
    fixes = pl.Series("fixes", [None] * len(texts), dtype=pl.String)
    if candidates.is_empty():
        return texts, fixes
    old, new, names = [], [], []
    for text in texts.gather(candidates).unique().to_list():
        fixed, fix_names = fix_with_ftfy(text, settings)
        if fixed != text:
            old.append(text)
            new.append(fixed)
            names.append(",".join(fix_names))
    if not old:
        return texts, fixes
    subset = texts.gather(candidates)
    changed = subset.is_in(old)
    rows = candidates.filter(changed)
    subset = subset.filter(changed)
    texts = texts.clone().scatter(rows, subset.replace_strict(old, new, return_dtype=pl.String))
    fixes.scatter(rows, subset.replace_strict(old, names, return_dtype=pl.String))
    return texts, fixes


def _whitespace_candidates(settings: NormaliseSettings) -> str | None:
    """One regex for "some whitespace rule could change this line" (a cheap prefilter)."""
    patterns = []
    if settings.remove_zero_width:
        patterns += [_ZERO_WIDTH, _ONLY_JOINERS]
    if settings.normalise_spaces:
        patterns += [_UNICODE_SPACES, "  ", "^ ", " $"]
    return "|".join(patterns) or None


def _normalise_once(texts: pl.Series, settings: NormaliseSettings) -> tuple[pl.Series, pl.Series]:
    """One pass: ftfy where needed, then whitespace. Returns new texts and comma-joined fixes."""
    if settings.fast_path:
        candidates = texts.to_frame("text").select(may_need_ftfy(pl.col("text"), settings)).to_series().arg_true()
    else:
        candidates = pl.int_range(len(texts), dtype=pl.UInt32, eager=True)
    texts, fixes = _apply_ftfy(texts.rename("text"), candidates, settings)

    pattern = _whitespace_candidates(settings)
    if pattern is None:
        return texts, fixes.fill_null("")
    rows = texts.str.contains(pattern).arg_true()
    if not rows.is_empty():
        tidied, whitespace_fixes = _tidy_whitespace(pl.col("text"), settings)
        changed = pl.DataFrame({"text": texts.gather(rows), "ftfy": fixes.gather(rows)}).select(
            tidied.alias("text"),
            pl.concat_str([pl.col("ftfy"), *whitespace_fixes], separator=",", ignore_nulls=True).alias("fixes"),
        )
        texts = texts.scatter(rows, changed.get_column("text"))
        fixes = fixes.scatter(rows, changed.get_column("fixes"))
    return texts, fixes.fill_null("")


def normalise_texts(texts: pl.Series, settings: NormaliseSettings | None = None) -> pl.DataFrame:
    """Normalise a string Series; return ``text`` and ``fixes`` (a list) in the same order.

    A line that changed is normalised again, until it stops changing or ``max_passes`` is
    reached, so that normalising the output again changes nothing. Only the lines that changed
    in a pass go into the next one.
    """
    settings = settings or NormaliseSettings()
    original = texts.cast(pl.String).fill_null("")
    text, fixes = _normalise_once(original, settings)
    pending = (text != original).arg_true()
    for _ in range(settings.max_passes - 1):
        if pending.is_empty():
            break
        before = text.gather(pending)
        again, again_fixes = _normalise_once(before, settings)
        moved = again != before
        pending = pending.filter(moved)
        if pending.is_empty():
            break
        merged = pl.DataFrame({"a": fixes.gather(pending), "b": again_fixes.filter(moved)}).select(
            pl.concat_str("a", "b", separator=",").str.strip_chars(",")).to_series()
        text = text.scatter(pending, again.filter(moved))
        fixes = fixes.scatter(pending, merged)
    fix_list = (
        pl.when(pl.col("fixes") == "").then(pl.lit([], dtype=FIXES_DTYPE))
        .otherwise(pl.col("fixes").str.split(",").list.unique(maintain_order=True))
    )
    return pl.DataFrame({"text": text, "fixes": fixes}).select("text", fix_list.alias("fixes"))


def normalise_lines(lines: pl.DataFrame, settings: NormaliseSettings | None = None,
                    raw: str = "text_raw") -> pl.DataFrame:
    """Add ``text`` (normalised) and ``fixes`` to a lines frame, from its ``raw`` column.

    Each distinct raw line is normalised once (normalisation is a function of the line alone):
    in syndicated news a batch's lines are mostly copies, 7% of them distinct in the benchmark's
    heavy-syndication corpus.
    """
    distinct = lines.select(pl.col(raw).cast(pl.String).fill_null("").unique().alias("_raw"))
    normalised = normalise_texts(distinct.get_column("_raw"), settings)
    table = distinct.with_columns(text=normalised.get_column("text"), fixes=normalised.get_column("fixes"))
    return (lines.with_columns(_raw=pl.col(raw).cast(pl.String).fill_null(""))
            .join(table, on="_raw", how="left", maintain_order="left").drop("_raw"))
