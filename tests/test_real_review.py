"""The hand-read review of the real articles (benchmarks/real_review.py): every flag the flagger
raises on them must be on a sentence a reader judged a contradiction or a double negation.

The review was made without reading the flagger: 3,008 candidate sentences chosen by their own
cue list, 1,058 read (a uniform sample of 400 and three strata). A flag on a line judged "not",
or on a line nobody read, fails here until someone reads it and records the judgement.
"""

from __future__ import annotations

from collections import Counter

from benchmarks.real_flags import real_articles
from benchmarks.real_review import SELECTION, load_review
from cleaners.flags import flag_document

REVIEW = load_review()


def test_the_review_still_matches_the_corpus_and_its_selection():
    """Every judgement re-attaches to its sentence in ../shared (load_review raises otherwise)."""
    assert len(REVIEW) == SELECTION["read"]
    assert Counter(str(record["stratum"]) for record in REVIEW)["sample"] == SELECTION["sample"]
    assert {record["judgement"] for record in REVIEW} <= {"contradiction", "not"}
    assert all(record["sentence"] and record["headline"] is not None for record in REVIEW)


def test_every_flag_on_the_real_articles_was_read_and_judged_right():
    judged = {(str(record["article"]), int(str(record["line_no"]))): record for record in REVIEW}
    wrong, unread, flags = [], [], 0
    for article, title, paragraphs in real_articles():
        for flag in flag_document(title, paragraphs):
            flags += 1
            record = judged.get((article, flag["line_no"]))
            if record is None:
                unread.append((article, flag["line_no"], flag["sentence"]))
            elif record["judgement"] != "contradiction" and not record["double_negation_wording"]:
                wrong.append((article, flag["line_no"], flag["sentence"], record["why"]))
    assert not wrong, f"flags on sentences judged 'not' by the reader: {wrong}"
    assert not unread, f"flags on lines nobody has read: add them to benchmarks/data/real_review.jsonl: {unread}"
    positives = [record for record in REVIEW if record["judgement"] == "contradiction"]
    assert flags <= len(positives) + sum(bool(record["double_negation_wording"]) for record in REVIEW)


def test_the_idiomatic_double_negatives_read_are_not_flagged():
    """"no reason not to trust", "I'm not going to try to deny that": the reader found six."""
    idioms = {(str(record["article"]), int(str(record["line_no"]))) for record in REVIEW
              if "idiomatic double negative" in str(record["why"])}
    assert len(idioms) >= 5
    flagged = {(article, flag["line_no"]) for article, title, paragraphs in real_articles()
               if any(key[0] == article for key in idioms) for flag in flag_document(title, paragraphs)}
    assert not idioms & flagged
