"""The rebuilt flagger (cleaners/flags/): any predicate, plain negation, quantifiers, antonyms,
who-and-what matching, what is never flagged, determinism, and a prefilter that loses nothing."""

from __future__ import annotations

import gc

import polars as pl
import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from benchmarks import contradiction_sets as cs
from benchmarks.real_flags import real_articles
from cleaners.flags import flag_document, flag_documents, load_lexicon
from cleaners.flags.cues import family_key, key_roots
from cleaners.flags.prefilter import read_lines
from cleaners.flags.words import KEY_IRREGULAR, words_of

LEXICON = load_lexicon()


def contradicts(title: str, *paragraphs: str) -> list[int]:
    """Line numbers of contradiction flags."""
    flags = flag_document(title, list(enumerate(paragraphs, start=2)), LEXICON)
    return [flag["line_no"] for flag in flags if flag["kind"] == "contradiction"]


@pytest.mark.parametrize(
    ("title", "body"),
    [
        ("The museum returned the stolen statue", "The museum never returned the stolen statue."),  # any verb
        ("Prime Minister Visits Flood Zone", "The prime minister did not visit the flood zone."),  # Title Case
        ("Thousands attend the climate rally", "Nobody attended the climate rally."),  # negative quantifier
        ("Police made arrests after the derby", "Police made no arrests after the derby."),  # "no" + noun
        ("Several players tested positive", "None of the players tested positive."),
        ("Voters reject the stadium plan", "Voters approved the stadium plan."),  # antonym family
        ("Shares in Lumen rise after the results", "Shares in Lumen fell after the results."),
        ("The board accepted his resignation", "The board refused his resignation."),
        ("It has embraced the new rules", "It has not been able to embrace the new rules."),
        ("It has embraced the new rules", "It has wasted the chance to embrace the new rules."),
        ("It has embraced the new rules", "It did not fail to avoid embracing the new rules."),  # stacked
    ],
)
def test_contradictions_of_the_headline_are_flagged(title, body):
    assert contradicts(title, body) == [2]


@pytest.mark.parametrize(
    ("title", "body"),
    [
        ("The central bank cuts rates", "Did the central bank really not cut rates?"),  # question
        ("The mayor attends the parade", "If the mayor does not attend the parade, her deputy will speak."),
        ("The Senate passes the farm bill", "The Senate may not pass the farm bill."),  # modal
        ("The Senate passed the budget bill", "Opponents wish the Senate had not passed the budget bill."),
        ("The Senate passes the farm bill", "One blog claimed the Senate did not pass the farm bill."),
        ("The carmaker built the plant", "“The carmaker did not build the plant,” a rival claimed."),
        ("The mayor attends the parade", "The mayor did not attend last year's parade."),  # other object
        ("Exports rise in March", "Exports did not rise in April."),
        ("The Senate passes the farm bill", "The House did not pass the farm bill."),  # other subject
        ("The finance minister presents the budget", "The labour minister does not present the budget."),
        ("The company gained market share", "The company did not lose market share."),  # agrees
        ("It has embraced the new rules", "It has not failed to embrace the new rules."),  # agrees
        ("It has embraced the new rules", "It did not refuse to embrace the new rules."),  # open
        ("The embassy issues visas", "The embassy would not confirm or deny the report."),  # idiom
    ],
)
def test_what_does_not_contradict_the_headline_is_not_flagged(title, body):
    assert contradicts(title, body) == []


def test_who_is_matched_through_pronouns_acronyms_and_spokesmen():
    assert contradicts("Mayor Jane Ortiz attends the harvest parade", "Mayor Jane Ortiz opened the festival.",
                       "She did not attend the harvest parade.") == [3]
    assert contradicts("Mayor Jane Ortiz attends the harvest parade", "Governor Tom Reyes stayed in the capital.",
                       "He did not attend the harvest parade.") == []
    assert contradicts("Islamic State claims the attack", "The Islamic State (IS) has been active since 2014.",
                       "IS did not claim the attack.") == [3]
    assert contradicts("Islamic State claims the attack", "The Kurdistan Workers' Party (PKK) operates further north.",
                       "The PKK did not claim the attack.") == []
    assert contradicts("Acme Motors recalls the Falcon sedan",
                       "A spokesman for Acme Motors said the company is not recalling the Falcon sedan.") == [2]
    assert contradicts("Acme Motors recalls the Falcon sedan",
                       "A spokesman for Borealis Cars said Borealis is not recalling the Falcon sedan.") == []


def test_same_input_same_flags():
    lines = [(n, t) for n, t in enumerate(["The US is refusing to deny them entry.", "The US denied the visas."], 1)]
    assert flag_document("US denies visas", lines) == flag_document("US denies visas", list(lines))


def _frames(documents: list[tuple[str, str, list[tuple[int, str]]]]) -> tuple[pl.DataFrame, pl.DataFrame]:
    docs = pl.DataFrame({"doc_id": [d for d, _, _ in documents], "title": [t for _, t, _ in documents]})
    rows = [(doc_id, number, text) for doc_id, _, paragraphs in documents for number, text in paragraphs]
    lines = pl.DataFrame({"doc_id": [r[0] for r in rows], "line_no": [r[1] for r in rows],
                          "status": "kept", "text": [r[2] for r in rows]}, schema_overrides={"line_no": pl.Int32})
    return docs, lines


def _flags_both_ways(documents: list[tuple[str, str, list[tuple[int, str]]]]) -> tuple[list, list, int]:
    """(flags of the full analysis, flags through the prefilter, lines the prefilter kept)."""
    full = sorted((doc_id, *flag.values()) for doc_id, title, paragraphs in documents
                  for flag in flag_document(title, paragraphs, LEXICON))
    docs, lines = _frames(documents)
    through = sorted(flag_documents(docs, lines, LEXICON).drop("source", "run_id").rows())
    return full, through, read_lines(docs, lines, LEXICON).height


def test_prefilter_loses_no_flag_on_the_real_articles():
    documents = list(real_articles())
    assert len(documents) == 672
    full, through, kept = _flags_both_ways(documents)
    assert through == full
    assert kept < 0.4 * sum(len(paragraphs) for _, _, paragraphs in documents)  # and it does filter


@pytest.fixture(scope="module")
def dev_items() -> list[cs.Item]:
    items, _ = cs.build_all()
    dev = [item for item in items if item.half == "dev"]
    # every pair, every 6th edit of the real articles: each template, and ~2,000 documents
    return [item for index, item in enumerate(dev) if item.set == "pairs" or index % 6 == 0]


def test_prefilter_loses_no_flag_on_the_dev_half_of_the_eval_sets(dev_items):
    documents = [(item.id, item.title, list(item.paragraphs)) for item in dev_items]
    full, through, _ = _flags_both_ways(documents)
    assert through == full
    assert sum(row[6] == "contradiction" for row in full) > 300  # the sample holds many flags to lose


_WORDS = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=10)
_SUFFIXES = st.sampled_from(["", "s", "es", "e", "ed", "ing", "y", "ies", "ied", "ying"])


@given(stem=_WORDS, suffix=_SUFFIXES, doubled=st.booleans())
@hypothesis_settings(max_examples=500, deadline=None)
def test_every_word_contains_a_root_of_its_key(stem, suffix, doubled):
    """The prefilter skips a line's words when the line contains no root of a headline key:
    that is only safe if every word contains a root of its own key."""
    word = stem + (stem[-1] if doubled else "") + suffix
    assert any(root in word for root in key_roots(family_key(word, LEXICON), LEXICON))


def test_roots_hold_for_the_lexicon_the_irregular_forms_and_real_words():
    words = set(KEY_IRREGULAR) | set(LEXICON.poles) | set(LEXICON.infinitive)
    words |= {word for _, _, paragraphs in real_articles() for _, text in paragraphs for word in words_of(text)}
    words = {word for word in words if word.isalpha()}
    assert len(words) > 20_000
    missing = [word for word in words if not any(root in word for root in key_roots(family_key(word, LEXICON), LEXICON))]
    assert missing == []
    assert key_roots(family_key("mergers", LEXICON), LEXICON) == {"merger"}  # a plain stem is its own root
    assert {"di", "dy"} <= key_roots(family_key("dying", LEXICON), LEXICON)  # "dies", "died", "dying"
    assert {"win", "won", "lost"} <= key_roots(family_key("won", LEXICON), LEXICON)  # a family's irregular forms


def test_flag_reading_leaves_garbage_collection_as_it_found_it():
    docs, lines = _frames([("d1", "Acme denies merger talks", [(0, "Acme has failed to deny reports of merger talks.")])])
    for enabled in (True, False):
        (gc.enable if enabled else gc.disable)()
        try:
            assert flag_documents(docs, lines, LEXICON).height == 1
            assert gc.isenabled() is enabled
        finally:
            gc.enable()
