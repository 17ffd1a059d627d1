"""Contradiction flagging (cleaners/flags/): splitter, composition, matching, pairing, explanations.

Adapted to the rebuilt flagger: a plain negation against the headline now conflicts ("X does
not V O" against "X Vs O"), and the headline is the reference claim, so two body sentences that
disagree with each other are not flagged (reporting, not a spinner's inversion).
"""

import polars as pl
import pytest

from cleaners.flags import flag_document, flag_documents, load_lexicon, quantities_in
from cleaners.flags.claims import analyse
from cleaners.flags.cues import cue_pattern, double_negation_pattern
from cleaners.flags.document import pseudo_sentences
from cleaners.flags.words import lemma
from cleaners.sentences import split_paragraph
from tests.conftest import SEED

LEXICON = load_lexicon()


def claim_of(text, predicate):
    """The claim whose predicate has lemma ``predicate`` (there must be exactly one)."""
    found = [analyse(sentence, 1, index, LEXICON) for sentence in pseudo_sentences(text)
             for index, token in enumerate(sentence.tokens) if lemma(token.text) == predicate]
    found = [claim for claim in found if claim is not None]
    assert len(found) == 1, found
    return found[0]


def test_splitter_keeps_abbreviations_and_decimals_and_gives_offsets():
    text = "The U.S. State Department said 3.5 percent. Officials declined to comment. “Never,” she said."
    sentences = split_paragraph(text)
    assert [s.text for s in sentences] == ["The U.S. State Department said 3.5 percent.",
                                           "Officials declined to comment.", "“Never,” she said."]
    assert all(text[s.start:s.end] == s.text for s in sentences)
    assert [s.number for s in sentences] == [1, 2, 3]


@pytest.mark.parametrize(
    ("sentence", "predicate", "net", "operators"),
    [
        ("The US denied the visas.", "deny", 1, 0),
        ("The US refused to deny them entry.", "deny", -1, 1),           # refuse: − in +
        ("The US did not refuse to grant visas.", "grant", 0, 2),        # refuse in −: nothing follows
        ("The US did not fail to grant visas.", "grant", 1, 2),          # fail in −: +
        ("The US managed to grant the visas.", "grant", 1, 1),
        ("Smith never managed to win the race.", "win", -1, 2),
        ("It has not been able to avoid embracing the plan.", "embrace", 0, 3),  # avoid in −: open
        ("It did not fail to avoid embracing the plan.", "embrace", -1, 3),
        ("It managed to avoid embracing the plan.", "embrace", -1, 2),
        ("It did not take the opportunity to embrace the plan.", "embrace", -1, 2),
        ("It refused to take the opportunity to embrace the plan.", "embrace", -1, 2),
        ("It did not waste the chance to embrace the plan.", "embrace", 1, 2),
        ("It lacked the ability to embrace the plan.", "embrace", -1, 1),
        ("It failed to remember to embrace the plan.", "embrace", -1, 2),
        ("Nobody attended the rally.", "attend", -1, 1),
        ("Police made no arrests after the derby.", "make", -1, 1),
        ("He left without paying the fine.", "pay", -1, 1),
    ],
)
def test_net_polarity_composes_operator_signatures(sentence, predicate, net, operators):
    claim = claim_of(sentence, predicate)
    assert claim.net == net
    assert len(claim.operators) == operators


@pytest.mark.parametrize(
    ("sentence", "predicate", "why"),
    [
        ("Did the bank not cut rates?", "cut", "question"),
        ("If the mayor does not attend the parade, her deputy will speak.", "attend", "conditional"),
        ("The president may refuse to sign the deal.", "sign", "modal"),
        ("The House may not pass the farm bill.", "pass", "modal"),
        ("The bank plans to cut rates.", "cut", "modal"),
        ("They talked about not allowing it.", "allow", "gerund"),
        ("The State Department will not confirm or deny the report.", "deny", "idiom"),
        ("Officials declined to comment.", "comment", "idiom"),
    ],
)
def test_claims_that_are_not_asserted_say_why(sentence, predicate, why):
    assert claim_of(sentence, predicate).why_not == why


def test_subjects_through_aliases_spokesmen_and_reports():
    assert claim_of("The United States is reportedly refusing to deny them entry.", "deny").subject.words == ("@us",)
    assert claim_of("U.S. officials denied the visas.", "deny").subject.words == ("@us",)
    spokesman = claim_of("A palace spokesman denied the engagement.", "deny").subject
    assert spokesman.canonical().head == "palace"
    reported = claim_of("Critics say that this week the FOMC failed to raise rates.", "raise")
    assert reported.speaker is not None and reported.speaker.head == "critic"
    assert claim_of("The council approved the budget.", "approve").speaker is None


def flags_for(title, *paragraphs):
    return flag_document(title, list(enumerate(paragraphs, start=1)), LEXICON)


def kinds(flags):
    return [flag["kind"] for flag in flags]


def test_seed_flags_exactly_the_spun_sentence_with_an_explanation():
    lines = SEED.read_text(encoding="utf-8").split("\n")
    flags = flag_document(lines[0], [(number, text) for number, text in enumerate(lines[1:], start=1) if text])
    assert kinds(flags) == ["contradiction"]
    flag = flags[0]
    assert "refusing to deny them entry" in flag["sentence"]
    assert flag["explanation"].startswith("refusing (−) to deny (−) ⇒ US allows them entry; the headline says US denies")
    assert "says US denies" in flag["explanation"].split(";")[2]
    assert flag["conflicts_with_line_no"] == 0 and flag["conflicts_with_text"] == lines[0]
    assert flag["lexicon_version"] == LEXICON.version
    assert flag["sentence"] == lines[flag["line_no"]][flag["char_start"]:flag["char_end"]]


def test_never_flagged_plain_negation_alone_idiom_and_other_subjects():
    assert flags_for("Ministry news", "The ministry did not deny the report on Friday.") == []
    assert flags_for("US denies visas", "The State Department will not confirm or deny the report.") == []
    # another subject: no contradiction (the stacked negatives alone are a low-severity note)
    assert kinds(flags_for("US denies visas", "Russia is refusing to deny them entry.")) == ["double_negation"]
    # two body claims disagreeing is reporting: the headline is the reference
    assert flags_for("Budget news", "The council approved the budget.", "The council rejected the budget.") == []


def test_double_negation_without_conflict_is_low_severity():
    flags = flags_for("Election night", "Smith failed to lose the seat she has held since 2010.")
    assert [(f["kind"], f["severity"]) for f in flags] == [("double_negation", "low")]
    assert "cancel out" in flags[0]["explanation"]


def test_a_negated_claim_against_the_headline_is_explained_without_overstating():
    [flag] = flags_for("Ministry denies report", "The ministry did not deny the report on Friday.")
    assert flag["kind"] == "contradiction"
    assert flag["explanation"] == ("not (−) deny (−) ⇒ ministry does not deny the report; "
                                   "the headline says ministry denies report")


def test_a_body_sentence_that_refuses_what_the_headline_says_is_flagged_against_the_headline():
    flags = flags_for("Council approves the harbour budget", "The council met on Monday.",
                      "Later the council refused to approve the harbour budget.")
    assert kinds(flags) == ["contradiction"]
    assert flags[0]["line_no"] == 2 and flags[0]["conflicts_with_line_no"] == 0


@pytest.mark.parametrize(
    ("first", "second", "conflict"),
    [
        ("Police in Russia said 12 people were injured.", "Moscow later said 30 people were injured.", True),
        ("In Russia at least 12 people were injured.", "Moscow said 30 people were injured.", False),
        ("Russia says about 40 refugees were hiding.", "The 42 refugees were hiding in Russia.", False),
        ("Russia says more than 100 men were detained.", "Activists said 90 men were detained in Russia.", True),
        ("In Russia two men have secured visas.", "In Russia at least three men have died.", False),  # verbs differ
        ("Police said 12 people were injured.", "Officials later said 30 people were injured.", False),  # no subject
        ("In 2016 Russia's fund grew.", "By 2017 Russia's fund grew.", False),  # years are not quantities
    ],
)
def test_numeric_conflicts_mind_qualifiers(first, second, conflict):
    flags = [f for f in flags_for("Report", first, second) if f["kind"] == "numeric_conflict"]
    assert bool(flags) is conflict
    if conflict:
        assert flags[0]["severity"] == "medium" and flags[0]["conflicts_with_line_no"] == 1
        assert flags[0]["sentence"] == second


def test_quantities_read_number_words_and_skip_years():
    [sentence] = split_paragraph("At least three men have died since 2017.")
    [quantity] = quantities_in(sentence, 1, LEXICON)
    assert (quantity.value, quantity.qualifier, quantity.noun, quantity.verb) == (3, "at_least", "man", "die")
    [sentence] = split_paragraph("The state gained six electoral votes.")
    assert quantities_in(sentence, 1, LEXICON) == []  # "votes" is a noun here, and votes are not counted events


def test_cue_patterns_find_operators_and_antonyms_and_skip_plain_lines():
    pattern = cue_pattern(LEXICON)
    series = pl.Series(["They WON the vote.", "Officials declined.", "Nothing here at all.", "a banned book",
                        "The weather is mild today."])
    assert series.str.to_lowercase().str.contains(pattern).to_list() == [True, True, True, True, False]
    double = double_negation_pattern(LEXICON)
    series = pl.Series(["the us is reportedly refusing to deny them entry", "they failed to reject it", "they denied it"])
    assert series.str.contains(double).to_list() == [True, True, False]


def test_flag_documents_reads_kept_lines_only():
    documents = pl.DataFrame({"doc_id": ["d"], "title": ["US denies visas"]})
    lines = pl.DataFrame({"doc_id": ["d", "d"], "line_no": [1, 2], "status": ["kept", "duplicate"],
                          "text": ["The US is refusing to deny them visas.", "The US is refusing to deny them visas."]})
    flags = flag_documents(documents, lines, LEXICON)
    assert flags.select("doc_id", "line_no", "kind").rows() == [("d", 1, "contradiction")]


def test_the_harbour_sample_flags_its_spun_sentence_in_the_documented_format():
    from pathlib import Path

    lines = (Path(__file__).resolve().parents[1] / "data" / "raw" / "harbour-visas.txt").read_text(encoding="utf-8").split("\n")
    flags = flag_document(lines[0], [(number, text) for number, text in enumerate(lines[1:], start=1) if text])
    assert kinds(flags) == ["contradiction"]  # "according to a statement" sources the claim, it does not report it
    assert flags[0]["explanation"].startswith(
        "refusing (−) to deny (−) ⇒ ministry allows them the permits; the headline says ministry denies work permits; ")
