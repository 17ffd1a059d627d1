import gzip
import json
import random

import polars as pl
import pytest

from cleaners.hashing import stable_hex
from cleaners.ingest import discover, ingest_files
from cleaners.settings import IngestSettings
from tests.conftest import write


def ingest(root, settings=None):
    return ingest_files(root, discover(root), settings or IngestSettings())


def test_txt_title_is_first_nonempty_line_and_body_the_rest(tmp_path):
    write(tmp_path / "a.txt", "\n\n  Headline here  \n\nFirst paragraph.\n\nSecond.\n")
    result = ingest(tmp_path)
    row = result.documents.row(0, named=True)
    assert row["title"] == "Headline here"
    assert row["body"] == "\nFirst paragraph.\n\nSecond.\n"
    assert (row["source"], row["record"], row["format"], row["encoding"]) == ("a.txt", "1", "txt", "utf-8")
    assert result.rejects.is_empty()


def test_md_is_read_like_txt(tmp_path):
    write(tmp_path / "notes.md", "# Title\nBody line\n")
    assert ingest(tmp_path).documents.row(0, named=True)["title"] == "# Title"


def test_jsonl_records_use_own_id_and_skip_blank_lines(tmp_path):
    records = [{"id": 7, "title": "T1", "text": "one"}, {"title": "T2", "text": "two"}]
    write(tmp_path / "feed.jsonl", json.dumps(records[0]) + "\n\n" + json.dumps(records[1]) + "\n")
    documents = ingest(tmp_path).documents
    assert documents["record"].to_list() == ["7", "3"]  # own id; else the 1-based line number
    assert documents["body"].to_list() == ["one", "two"]
    assert documents["doc_id"].to_list() == [stable_hex("feed.jsonl", "7"), stable_hex("feed.jsonl", "#3")]


def test_jsonl_raw_u2028_inside_a_string_does_not_split_the_record(tmp_path):
    write(tmp_path / "feed.ndjson", '{"text": "first\u2028second"}\n')
    result = ingest(tmp_path)
    assert result.rejects.is_empty()
    assert result.documents["body"].to_list() == ["first\u2028second"]


def test_json_object_and_array(tmp_path):
    write(tmp_path / "one.json", json.dumps({"id": "x", "title": "T", "text": "body"}))
    write(tmp_path / "many.json", json.dumps([{"text": "a"}, {"text": "b"}, {"text": "c"}]))
    documents = ingest(tmp_path).documents
    assert sorted(documents["record"].to_list()) == ["1", "2", "3", "x"]


def test_csv_with_huge_multiline_field_and_configurable_columns(tmp_path):
    huge = ("word " * 200_000).strip() + "\nsecond line"
    frame = pl.DataFrame({"guid": ["g1", "g2"], "headline": ["H1", "H2"], "story": [huge, "short"]})
    frame.write_csv(tmp_path / "export.csv")
    settings = IngestSettings(id_fields=["guid"], title_fields=["headline"], text_fields=["story"])
    documents = ingest(tmp_path, settings).documents
    assert documents["record"].to_list() == ["g1", "g2"]
    assert documents["title"].to_list() == ["H1", "H2"]
    assert documents["body"][0] == huge


def test_parquet_input(tmp_path):
    pl.DataFrame({"id": [1, 2], "content": ["x", "y"]}).write_parquet(tmp_path / "t.parquet")
    documents = ingest(tmp_path).documents
    assert documents["body"].to_list() == ["x", "y"]
    assert documents["encoding"].to_list() == ["parquet", "parquet"]


@pytest.mark.parametrize("name", ["a.txt.gz", "a.jsonl.gz", "a.json.gz", "a.csv.gz"])
def test_gzip_of_each_format(tmp_path, name):
    content = {
        "a.txt.gz": "Title\nBody text",
        "a.jsonl.gz": '{"title": "Title", "text": "Body text"}\n',
        "a.json.gz": '{"title": "Title", "text": "Body text"}',
        "a.csv.gz": "title,text\nTitle,Body text\n",
    }[name]
    write(tmp_path / name, gzip.compress(content.encode()))
    documents = ingest(tmp_path).documents
    assert documents.select("title", "body").rows() == [("Title", "Body text")]


def test_gzip_of_parquet(tmp_path):
    import io

    buffer = io.BytesIO()
    pl.DataFrame({"title": ["Title"], "text": ["Body text"]}).write_parquet(buffer)
    write(tmp_path / "t.parquet.gz", gzip.compress(buffer.getvalue()))
    assert ingest(tmp_path).documents.select("title", "body").rows() == [("Title", "Body text")]


def test_cp1252_file_is_decoded_and_recorded(tmp_path):
    write(tmp_path / "old.txt", "Title\n“Quoted” — it’s fine".encode("cp1252"))
    row = ingest(tmp_path).documents.row(0, named=True)
    assert row["encoding"] == "cp1252"
    assert row["body"] == "“Quoted” — it’s fine"


def test_every_kind_of_bad_input_goes_to_rejects_and_the_rest_is_read(tmp_path):
    write(tmp_path / "good.txt", "Good title\nGood body")
    write(tmp_path / "image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00")
    write(tmp_path / "mangled.txt", b"Title\ncaf\xe9 \x81\x8d\x90")
    write(tmp_path / "feed.jsonl", '{"text": "ok"}\n{"text": "cut off\n[1, 2]\n{"title": "no text"}\n')
    write(tmp_path / "table.csv", "title,summary\nT,S\n")
    write(tmp_path / "empty.txt", "  \n\n")
    write(tmp_path / "big.jsonl", json.dumps({"text": "x" * 101}) + "\n" + json.dumps({"text": "fine"}) + "\n")
    write(tmp_path / "long-line.json", json.dumps({"text": "a\n" + "y" * 60 + "\nb"}))
    write(tmp_path / "broken.json", '{"text": "unterminated')
    write(tmp_path / "archive.jsonl.gz", b"not gzip at all")
    write(tmp_path / "picture.jpg", b"\xff\xd8\xff")
    write(tmp_path / "bad.parquet", b"PAR1 nonsense")
    write(tmp_path / "ragged.csv", "title,text\nA,B,C,D\n")
    settings = IngestSettings(max_record_chars=100, max_line_chars=50)

    result = ingest(tmp_path, settings)

    reasons = {(row["source"], row["record"]): row["reason"] for row in result.rejects.iter_rows(named=True)}
    assert reasons == {
        ("image.txt", None): "binary",
        ("mangled.txt", None): "undecodable",
        ("feed.jsonl", "2"): "malformed_json",
        ("feed.jsonl", "3"): "not_an_object",
        ("feed.jsonl", "4"): "missing_text_field",
        ("table.csv", None): "missing_text_column",
        ("empty.txt", None): "empty",
        ("big.jsonl", "1"): "too_large",
        ("long-line.json", "1"): "line_too_long",
        ("broken.json", None): "malformed_json",
        ("archive.jsonl.gz", None): "unreadable",
        ("picture.jpg", None): "unsupported_format",
        ("bad.parquet", None): "malformed_parquet",
        ("ragged.csv", "1"): "malformed_csv",  # the ragged row alone,
    }
    assert all(result.rejects["detail"].str.len_chars() > 10)
    assert sorted(result.documents["body"].to_list()) == ["Good body", "fine", "ok"]
    files = {row["source"]: row for row in result.files.iter_rows(named=True)}
    assert files["feed.jsonl"]["n_documents"] == 1 and files["feed.jsonl"]["n_rejects"] == 3


def test_empty_file_of_zero_bytes_is_rejected(tmp_path):
    write(tmp_path / "zero.jsonl", b"")
    assert ingest(tmp_path).rejects["reason"].to_list() == ["empty"]


def test_doc_ids_do_not_depend_on_file_order_or_location(tmp_path):
    for root in (tmp_path / "one", tmp_path / "two"):
        write(root / "sub" / "a.jsonl", '{"id": "k", "text": "x"}\n{"text": "y"}\n')
        write(root / "b.txt", "T\nbody")
    first = ingest_files(tmp_path / "one", discover(tmp_path / "one"), IngestSettings())
    sources = discover(tmp_path / "two")
    random.Random(3).shuffle(sources)
    second = ingest_files(tmp_path / "two", sources, IngestSettings())
    assert first.documents.equals(second.documents)
    assert first.documents["source"].to_list() == ["b.txt", "sub/a.jsonl", "sub/a.jsonl"]


def test_repeated_record_id_in_one_file_keeps_both_with_distinct_ids(tmp_path):
    write(tmp_path / "d.jsonl", '{"id": 1, "text": "a"}\n{"id": 1, "text": "b"}\n')
    documents = ingest(tmp_path).documents
    assert documents["record"].to_list() == ["1", "1"]
    assert documents["doc_id"].n_unique() == 2


def test_dotfiles_are_not_input(tmp_path):
    write(tmp_path / ".gitkeep", "")
    write(tmp_path / ".hidden" / "x.txt", "T\nB")
    write(tmp_path / "y.txt", "T\nB")
    assert discover(tmp_path) == ["y.txt"]


def test_missing_input_folder_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        discover(tmp_path / "nope")


def test_jsonl_rust_fast_path_equals_line_by_line_parser():
    from cleaners.ingest import _parse_jsonl, _parse_jsonl_with_polars

    records = [
        {"id": 12, "title": "Ünïcode “title”", "text": "line one\nline two\u2028three"},
        {"doc_id": "abc", "headline": "second", "content": "from the fallback fields"},
        {"id": None, "title": None, "text": "no id, no title", "extra": {"nested": [1, 2]}},
        {"id": 3, "text": None, "body": "text is null so body is used"},
        {"uuid": "u-1", "title": "no text at all"},
    ]
    text = "\n".join(json.dumps(record, ensure_ascii=False) for record in records) + "\n"
    settings = IngestSettings()
    fast = _parse_jsonl_with_polars(text, text.encode(), settings)
    assert fast is not None
    assert fast.equals(_parse_jsonl(text, settings, []).to_frame())


@pytest.mark.parametrize("text", ['{"text": "a"}\n\n{"text": "b"}\n', '{"text": "a"}\n[1]\n', '{"text": 1.5}\n',
                                  '{"text": "a"}\n{"text": "cut\n'])
def test_jsonl_fast_path_declines_what_it_cannot_match(text):
    from cleaners.ingest import _parse_jsonl_with_polars

    assert _parse_jsonl_with_polars(text, None, IngestSettings()) is None
