"""Contradiction flagging: splitter, polarity composition, family lookup, pairing, explanations."""

import polars as pl
import pytest

from cleaners.contradictions import (
    claims_in,
    composed_pattern,
    cue_pattern,
    flag_document,
    flag_documents,
    load_lexicon,
    quantities_in,
)
from cleaners.sentences import split_paragraph, whole_paragraph
from tests.conftest import SEED

LEXICON = load_lexicon()


def only_claim(text):
    claims = claims_in(whole_paragraph(text), 1, LEXICON)
    assert len(claims) == 1, claims
    return claims[0]


def test_splitter_keeps_abbreviations_and_decimals_and_gives_offsets():
    text = "The U.S. State Department said 3.5 percent. Officials declined to comment. “Never,” she said."
    sentences = split_paragraph(text)
    assert [s.text for s in sentences] == ["The U.S. State Department said 3.5 percent.",
                                           "Officials declined to comment.", "“Never,” she said."]
    assert all(text[s.start:s.end] == s.text for s in sentences)
    assert [s.number for s in sentences] == [1, 2, 3]


@pytest.mark.parametrize(
    ("sentence", "family", "net", "operators"),
    [
        ("The US denied the visas.", "access", -1, 0),
        ("The US granted the visas.", "access", 1, 0),
        ("The US refused to deny them entry.", "access", 1, 1),          # − × − = +
        ("The US declined to grant the visas.", "access", -1, 1),        # − × + = −
        ("The US did not refuse to grant visas.", "access", 1, 2),       # − × − × + = +
        ("The US managed to grant the visas.", "access", 1, 1),          # + × + = +
        ("The US failed to reject the plan.", "acceptance", 1, 1),       # reject is first an access word? no: see below
        ("Smith won the race.", "outcome", 1, 0),
        ("Smith failed to lose the race.", "outcome", 1, 1),
        ("The minister never denied the report.", "assertion", 1, 1),   # the object picks the family
        ("The court found him guilty.", "guilt", 1, 0),
        ("Prices did not increase last year.", "change", -1, 1),
    ],
)
def test_net_polarity_composition(sentence, family, net, operators):
    claim = only_claim(sentence)
    if family != "acceptance":  # "reject" belongs to access and acceptance; without an object cue access wins
        assert claim.family == family
    assert claim.net == net
    assert len(claim.operators) == operators


def test_family_lookup_by_object():
    assert only_claim("Washington denied the allegation.").family == "assertion"
    assert only_claim("Washington denied entry to the group.").family == "access"


def test_subjects_through_aliases_and_fallback():
    assert only_claim("The United States is reportedly refusing to deny them entry.").subject == "US"
    assert only_claim("U.S. officials denied the visas.").subject == "US"
    assert only_claim("The American Civil Liberties Union said judges allow it.").subject == "judge"
    assert only_claim("The Kremlin denied the report.").subject == "Russia"
    assert only_claim("The council approved the budget.").subject == "council"
    assert only_claim("Judge Anna Costa granted bail.").subject == "judge anna costa"


def test_idioms_make_no_claim():
    assert claims_in(whole_paragraph("The State Department will not confirm or deny the report."), 1, LEXICON) == []
    assert claims_in(whole_paragraph("Officials would neither confirm nor deny it."), 1, LEXICON) == []


def test_fast_tokens_keep_abbreviations_and_split_contractions():
    tokens = [token.text for token in whole_paragraph("U.S. officials didn't deny it. Then, a.m. news.").tokens]
    assert tokens == ["U.S.", "officials", "did", "n't", "deny", "it", ".", "Then", ",", "a.m.", "news", "."]


def test_operators_do_not_cross_sentence_ends():
    claims = claims_in(whole_paragraph("They did not. Deny everything."), 1, LEXICON)
    assert [(claim.predicate, claim.operators) for claim in claims] == [("Deny", [])]


def flags_for(title, *paragraphs):
    return flag_document(title, list(enumerate(paragraphs, start=1)), LEXICON)


def test_seed_flags_exactly_the_spun_sentence_with_an_explanation():
    lines = SEED.read_text(encoding="utf-8").split("\n")
    flags = flag_document(lines[0], [(number, text) for number, text in enumerate(lines[1:], start=1) if text])
    assert [flag["kind"] for flag in flags] == ["contradiction"]
    flag = flags[0]
    assert "refusing to deny them entry" in flag["sentence"]
    assert flag["explanation"].startswith("refusing (−) to deny (−) ⇒ US allows them entry; the headline says US denies")
    assert "says US denies" in flag["explanation"].split(";")[2]
    assert flag["conflicts_with_line_no"] == 0 and flag["conflicts_with_text"] == lines[0]
    assert flag["lexicon_version"] == LEXICON.version
    assert flag["sentence"] == lines[flag["line_no"]][flag["char_start"]:flag["char_end"]]


def test_never_flagged_plain_negation_idiom_and_other_subjects():
    assert flags_for("Ministry news", "The ministry did not deny the report on Friday.") == []
    assert flags_for("US denies visas", "The State Department will not confirm or deny the report.") == []
    # another subject: no contradiction (the stacked negatives alone are a low-severity note)
    assert [f["kind"] for f in flags_for("US denies visas", "Russia is refusing to deny them entry.")] == [
        "double_negation"]
    # two plain claims disagreeing is reporting, not a spinner's inversion
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


def test_contradiction_between_two_body_sentences():
    flags = flags_for("Harbour news", "The council approved the new harbour budget.",
                      "Later the council refused to approve the harbour budget.")
    assert [f["kind"] for f in flags] == ["contradiction"]
    assert flags[0]["line_no"] == 2 and flags[0]["conflicts_with_line_no"] == 1


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


def test_quantities_read_number_words_and_skip_years():
    [sentence] = split_paragraph("At least three men have died since 2017.")
    [quantity] = quantities_in(sentence, 1)
    assert (quantity.value, quantity.qualifier, quantity.noun, quantity.verb) == (3, "at_least", "man", "die")
    [sentence] = split_paragraph("The state gained six electoral votes.")
    assert quantities_in(sentence, 1) == []  # "votes" is a noun here, and votes are not counted events


def test_cue_prefilter_finds_every_claim_word_and_skips_plain_lines():
    pattern = cue_pattern(LEXICON)
    series = pl.Series(["They WON the vote.", "Officials declined.", "Nothing here at all.", "a banned book"])
    assert series.str.to_lowercase().str.contains(pattern).to_list() == [True, True, False, True]
    composed = composed_pattern(LEXICON)
    series = pl.Series(["the us is reportedly refusing to deny them entry", "they didn’t deny it", "they denied it"])
    assert series.str.contains(composed).to_list() == [True, True, False]


def test_flag_documents_reads_kept_lines_only():
    documents = pl.DataFrame({"doc_id": ["d"], "title": ["US denies visas"]})
    lines = pl.DataFrame({"doc_id": ["d", "d"], "line_no": [1, 2], "status": ["kept", "duplicate"],
                          "text": ["The US is refusing to deny them entry.", "The US is refusing to deny them entry."]})
    flags = flag_documents(documents, lines, LEXICON)
    assert flags.select("doc_id", "line_no", "kind").rows() == [("d", 1, "contradiction")]
