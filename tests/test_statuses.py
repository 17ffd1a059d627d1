"""One owner for line statuses and reasons, whether deduplication ran or not."""

import polars as pl

from cleaners import schemas, statuses
from cleaners.dedup import apply_dedup
from cleaners.output import scan_table
from cleaners.pipeline import run_local
from cleaners.settings import Settings
from tests.conftest import RAW_SAMPLES


def test_kept_lines_say_whether_they_were_checked(tmp_path):
    off = run_local(RAW_SAMPLES, tmp_path / "off", Settings.load(None, ["dedup.enabled=false"]))
    on = run_local(RAW_SAMPLES, tmp_path / "on")
    for folder, manifest, reason in ((tmp_path / "off", off, statuses.KEPT_WITHOUT_DEDUP),
                                     (tmp_path / "on", on, statuses.KEPT_AFTER_DEDUP)):
        lines = scan_table(folder, "lines", manifest["run_id"]).collect()
        assert set(lines["status"]) <= set(statuses.STATUSES)
        assert set(lines.filter(pl.col("status") == "kept")["reason"]) == {reason}
    assert set(scan_table(tmp_path / "off", "lines").collect()["status"]) == {"kept", "empty"}


def test_precedence_is_empty_then_boilerplate_then_duplicate_then_repeated_paragraph():
    texts = ["", "Read more", "Read more", "A long paragraph", "A long paragraph", "A long paragraph"]
    lines = pl.DataFrame({"doc_id": ["d"] * 6, "line_no": [1, 2, 3, 4, 5, 6], "text": texts,
                          "status": ["empty"] + ["kept"] * 5, "reason": [statuses.BLANK] + [""] * 5},
                         schema_overrides={"line_no": pl.Int32})
    duplicates = pl.DataFrame({"doc_id": ["d", "d", "d"], "line_no": [1, 3, 5], "dup_of_line_no": [0, 2, 4],
                               "similarity": [100.0, 100.0, 100.0]},
                              schema_overrides={"line_no": pl.Int32, "dup_of_line_no": pl.Int32})
    boilerplate = pl.DataFrame({"doc_id": ["d"], "line_no": [3], "cluster_id": ["bp-1"], "cluster_text": ["Read more"],
                                "cluster_docs": [9], "first_doc_id": ["x"], "first_line_no": [1],
                                "bp_similarity": [100.0]},
                               schema_overrides={"line_no": pl.Int32, "first_line_no": pl.Int32})
    repeats = pl.DataFrame({"doc_id": ["d", "d"], "line_no": [4, 5], "first_doc_id": ["e", "e"],
                            "first_source": ["e.txt", "e.txt"], "first_row": [1, 1], "first_line_no": [7, 7],
                            "similarity": [96.04, 100.0], "family_docs": [3, 3]}, schema=schemas.REPEATS)
    final = apply_dedup(lines, duplicates, boilerplate, repeats).sort("line_no")
    assert final["status"].to_list() == ["empty", "kept", "boilerplate", "duplicate", "duplicate", "kept"]
    assert final["reason"][0] == statuses.BLANK and final["reason"][1] == statuses.KEPT_AFTER_DEDUP
    assert final["reason"][2].startswith("boilerplate: this line or a close variant (similarity 100.0) is in 9")
    assert final["reason"][3] == ("duplicate: repeats line 7 of document e (e.txt, row 1), a paragraph found in 3 "
                                  "documents (similarity 96.0)")
    assert (final["duplicate_of_doc_id"][3], final["duplicate_of_line_no"][3]) == ("e", 7)
    # An in-document duplicate wins over a repeated paragraph: it points inside its document.
    assert final["reason"][4] == "duplicate: repeats line 4 of this document (similarity 100.0)"
    assert (final["duplicate_of_doc_id"][4], final["duplicate_of_line_no"][4]) == ("d", 4)


def test_kept_lines_say_when_repeated_paragraphs_were_not_looked_for(tmp_path):
    run_local(RAW_SAMPLES, tmp_path / "out", Settings.load(None, ["dedup.repeated_paragraphs=false"]))
    lines = scan_table(tmp_path / "out", "lines").collect()
    assert set(lines.filter(pl.col("status") == "kept")["reason"]) == {statuses.KEPT_WITHOUT_PARAGRAPHS}
    assert not lines["reason"].str.contains("paragraph found in").any()
