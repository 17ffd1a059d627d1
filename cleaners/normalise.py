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
- Unicode normalisation: the line differs from its NFC (or configured) form;
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
    needs = text.str.contains("|".join(f"(?:{p})" for p in patterns))
    if settings.normalization is not None:
        needs = needs | (text.str.normalize(settings.normalization) != text)
    return needs


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
        note(text.str.contains(_ZERO_WIDTH), "zero_width")
        text = text.str.replace_all(_ZERO_WIDTH, "")
    if settings.normalise_spaces:
        note(text.str.contains(_UNICODE_SPACES), "unicode_spaces")
        text = text.str.replace_all(_UNICODE_SPACES, " ")
        note(text.str.contains("  "), "space_runs")
        text = text.str.replace_all(" {2,}", " ")
        note(text.str.starts_with(" ") | text.str.ends_with(" "), "trim")
        text = text.str.strip_chars(" ")
    return text, fixes


def _ftfy_changes(texts: pl.Series, settings: NormaliseSettings) -> pl.DataFrame:
    """``old, new, fixes`` for each distinct text that ftfy changes."""
    old, new, fixes = [], [], []
    for text in texts.unique().to_list():
        fixed, names = fix_with_ftfy(text, settings)
        if fixed != text:
            old.append(text)
            new.append(fixed)
            fixes.append(names)
    return pl.DataFrame({"old": old, "new": new, "fixes": fixes},
                        schema={"old": pl.String, "new": pl.String, "fixes": FIXES_DTYPE})


def _normalise_once(texts: pl.DataFrame, settings: NormaliseSettings) -> pl.DataFrame:
    """One pass over a ``text`` column: ftfy where needed, then whitespace.

    Returns ``text`` (new) and ``fixes`` (what changed it in this pass).
    """
    text = pl.col("text")
    if settings.fast_path:
        candidates = texts.filter(may_need_ftfy(text, settings)).get_column("text")
    else:
        candidates = texts.get_column("text")
    changes = _ftfy_changes(candidates, settings)

    tidied, whitespace_fixes = _tidy_whitespace(pl.col("_fixed"), settings)
    all_fixes = pl.concat_list([pl.col("_ftfy_fixes"), *whitespace_fixes]).list.drop_nulls()
    return (
        texts.lazy()
        .join(changes.lazy(), left_on="text", right_on="old", how="left", maintain_order="left")
        .select(
            _fixed=pl.coalesce("new", "text"),
            _ftfy_fixes=pl.col("fixes").fill_null(pl.lit([], dtype=FIXES_DTYPE)),
        )
        .select(tidied.alias("text"), all_fixes.alias("fixes"))
        .collect()
    )


def normalise_texts(texts: pl.Series, settings: NormaliseSettings | None = None) -> pl.DataFrame:
    """Normalise a string Series; return ``text`` and ``fixes`` in the same order.

    A line that changed is normalised again, until it stops changing or ``max_passes`` is
    reached, so that normalising the output again changes nothing. Only the lines that changed
    in a pass go into the next one.
    """
    settings = settings or NormaliseSettings()
    original = texts.cast(pl.String).fill_null("").rename("text")
    result = _normalise_once(original.to_frame(), settings).with_row_index("_i")
    pending = result.filter(pl.col("text") != original)
    for _ in range(settings.max_passes - 1):
        if pending.is_empty():
            break
        again = _normalise_once(pending.select("text"), settings)
        moved = again.get_column("text") != pending.get_column("text")
        if not moved.any():
            break
        pending = (
            pending.with_columns(
                text=again.get_column("text"),
                fixes=pl.concat_list(pl.col("fixes"), again.get_column("fixes")).list.unique(maintain_order=True),
            )
            .filter(moved)
        )
        result = result.update(pending, on="_i")
    return result.drop("_i")


def normalise_lines(lines: pl.DataFrame, settings: NormaliseSettings | None = None,
                    raw: str = "text_raw") -> pl.DataFrame:
    """Add ``text`` (normalised) and ``fixes`` to a lines frame, from its ``raw`` column."""
    normalised = normalise_texts(lines.get_column(raw), settings)
    return lines.with_columns(text=normalised.get_column("text"), fixes=normalised.get_column("fixes"))
