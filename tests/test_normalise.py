"""The normaliser: examples, the fast path's equivalence with ftfy-on-every-line, idempotence."""

import re

import ftfy
import polars as pl
import pytest
from ftfy.badness import BADNESS_RE
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from cleaners.ingest import discover, ingest_files
from cleaners.lines import split_lines
from cleaners.normalise import BADNESS_RUST, may_need_ftfy, normalise_texts, python_verbose_regex_to_rust
from cleaners.settings import IngestSettings, NormaliseSettings
from tests.conftest import CORPORA, SEED

SLOW = NormaliseSettings(fast_path=False)


def normalise(*texts, settings=None):
    return normalise_texts(pl.Series(list(texts), dtype=pl.String), settings).rows()


@pytest.mark.parametrize(
    ("raw", "expected", "fixes"),
    [
        ("Harbour budget â€” a 4% rise", "Harbour budget — a 4% rise", ["mojibake"]),
        ("CafÃ© owners", "Café owners", ["mojibake"]),
        ("the port&#8217;s revenue &amp; jobs", "the port’s revenue & jobs", ["html_entities"]),
        ("&amp;amp; twice escaped", "& twice escaped", ["html_entities"]),
        ("bell\x07 and escape \x1b[31mred\x1b[0m", "bell and escape red", ["terminal_escapes", "control_chars"]),
        ("don\x92t", "don’t", ["mojibake"]),
        ("e\u0301tude", "étude", ["nfc"]),
        ("zero\u200bwidth\u00adsoft", "zerowidthsoft", ["zero_width"]),
        ("\u00a0 a\t\tb\u2009c  ", "a b c", ["unicode_spaces", "space_runs", "trim"]),
        ("“Curly” quotes, ﬁ and ＦＵＬＬ stay", "“Curly” quotes, ﬁ and ＦＵＬＬ stay", []),
        ("plain ascii", "plain ascii", []),
    ],
)
def test_examples(raw, expected, fixes):
    assert normalise(raw) == [(expected, fixes)]


def test_optional_ftfy_fixes_when_configured():
    settings = NormaliseSettings(uncurl_quotes=True, fix_character_width=True, fix_latin_ligatures=True)
    [(text, fixes)] = normalise("“Curly” ﬁne ＦＵＬＬ", settings=settings)
    assert text == '"Curly" fine FULL'
    assert set(fixes) == {"uncurl_quotes", "latin_ligatures", "character_width"}


def test_badness_regex_translation_keeps_literal_spaces_and_drops_comments():
    assert python_verbose_regex_to_rust("[a b] # comment\n | c d") == "[a b]|cd"
    assert python_verbose_regex_to_rust("[x&&y--z~~w[]") == r"[x\&\&y\-\-z\~\~w\[]"
    assert python_verbose_regex_to_rust("[à-ñ-]") == r"[à-ñ\-]"


# Characters ftfy cares about: mojibake material, controls, entities, combining marks, spaces.
_INTERESTING = (
    "âÃÂ€™œ”“‘’–—…•©®°±²³µ·»¼½¾¿×÷ÀÉÈÊËÎÏÔÖÙÛÜàáâãäåæçèéêëìíîïðñòóôõöøùúûüýþÿ"
    "ŠšŽžŒœŸƒˆ˜‰‹›\x80\x81\x85\x8d\x90\x92\x93\x9d\x9f\xa0\xad"
    "ВГРСЂЃЉЊЋЌЎЏабвгдеёжзийклмнопрстуфхцчшщъыьэюяΒΓΞΟβ€√∂≈‚Äìîïò"
    "\u0301\u0308\u200b\u2060\ufeff\u2028\u00a0\u2009\u3000\t\x00\x07\x0b\x1b\x7f\x0c"
    "&#;amp lt gt 0123456789 aAzZ.,?!'\"<>[]"
)
_FRAGMENTS = ["â€”", "â€™", "Ã©", "Ã ", "Â ", "&amp;", "&lt;", "&#8217;", "amp;", "\x1b[0m", "Ã\x85", "вЂ", "‚Äô"]
_line_text = st.lists(
    st.one_of(
        st.sampled_from(_FRAGMENTS),
        st.text(alphabet=_INTERESTING, max_size=6),
        st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\n\r"), max_size=4),
    ),
    max_size=12,
).map("".join)


@hypothesis_settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_line_text, min_size=1, max_size=8))
def test_fast_path_equals_ftfy_on_every_line(texts):
    assert normalise(*texts) == normalise(*texts, settings=SLOW)


@hypothesis_settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_line_text, min_size=1, max_size=8))
def test_normalising_twice_changes_nothing(texts):
    once = [text for text, _ in normalise(*texts)]
    twice = normalise(*once)
    assert [text for text, _ in twice] == once
    assert all(fixes == [] for _, fixes in twice)


@hypothesis_settings(max_examples=400, deadline=None)
@given(_line_text)
def test_prefilter_never_misses_a_line_ftfy_would_change(text):
    config = ftfy.TextFixerConfig(unescape_html=True, fix_latin_ligatures=False, fix_character_width=False,
                                  uncurl_quotes=False, fix_line_breaks=False)
    flagged = pl.select(may_need_ftfy(pl.lit(text), NormaliseSettings())).item()
    if not flagged:
        assert ftfy.fix_text(text, config) == text


def _real_lines() -> pl.Series:
    sources = [SEED.name]
    seed = ingest_files(SEED.parent, sources, IngestSettings()).documents
    corpora_sources = [s for s in discover(CORPORA) if s.endswith((".csv", "-Webpage.json"))]
    corpora = ingest_files(CORPORA, corpora_sources, IngestSettings()).documents
    documents = pl.concat([seed, corpora])
    return split_lines(documents)["text_raw"]


def test_rust_badness_regex_agrees_with_ftfy_on_every_real_line():
    lines = _real_lines()
    ours = lines.str.contains(BADNESS_RUST).to_list()
    theirs = [bool(BADNESS_RE.search(line)) for line in lines.to_list()]
    assert len(lines) > 10_000
    assert ours == theirs


def test_fast_path_equals_ftfy_on_every_line_over_the_real_corpora():
    lines = _real_lines()
    # Real news has little mojibake; add the classic damage to a sample so the comparison bites.
    damaged = lines.head(3000).map_elements(lambda s: s.encode("utf-8").decode("cp1252", "replace"),
                                            return_dtype=pl.String)
    everything = pl.concat([lines, damaged])
    fast = normalise_texts(everything, NormaliseSettings())
    slow = normalise_texts(everything, SLOW)
    assert fast.equals(slow)
    assert fast["fixes"].list.contains("mojibake").sum() > 100


def test_seed_caption_and_spaces_survive_unchanged():
    text = SEED.read_text(encoding="utf-8")
    rows = normalise(*text.split("\n"))
    assert [t for t, _ in rows] == [re.sub(r"\s+", " ", line).strip() for line in text.split("\n")]
