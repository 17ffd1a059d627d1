"""Deduplication steps in isolation (no Prefect), and the properties the issue asks for."""


import polars as pl
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from cleaners.dedup import (
    add_keys,
    candidate_pairs,
    deduplicate,
    document_shingles,
    in_document_duplicates,
    keyed_lines,
    minhash_bands,
)
from cleaners.documents import STATUSES
from cleaners.keys import line_key, stable_hash64
from cleaners.near_duplicates import jaccard_of, verify_partition
from cleaners.settings import DedupSettings

SETTINGS = DedupSettings()


def make_lines(documents: dict[str, list[str]]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Lines and doc_info frames for documents given as lists of normalised lines."""
    rows = [
        {"doc_id": doc_id, "line_no": number, "text_raw": text, "text": text,
         "status": "kept" if text else "empty", "reason": "kept: no rule removed it" if text else "blank line"}
        for doc_id, texts in documents.items() for number, text in enumerate(texts, start=1)
    ]
    lines = pl.DataFrame(rows, schema={"doc_id": pl.String, "line_no": pl.Int32, "text_raw": pl.String,
                                       "text": pl.String, "status": pl.String, "reason": pl.String})
    doc_info = pl.DataFrame({
        "doc_id": list(documents), "source": [f"{doc_id}.txt" for doc_id in documents],
        "row": [1] * len(documents), "n_chars": [sum(map(len, texts)) for texts in documents.values()],
    }, schema={"doc_id": pl.String, "source": pl.String, "row": pl.Int64, "n_chars": pl.Int64})
    return lines, doc_info


def statuses(lines: pl.DataFrame) -> dict[tuple[str, int], str]:
    return {(row["doc_id"], row["line_no"]): row["status"] for row in lines.iter_rows(named=True)}


def test_line_key_folds_case_digits_punctuation_and_spaces():
    keys = pl.select(line_key(pl.Series(["Read More", "Read more »", "READ  MORE...", "Updated 5 May, 2017",
                                         "Updated 7 May 2018"]))).to_series().to_list()
    assert keys == ["read more", "read more", "read more", "updated 0 may 0000", "updated 0 may 0000"]


def test_stable_hash_is_fixed_across_runs():
    # xxh3-64 of "read more", as signed Int64: a constant, so ids never drift between releases.
    assert stable_hash64(pl.Series(["read more", None])).to_list() == [-8517551099377695376, None]


LONG = "The council approved the harbour budget on Monday after a long debate"


@pytest.mark.parametrize(
    ("texts", "expected"),
    [
        # exact repeat after folding case and punctuation: the caption case
        (["Rex Tillerson Vladimir Putin", "Rex Tillerson Vladimir Putin"], {2: (1, 100.0)}),
        (["Story Continued Below", "other", "story continued below:"], {3: (1, 100.0)}),
        # near repeat of a long line (one word changed)
        # Another day is another fact, however alike the wording (issue: numbers, names and dates are content).
        ([LONG, "Something else entirely here.", LONG.replace("Monday", "Tuesday")], {}),
        ([LONG, "Something else entirely here.", LONG.replace(" the ", " a ", 1)], {3: (1, pytest.approx(98, abs=2))}),
        # short lines only match exactly: "Yes." and "No." never merge, nor do short near-misses
        (["Yes.", "No.", "Yes!"], {3: (1, 100.0)}),
        (["Photo: AP", "Photo: AFP"], {}),
        # unrelated long lines
        ([LONG, "A completely different sentence about the weather and the sea"], {}),
    ],
)
def test_in_document_duplicates(texts, expected):
    lines, _ = make_lines({"d": texts})
    keyed = keyed_lines(add_keys(lines))
    found = {row["line_no"]: (row["dup_of_line_no"], row["similarity"])
             for row in in_document_duplicates(keyed, SETTINGS).iter_rows(named=True)}
    assert found == expected


def test_duplicate_points_at_the_closest_earlier_line():
    base = "The minister said the new rules would take effect next spring across the country"
    lines, _ = make_lines({"d": [base, base.replace("minister", "ministers"), base.replace("spring", "springs")]})
    keyed = keyed_lines(add_keys(lines))
    found = in_document_duplicates(keyed, SETTINGS).sort("line_no")
    assert found["dup_of_line_no"].to_list() == [1, 1]


SUBJECTS = ["The harbour authority", "Union representatives", "The city council", "Shipping companies",
            "Local residents", "The transport minister", "Port engineers", "Environmental groups"]
ACTIONS = ["argued for a longer consultation before any dredging begins in the northern channel",
           "said that overtime rules had been broken at the container terminal for several months",
           "voted to publish the full cost estimates of the new crane contracts next week",
           "warned that delays at the quay would push freight costs up across the whole region",
           "complained about night-time noise from the terminal and asked for stricter limits",
           "promised an independent review of safety procedures after the accident in March",
           "reported cracks in the old sea wall that will need urgent and expensive repairs",
           "asked the court to halt the expansion until a wildlife survey has been completed"]
ARTICLE = [f"{subject} {action}, according to documents seen by this newspaper on Friday."
           for subject, action in zip(SUBJECTS, ACTIONS)]


def test_near_duplicate_documents_cluster_with_exact_jaccard_and_a_canonical():
    documents = {
        "a": ARTICLE,
        "b": ARTICLE[:-1],                       # a copy without its last paragraph
        "c": ARTICLE[:5] + ["A new ending written by another outlet about something else"],
        "z": ["An unrelated article about the weather", "It will rain tomorrow across the north"],
    }
    lines, doc_info = make_lines(documents)
    keyed = keyed_lines(add_keys(lines))
    shingles = document_shingles(keyed, in_document_duplicates(keyed, SETTINGS), SETTINGS)
    pairs = candidate_pairs(minhash_bands(shingles, SETTINGS))
    clusters, _ = verify_partition(pairs, shingles, doc_info, SETTINGS.doc_jaccard_threshold)
    by_doc = {row["doc_id"]: row for row in clusters.iter_rows(named=True)}
    assert set(by_doc) == {"a", "b"}
    assert by_doc["a"]["is_canonical"] and not by_doc["b"]["is_canonical"]  # the longer one
    assert by_doc["b"]["dup_cluster_id"] == "a"
    assert by_doc["b"]["jaccard_to_canonical"] == pytest.approx(reference_jaccard(documents["a"], documents["b"]))


def reference_jaccard(left: list[str], right: list[str], size: int = 5) -> float:
    """Word 5-gram Jaccard, the obvious way (tuples of words, inside each line)."""
    def grams(lines):
        keys = pl.select(line_key(pl.Series(lines))).to_series().to_list()
        return {tuple(words[i:i + size]) for words in (key.split() for key in keys)
                for i in range(max(len(words) - size + 1, 1))}
    a, b = grams(left), grams(right)
    return len(a & b) / len(a | b)


def test_jaccard_is_exact():
    import numpy as np

    assert jaccard_of(np.array([1, 2, 3, 4]), np.array([3, 4, 5])) == 2 / 5
    assert jaccard_of(np.array([1]), np.array([2])) == 0.0


STORIES = [f"{a} {b}, according to documents seen by this newspaper." for a, b in zip(SUBJECTS, ACTIONS)][:4]


def test_boilerplate_counts_unrelated_documents_and_merges_variants():
    documents = {
        f"d{i}": [STORIES[i],
                  ["Read More", "Read more »", "READ MORE..."][i % 3],
                  "Click here to subscribe to our free newsletter" if i == 2 else
                  "Click here to subscribe to our newsletter",
                  ["Closing line one", "Closing line two", "Closing line three", "Closing line four"][i]]
        for i in range(4)
    }
    documents["copy"] = documents["d0"]  # a syndicated copy must not add to counts
    lines, doc_info = make_lines(documents)
    final, clusters = deduplicate(lines, doc_info, SETTINGS)
    by_text = {(row["doc_id"], row["text"]): row for row in final.iter_rows(named=True)}
    read_more = by_text[("d1", "Read more »")]
    assert read_more["status"] == "boilerplate"
    assert read_more["boilerplate_cluster_docs"] == 4  # d0..d3; the copy counts with d0
    subscribe = by_text[("d2", "Click here to subscribe to our free newsletter")]
    assert subscribe["status"] == "boilerplate"  # a close variant joins the cluster
    assert subscribe["similarity"] < 100
    assert subscribe["boilerplate_cluster_docs"] == 3
    assert "unrelated documents" in subscribe["reason"]
    assert by_text[("d3", "Closing line four")]["status"] == "kept"
    assert set(clusters["doc_id"]) == {"d0", "copy"}


def test_a_long_line_shared_by_unrelated_documents_is_a_repeated_paragraph_not_boilerplate():
    story = ARTICLE[0]  # longer than boilerplate_max_chars: content, never boilerplate
    documents = {f"outlet{i}": [story, STORIES[i % 4].replace("newspaper", "outlet")] for i in range(5)}
    lines, doc_info = make_lines(documents)
    final, clusters = deduplicate(lines, doc_info, SETTINGS)
    assert len(story) > SETTINGS.boilerplate_max_chars
    copies = final.filter(pl.col("text") == story).sort("doc_id")
    # outlet4 is a near-duplicate of outlet0 (same two lines): the document cluster covers it.
    assert set(clusters["doc_id"]) == {"outlet0", "outlet4"}
    assert copies["status"].to_list() == ["kept", "duplicate", "duplicate", "duplicate", "kept"]
    assert set(copies["duplicate_of_doc_id"].drop_nulls()) == {"outlet0"}
    assert set(copies["duplicate_of_line_no"].drop_nulls()) == {1}
    assert copies["reason"][1].startswith("duplicate: repeats line 1 of document outlet0 (")
    assert "a paragraph found in 4 documents (similarity 100.0)" in copies["reason"][1]


# ------------------------------------------------------------------ properties

VOCABULARY = [
    "Read More", "Read more »", "Story Continued Below", "Yes.", "No.", "", "Advertisement",
    "Rex Tillerson Vladimir Putin", LONG, LONG.replace("Monday", "Tuesday"), LONG.upper(),
    "The weather will be dry and bright across most of the country this weekend",
    "The weather will be dry and bright across most of the country next weekend",
    "Officials declined to comment on the report when contacted by reporters",
]
corpora = st.dictionaries(
    st.sampled_from([f"doc{i:02d}" for i in range(12)]),
    st.lists(st.sampled_from(VOCABULARY), min_size=1, max_size=8),
    min_size=1, max_size=8,
)


@hypothesis_settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(corpora, st.randoms(use_true_random=False))
def test_properties_of_dedup(documents, rng):
    lines, doc_info = make_lines(documents)
    final, _ = deduplicate(lines, doc_info, SETTINGS)

    # Every line gets exactly one status, from the known set.
    assert final.height == lines.height
    assert final.select("doc_id", "line_no").is_duplicated().sum() == 0
    assert set(final["status"]) <= set(STATUSES)

    # Every duplicate group keeps its first occurrence: a duplicate points at an earlier line of
    # its own document that is at least as similar as the threshold; the first non-empty line of
    # a document is never a duplicate; and no two kept lines of a document share a key.
    dups = final.filter(pl.col("status") == "duplicate")
    assert (dups["duplicate_of_line_no"] < dups["line_no"]).all()
    assert (dups["duplicate_of_doc_id"] == dups["doc_id"]).all()
    assert (dups["similarity"] >= SETTINGS.fuzzy_threshold).all()
    firsts = final.filter(pl.col("status") != "empty").group_by("doc_id").agg(pl.col("status").sort_by("line_no").first())
    assert "duplicate" not in set(firsts["status"])
    kept_keys = final.filter(pl.col("status") == "kept").with_columns(key=line_key(pl.col("text")))
    assert kept_keys.select("doc_id", "key").is_duplicated().sum() == 0

    # Every line that is not kept says what it duplicates (or its cluster) and how close.
    removed = final.filter(pl.col("status").is_in(["duplicate", "boilerplate"]))
    assert removed["similarity"].null_count() == 0
    assert removed["reason"].str.contains("similarity").all()

    # Running dedup again on what was kept changes nothing.
    kept = final.filter(pl.col("status") == "kept").select(lines.columns)
    if kept.height:
        again, _ = deduplicate(kept, doc_info, SETTINGS)
        assert set(again["status"]) == {"kept"}

    # Shuffling the input order changes no status.
    order = list(range(lines.height))
    rng.shuffle(order)
    shuffled, _ = deduplicate(lines[order], doc_info.sample(fraction=1.0, shuffle=True, seed=rng.randint(0, 99)),
                              SETTINGS)
    assert statuses(shuffled) == statuses(final)


def test_shards_partitions_and_batches_do_not_change_any_status(tmp_path):
    """Same statuses, clusters and texts with 1 shard/1 partition and 4 shards/3 partitions/tiny
    batches, files cut into slices of 40 records (each file holds 150)."""
    from benchmarks.generate import generate
    from cleaners.output import scan_table
    from cleaners.pipeline import run_local
    from cleaners.settings import Settings

    corpus = generate(tmp_path / "gen", 0.6, seed=7, docs_per_part=150) / "corpus"
    outputs = {}
    for name, overrides in {"one": ["run.shards=1", "dedup.partitions=1"],
                            "many": ["run.shards=4", "dedup.partitions=3", "run.batch_mb=0.05",
                                     "run.batch_records=40"]}.items():
        run_local(corpus, tmp_path / name, Settings.load(None, overrides))
        outputs[name] = (
            scan_table(tmp_path / name, "lines").drop("run_id").collect().sort("doc_id", "line_no"),
            scan_table(tmp_path / name, "documents").drop("run_id").collect().sort("doc_id"),
            scan_table(tmp_path / name, "flags").drop("run_id").collect().sort("doc_id", "line_no"),
        )
    for one, many in zip(outputs["one"], outputs["many"], strict=True):
        assert one.equals(many)
    assert len(list((tmp_path / "many" / "lines").glob("*.parquet"))) > len(list(corpus.glob("*.jsonl")))
    assert {"duplicate", "boilerplate"} <= set(outputs["one"][0]["status"])
    assert outputs["one"][1]["dup_cluster_size"].max() > 1
