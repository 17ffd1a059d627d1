"""One owner for line statuses and reasons, whether deduplication ran or not."""

import polars as pl

from cleaners import statuses
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


def test_precedence_is_empty_then_boilerplate_then_duplicate():
    lines = pl.DataFrame({"doc_id": ["d"] * 3, "line_no": [1, 2, 3], "text": ["", "Read more", "Read more"],
                          "status": ["empty", "kept", "kept"], "reason": [statuses.BLANK, "", ""]},
                         schema_overrides={"line_no": pl.Int32})
    duplicates = pl.DataFrame({"doc_id": ["d", "d"], "line_no": [1, 3], "dup_of_line_no": [0, 2],
                               "similarity": [100.0, 100.0]}, schema_overrides={"line_no": pl.Int32,
                                                                                 "dup_of_line_no": pl.Int32})
    boilerplate = pl.DataFrame({"doc_id": ["d"], "line_no": [3], "cluster_id": ["bp-1"], "cluster_text": ["Read more"],
                                "cluster_docs": [9], "first_doc_id": ["x"], "first_line_no": [1],
                                "bp_similarity": [100.0]},
                               schema_overrides={"line_no": pl.Int32, "first_line_no": pl.Int32})
    final = apply_dedup(lines, duplicates, boilerplate).sort("line_no")
    assert final["status"].to_list() == ["empty", "kept", "boilerplate"]
    assert final["reason"][0] == statuses.BLANK and final["reason"][1] == statuses.KEPT_AFTER_DEDUP
    assert final["reason"][2].startswith("boilerplate: this line or a close variant (similarity 100.0) is in 9")
