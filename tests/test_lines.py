import polars as pl

from cleaners.lines import split_lines


def lines_of(*bodies):
    documents = pl.DataFrame({"doc_id": [f"d{i}" for i in range(len(bodies))], "body": list(bodies)})
    return split_lines(documents)


def test_each_kind_of_line_break_splits():
    lines = lines_of("a\nb\r\nc\rd\u2028e\u2029f")
    assert lines["text_raw"].to_list() == list("abcdef")
    assert lines["line_no"].to_list() == [1, 2, 3, 4, 5, 6]


def test_next_line_splits_unless_it_is_part_of_mojibake():
    # "Å" (C3 85) read as latin-1 is "Ã" + U+0085: that NEL must survive for ftfy to repair.
    lines = lines_of("one\u0085two", "Ã\u0085ngstr\u00f6m")
    assert lines.filter(pl.col("doc_id") == "d0")["text_raw"].to_list() == ["one", "two"]
    assert lines.filter(pl.col("doc_id") == "d1")["text_raw"].to_list() == ["Ã\u0085ngström"]


def test_blank_lines_are_kept_and_one_final_newline_adds_no_line():
    lines = lines_of("a\n\nb\n")
    assert lines["text_raw"].to_list() == ["a", "", "b"]


def test_empty_body_has_no_lines_and_other_documents_keep_their_numbers():
    lines = lines_of("", "x\ny")
    assert lines.select("doc_id", "line_no").rows() == [("d1", 1), ("d1", 2)]


def test_vertical_tab_and_form_feed_do_not_split():
    assert lines_of("a\x0bb\x0cc")["text_raw"].to_list() == ["a\x0bb\x0cc"]
