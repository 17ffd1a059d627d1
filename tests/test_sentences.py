"""The sentence splitter (cleaners/sentences.py): the sentence a flag shows, and its number."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from benchmarks.sentence_splitters import CASES
from cleaners.sentences import sentence_at, split_paragraph


def texts(paragraph: str) -> list[str]:
    return [sentence.text for sentence in split_paragraph(paragraph)]


@pytest.mark.parametrize(("paragraph", "expected"), CASES)
def test_the_news_hard_cases(paragraph: str, expected: list[str]) -> None:
    """Abbreviations, decimals, closing quotes, a quoted question and its speaker, ellipses."""
    assert texts(paragraph) == expected


@pytest.mark.parametrize(("paragraph", "expected"), [
    ("2. How to be happy? Be kind.", ["2. How to be happy?", "Be kind."]),  # a list number stays with its item
    ("... And then it ended.", ["... And then it ended."]),  # a lone ellipsis joins the sentence after it
    ("It ended ... badly.", ["It ended ... badly."]),
    ("No. He would not.", ["No.", "He would not."]),
    ("He was No. 5 in line. Next.", ["He was No. 5 in line.", "Next."]),
    ("In the U.S. The talks failed.", ["In the U.S.", "The talks failed."]),
    ("Sen. Smith and Gov. Brown met. They talked.", ["Sen. Smith and Gov. Brown met.", "They talked."]),
    ("He left.She stayed. See example.com now.", ["He left.", "She stayed.", "See example.com now."]),
    ("Parties agree; talks begin. Then more.", ["Parties agree; talks begin.", "Then more."]),
    ("  ", []),
])
def test_rules_from_the_blind_comparison(paragraph: str, expected: list[str]) -> None:
    assert texts(paragraph) == expected


@given(st.text(alphabet=st.sampled_from(list("ab AB.?!…\"”)(3;")), max_size=80))
def test_sentences_are_in_order_inside_the_paragraph_and_cover_its_words(paragraph: str) -> None:
    sentences = split_paragraph(paragraph)
    previous_end = 0
    for number, sentence in enumerate(sentences, start=1):
        assert sentence.number == number
        assert previous_end <= sentence.start < sentence.end <= len(paragraph)
        assert paragraph[sentence.start:sentence.end] == sentence.text == sentence.text.strip()
        previous_end = sentence.end
    covered = "".join(sentence.text for sentence in sentences)
    assert "".join(paragraph.split()) == "".join(covered.split())
    for sentence in sentences:
        assert sentence_at(paragraph, sentence.start) == sentence
