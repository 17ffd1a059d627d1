"""Repeated paragraphs across documents (cleaners/paragraphs.py) and numbers as content."""

from __future__ import annotations

import json
import random

import polars as pl
import pytest

from cleaners import paragraphs, schemas
from cleaners.dedup import deduplicate
from cleaners.keys import stable_hash64
from cleaners.output import scan_table
from cleaners.pipeline import run_local
from cleaners.settings import DedupSettings, Settings
from tests.conftest import RAW_SAMPLES
from tests.test_dedup import make_lines

SETTINGS = DedupSettings()
DISCLAIMER = ("The views and opinions expressed in this article are those of the authors and do not necessarily "
              "reflect the official policy or position of this publication or of its owners.")
CREDIT = ("Reporting by the regional desk with additional reporting by our correspondents; editing by the night "
          "editor and the copy team, who checked every figure quoted in this report.")
_WORDS = ("harbour orchard library ferry railway museum market stadium council budget weather storm river "
          "bridge school hospital farmers bakery festival election court tunnel airport mayor").split()


def _paragraph(seed: int) -> str:
    """A content line of its own (no two share a run of words): unrelated documents' text."""
    rng = random.Random(seed)
    return " ".join(rng.choice(_WORDS) for _ in range(24)).capitalize() + "."


ARTICLES = [_paragraph(seed) for seed in range(20)]
SECONDS = [_paragraph(100 + seed) for seed in range(20)]


def _documents(extra: dict[int, str], n: int = 8) -> dict[str, list[str]]:
    return {f"doc{i}": [ARTICLES[i], SECONDS[i], *([extra[i]] if i in extra else [])] for i in range(n)}


def _status(final: pl.DataFrame, doc_id: str, text: str) -> dict:
    return final.filter((pl.col("doc_id") == doc_id) & (pl.col("text") == text)).row(0, named=True)


def test_a_disclaimer_in_unrelated_documents_is_kept_once_and_marked_everywhere_else():
    lines, doc_info = make_lines(_documents({i: DISCLAIMER for i in (1, 3, 4, 6)}))
    final, clusters = deduplicate(lines, doc_info, SETTINGS)
    assert clusters.is_empty()
    assert _status(final, "doc1", DISCLAIMER)["status"] == "kept"
    for doc_id in ("doc3", "doc4", "doc6"):
        row = _status(final, doc_id, DISCLAIMER)
        assert row["status"] == "duplicate"
        assert (row["duplicate_of_doc_id"], row["duplicate_of_line_no"], row["similarity"]) == ("doc1", 3, 100.0)
        assert "of document doc1 (doc1.txt, row 1), a paragraph found in 4 documents" in row["reason"]
    assert final.filter(pl.col("status") == "duplicate").height == 3  # nothing else


def test_near_copies_with_a_word_or_two_changed_are_found_and_point_at_the_first():
    variants = {2: CREDIT, 5: CREDIT.replace("night editor", "late editor"),
                7: CREDIT.replace("regional desk", "national desk").replace("every figure", "each figure")}
    final, _ = deduplicate(*make_lines(_documents(variants)), SETTINGS)
    assert _status(final, "doc2", CREDIT)["status"] == "kept"
    for doc_id in (5, 7):
        row = _status(final, f"doc{doc_id}", variants[doc_id])
        assert row["status"] == "duplicate" and row["duplicate_of_doc_id"] == "doc2"
        assert SETTINGS.fuzzy_threshold <= row["similarity"] < 100


def test_paragraphs_whose_numbers_differ_are_not_repeats():
    market = ("Spot gold rose 1.2% to $1,923.40 an ounce at 0900 GMT, while silver was steady and platinum "
              "edged higher in thin trading before the holiday.")
    other = market.replace("1.2%", "0.4%").replace("$1,923.40", "$1,911.10").replace("0900", "1400")
    final, _ = deduplicate(*make_lines(_documents({1: market, 2: other, 3: market})), SETTINGS)
    assert _status(final, "doc2", other)["status"] == "kept"  # other figures: another fact
    assert _status(final, "doc3", market)["duplicate_of_doc_id"] == "doc1"  # same figures: a copy


def test_lines_of_one_document_whose_numbers_differ_are_not_duplicates():
    first = "Spot gold rose 1.2% to $1,923.40 an ounce at 0900 GMT"
    later = "Spot gold rose 0.4% to $1,911.10 an ounce at 1400 GMT"
    final, _ = deduplicate(*make_lines({"d": [first, "Markets were calm.", later, first]}), SETTINGS)
    assert final.sort("line_no")["status"].to_list() == ["kept", "kept", "kept", "duplicate"]


def test_a_paragraph_shared_only_by_near_duplicate_documents_is_left_to_the_document_cluster():
    documents = {"a": [ARTICLES[0], ARTICLES[1], DISCLAIMER], "b": [ARTICLES[0], ARTICLES[1], DISCLAIMER],
                 "c": [ARTICLES[2], SECONDS[2]]}
    final, clusters = deduplicate(*make_lines(documents), SETTINGS)
    assert set(clusters["doc_id"]) == {"a", "b"}
    assert set(final.filter(pl.col("text") == DISCLAIMER)["status"]) == {"kept"}


def test_the_first_occurrence_does_not_depend_on_input_order():
    lines, doc_info = make_lines(_documents({i: DISCLAIMER for i in range(8)}))
    rng = random.Random(3)
    answers = set()
    for _ in range(3):
        order = list(range(lines.height))
        rng.shuffle(order)
        final, _ = deduplicate(lines[order], doc_info.sample(fraction=1.0, shuffle=True, seed=rng.randint(0, 99)),
                               SETTINGS)
        kept = final.filter((pl.col("text") == DISCLAIMER) & (pl.col("status") == "kept"))["doc_id"].to_list()
        answers.add(tuple(kept))
    assert answers == {("doc0",)}


def test_the_raw_sample_marks_its_repeated_column_disclaimer(tmp_path):
    """The README's first run: data/raw/columns.jsonl holds one disclaimer in three unrelated columns."""
    run_local(RAW_SAMPLES, tmp_path / "out")
    lines = scan_table(tmp_path / "out", "lines").filter(pl.col("source") == "columns.jsonl").collect()
    disclaimers = lines.filter(pl.col("text").str.starts_with("The views and opinions")).sort("doc_id")
    assert disclaimers.height == 3
    assert sorted(disclaimers["status"].to_list()) == ["duplicate", "duplicate", "kept"]
    first = disclaimers.filter(pl.col("status") == "kept").row(0, named=True)
    copies = disclaimers.filter(pl.col("status") == "duplicate")
    assert set(copies["duplicate_of_doc_id"]) == {first["doc_id"]}
    documents = scan_table(tmp_path / "out", "documents").filter(pl.col("source") == "columns.jsonl").collect()
    assert documents["text"].str.count_matches("The views and opinions").to_list().count(1) == 1


def _write_jsonl(path, records):
    path.write_text("".join(json.dumps(record) + "\n" for record in records), encoding="utf-8")


def test_an_incremental_run_sees_earlier_runs_paragraphs(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    near = DISCLAIMER.replace("of its owners", "of the owners")
    _write_jsonl(folder / "a.jsonl", [{"id": "a1", "text": f"{ARTICLES[0]}\n\n{DISCLAIMER}"}])
    settings = Settings.load(None, ["run.incremental=true"])
    run_local(folder, tmp_path / "out", settings)
    _write_jsonl(folder / "b.jsonl", [{"id": "b1", "text": f"{ARTICLES[1]}\n\n{DISCLAIMER}"},
                                      {"id": "b2", "text": f"{ARTICLES[2]}\n\n{near}"}])
    run_local(folder, tmp_path / "out", settings)
    lines = scan_table(tmp_path / "out", "lines").filter(pl.col("text").str.starts_with("The views")).collect()
    by_source = {(row["source"], row["text"]): row for row in lines.iter_rows(named=True)}
    first = by_source[("a.jsonl", DISCLAIMER)]
    assert first["status"] == "kept"
    for text in (DISCLAIMER, near):
        row = by_source[("b.jsonl", text)]
        assert row["status"] == "duplicate" and row["duplicate_of_doc_id"] == first["doc_id"]
    assert by_source[("b.jsonl", near)]["similarity"] < 100  # verified against the earlier run's text


def test_repeated_paragraphs_can_be_switched_off():
    settings = SETTINGS.model_copy(update={"repeated_paragraphs": False})
    final, _ = deduplicate(*make_lines(_documents({1: DISCLAIMER, 3: DISCLAIMER})), settings)
    assert set(final.filter(pl.col("text") == DISCLAIMER)["status"]) == {"kept"}


def test_a_record_gone_from_a_re_read_file_is_no_longer_a_first_occurrence(tmp_path):
    """Run 1: a.jsonl holds a1 with the disclaimer. Run 2 (incremental): a.jsonl changed, a1 gone,
    a2 holds the disclaimer: a2's copy is now the only one and must stay kept."""
    folder = tmp_path / "in"
    folder.mkdir()
    settings = Settings.load(None, ["run.incremental=true"])
    _write_jsonl(folder / "a.jsonl", [{"id": "a1", "text": f"{ARTICLES[0]}\n\n{DISCLAIMER}"}])
    run_local(folder, tmp_path / "out", settings)
    _write_jsonl(folder / "a.jsonl", [{"id": "a3", "text": ARTICLES[1]}, {"id": "a2", "text": f"{ARTICLES[2]}\n\n{DISCLAIMER}"}])
    run_local(folder, tmp_path / "out", settings)
    lines = scan_table(tmp_path / "out", "lines").filter(pl.col("text") == DISCLAIMER).collect()
    assert lines["status"].to_list() == ["kept"]


def test_decimal_points_are_part_of_a_number():
    market = ("Spot gold rose 1.2% to $1,923.40 an ounce at 0900 GMT, while silver was steady and platinum "
              "edged higher in thin trading before the holiday.")
    final, _ = deduplicate(*make_lines(_documents({1: market, 2: market.replace("1.2%", "12%"),
                                                   3: market.replace("$1,923.40", "$1923.40")})), SETTINGS)
    assert _status(final, "doc2", market.replace("1.2%", "12%"))["status"] == "kept"  # 1.2 is not 12
    assert _status(final, "doc3", market.replace("$1,923.40", "$1923.40"))["status"] == "duplicate"  # one number


def _random_repeats(seed: int) -> pl.DataFrame:
    """Verified repeats forming a random forest: each copy verified against one to three
    earlier lines (its candidate firsts), so firsts are often copies themselves (chains)."""
    rng = random.Random(seed)
    lines = sorted({(rng.randint(0, 60), rng.randint(0, 12)) for _ in range(rng.randint(30, 300))})
    rows = []
    for index, (doc, line_no) in enumerate(lines):
        if index and rng.random() < 0.7:
            for first_doc, first_line in {lines[rng.randrange(index)] for _ in range(rng.randint(1, 3))}:
                rows.append((f"d{doc:03d}", line_no, f"d{first_doc:03d}", f"s{first_doc:03d}.jsonl", first_doc,
                             first_line, rng.choice([91.5, 96.0, 100.0]), 2))
    return pl.DataFrame(rows, schema=list(schemas.VERIFIED_REPEATS), orient="row").cast(schemas.VERIFIED_REPEATS)


def _following_every_copy(verified: pl.DataFrame) -> pl.DataFrame:
    """The reference: every copy's first followed, hop by hop, over the table of all copies."""
    best = paragraphs.best_firsts(verified)
    while True:
        hop = best.join(best.select(first_doc_id="doc_id", first_line_no="line_no", next_doc="first_doc_id",
                                    next_source="first_source", next_row="first_row", next_line="first_line_no"),
                        on=["first_doc_id", "first_line_no"], how="left")
        if hop["next_doc"].null_count() == hop.height:
            break
        best = hop.select("doc_id", "line_no", first_doc_id=pl.coalesce("next_doc", "first_doc_id"),
                          first_source=pl.coalesce("next_source", "first_source"),
                          first_row=pl.coalesce("next_row", "first_row"),
                          first_line_no=pl.coalesce("next_line", "first_line_no"), similarity="similarity")
    family = pl.col("doc_id").n_unique().over("first_doc_id", "first_line_no") + 1
    return schemas.conform(best.with_columns(family_docs=family).sort("doc_id", "line_no"), schemas.REPEATS)


def _partitioned(verified: pl.DataFrame, n: int) -> tuple[pl.DataFrame, int]:
    """The run's partitioned steps (cleaners/stages.py), each partition seeing only its rows:
    (REPEATS, links met in one place)."""
    def split(frame: pl.DataFrame, column: str) -> list[pl.DataFrame]:
        part = stable_hash64(frame.get_column(column)) % n
        return [frame.filter(part == p) for p in range(n)]

    best = [paragraphs.best_firsts(rows) for rows in split(verified, "doc_id")]
    firsts = [pl.concat(parts) for parts in zip(*(split(b.select("first_doc_id", "first_line_no"), "first_doc_id")
                                                   for b in best), strict=True)]
    links = pl.concat([paragraphs.chain_links(b, f) for b, f in zip(best, firsts, strict=True)])
    roots = paragraphs.resolve_chains(links)
    resolved = [paragraphs.follow_chains(b, roots) for b in best]
    members = [pl.concat(parts) for parts in zip(*(split(r.select("first_doc_id", "first_line_no", "doc_id"),
                                                         "first_doc_id") for r in resolved), strict=True)]
    sizes = pl.concat([paragraphs.family_sizes(m) for m in members])
    repeats = pl.concat(resolved).join(sizes, on=["first_doc_id", "first_line_no"], how="left").sort("doc_id", "line_no")
    return schemas.conform(repeats, schemas.REPEATS), links.height


@pytest.mark.parametrize("seed", range(12))
def test_resolving_in_partitions_gives_what_following_every_copy_gives(seed):
    verified = _random_repeats(seed)
    expected = _following_every_copy(verified)
    assert paragraphs.resolve_repeats(verified).equals(expected)
    for n in (1, 3, 7):
        repeats, links = _partitioned(verified, n)
        assert repeats.equals(expected), n
        assert 0 < links < expected.height  # chains to follow, yet fewer links than copies
    best = paragraphs.best_firsts(verified)
    assert best.join(expected, on=["doc_id", "line_no"]).filter(
        pl.col("first_doc_id") != pl.col("first_doc_id_right")).height > 0  # some copies were re-pointed


def test_a_long_chain_of_drifting_copies_ends_at_its_first_line():
    """Line i is verified only against line i - 1 (copies drifting a word at a time): 300 links,
    more than the 64 passes allow one hop at a time, all resolved to line 0."""
    rows = [(f"d{i:03d}", 1, f"d{i - 1:03d}", f"s{i - 1:03d}.jsonl", i - 1, 1, 95.0, 2) for i in range(1, 301)]
    verified = pl.DataFrame(rows, schema=list(schemas.VERIFIED_REPEATS), orient="row").cast(schemas.VERIFIED_REPEATS)
    expected = _following_every_copy(verified)
    assert set(expected["first_doc_id"]) == {"d000"} and set(expected["family_docs"]) == {301}
    assert paragraphs.resolve_repeats(verified).equals(expected)
    assert _partitioned(verified, 4)[0].equals(expected)
