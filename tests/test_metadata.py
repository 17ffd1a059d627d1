"""Record metadata kept on ``documents``: url, domain, published(_at), authors, metadata."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import polars as pl
import pyarrow as pa
import pytest

from cleaners.delta_files import ensure_table
from cleaners.ingest import ingest_files
from cleaners.metadata import typed_metadata
from cleaners.pipeline import run_local
from cleaners.settings import IngestSettings, Settings
from tests.conftest import RAW_SAMPLES, write


def _typed(**raw: list[str | None]) -> pl.DataFrame:
    n = len(next(iter(raw.values())))
    columns = {name: raw.get(name, [None] * n) for name in ("url", "published", "authors", "domain", "metadata")}
    return pl.DataFrame(columns, schema={name: pl.String for name in columns}).select(typed_metadata())


@pytest.mark.parametrize(("written", "expected"), [
    ("2016-09-19T10:00:00Z", datetime(2016, 9, 19, 10, tzinfo=UTC)),
    ("2016-09-19T12:00:00+02:00", datetime(2016, 9, 19, 10, tzinfo=UTC)),
    ("2016-09-19 10:00:00", datetime(2016, 9, 19, 10, tzinfo=UTC)),
    ("2016-09-19T10:00:00.250Z", datetime(2016, 9, 19, 10, 0, 0, 250_000, tzinfo=UTC)),
    ("2016-09-19", datetime(2016, 9, 19, tzinfo=UTC)),
    ("Tue, 01 Dec 2026 10:00:00 GMT", datetime(2026, 12, 1, 10, tzinfo=UTC)),
    ("Tue, 01 Dec 2026 11:00:00 +0100", datetime(2026, 12, 1, 10, tzinfo=UTC)),
    ("September 19, 2016", datetime(2016, 9, 19, tzinfo=UTC)),
    ("{'$date': 1474243200000}", datetime(2016, 9, 19, tzinfo=UTC)),
    ('{"$date":"2016-09-19T10:00:00Z"}', datetime(2016, 9, 19, 10, tzinfo=UTC)),
    ('{"$date":{"$numberLong":"1474243200000"}}', datetime(2016, 9, 19, tzinfo=UTC)),
    ("yesterday", None),
    ("", None),
])
def test_published_at_reads_the_common_forms_and_leaves_others_null(written, expected):
    row = _typed(published=[written]).row(0, named=True)
    assert row["published"] == written
    assert row["published_at"] == expected


@pytest.mark.parametrize(("written", "expected"), [
    ('["Ann Lee", "Bo Chen"]', ["Ann Lee", "Bo Chen"]),
    ("['Wendy Gittleson']", ["Wendy Gittleson"]),
    ("Alex Ansary, Amethyst Cruz and Bob Day", ["Alex Ansary", "Amethyst Cruz", "Bob Day"]),
    ("Ann Lee; Bo Chen & Cy Dunn", ["Ann Lee", "Bo Chen", "Cy Dunn"]),
    ("Sandra Anderson", ["Sandra Anderson"]),
    ("By Alice Smith and Bo Chen", ["Alice Smith", "Bo Chen"]),
    ("[]", None),
    ("  ", None),
])
def test_authors_become_a_list_of_names_whatever_the_scraper_wrote(written, expected):
    assert _typed(authors=[written])["authors"].to_list() == [expected]


def test_domain_is_the_field_else_the_urls_host_without_www():
    typed = _typed(url=["https://www.NYTimes.com/2016/a?b=1", "http://user@blog.example.org:8080/x", "no url",
                        "https://x.example/", "  https://padded.example/a", "//cdn.example/x"],
                   domain=[None, None, None, "https://www.Site.example/path", None, None])
    assert typed["domain"].to_list() == ["nytimes.com", "blog.example.org", None, "site.example", "padded.example",
                                         "cdn.example"]


def _documents(tmp_path, name: str, data: str | bytes, **settings) -> pl.DataFrame:
    write(tmp_path / name, data)
    return ingest_files(tmp_path, [name], IngestSettings(**settings)).documents


RECORDS = [
    {"id": "a", "text": "Body a.", "url": "https://www.example.com/a", "publish_date": "2020-05-01T08:00:00Z",
     "authors": ["Ann Lee", "Bo Chen"], "type": "satire", "keywords": ["x", "y"]},
    {"text": "Body b.", "url": "https://example.org/b", "date": "Fri, 01 May 2020 08:00:00 GMT",
     "author": "Cy Dunn", "domain": "example.org"},
    {"id": "c", "text": "Body c."},
]


def _metadata_of(documents: pl.DataFrame) -> list[dict]:
    return documents.sort("row").select("record", "url", "domain", "published_at", "authors", "metadata").to_dicts()


def test_every_format_and_parser_path_keeps_the_same_metadata(tmp_path):
    keep = {"keep_fields": ["type", "keywords"]}
    jsonl = "\n".join(json.dumps(record) for record in RECORDS) + "\n"
    fast = _documents(tmp_path / "fast", "feed.jsonl", jsonl, **keep)
    slow = _documents(tmp_path / "slow", "feed.jsonl", jsonl.replace("\n", "\n\n", 1), **keep)  # a blank line
    array = _documents(tmp_path / "array", "feed.json", json.dumps(RECORDS), **keep)
    parquet_path = tmp_path / "pq" / "feed.parquet"
    parquet_path.parent.mkdir()
    pl.DataFrame(RECORDS[:1]).write_parquet(parquet_path)
    parquet = ingest_files(tmp_path / "pq", ["feed.parquet"], IngestSettings(**keep)).documents
    expected = _metadata_of(fast)
    assert expected[0] == {"record": "a", "url": "https://www.example.com/a", "domain": "example.com",
                           "published_at": datetime(2020, 5, 1, 8, tzinfo=UTC), "authors": ["Ann Lee", "Bo Chen"],
                           "metadata": expected[0]["metadata"]}
    assert json.loads(expected[0]["metadata"]) == {"type": "satire", "keywords": ["x", "y"]}
    assert expected[1]["record"] == "https://example.org/b"  # no id: the url is the record's key
    assert expected[1]["authors"] == ["Cy Dunn"] and expected[1]["domain"] == "example.org"
    assert expected[1]["published_at"] == datetime(2020, 5, 1, 8, tzinfo=UTC)
    assert expected[2]["url"] is None and expected[2]["metadata"] is None and expected[2]["authors"] is None
    for other in (slow, array):
        got = _metadata_of(other)
        for left, right in zip(got, expected, strict=True):
            assert {**left, "metadata": json.loads(left["metadata"] or "null")} == \
                {**right, "metadata": json.loads(right["metadata"] or "null")}
    assert _metadata_of(parquet)[0]["authors"] == ["Ann Lee", "Bo Chen"]
    assert json.loads(_metadata_of(parquet)[0]["metadata"]) == {"type": "satire", "keywords": ["x", "y"]}


def test_csv_columns_are_metadata_too(tmp_path):
    csv = "id,title,content,url,authors,published\n1,T,Body.,http://www.a.example/x,\"A B, C D\",2021-01-02\n"
    row = _documents(tmp_path, "export.csv", csv).row(0, named=True)
    assert (row["url"], row["domain"], row["authors"], row["published"]) == \
        ("http://www.a.example/x", "a.example", ["A B", "C D"], "2021-01-02")
    assert row["published_at"] == datetime(2021, 1, 2, tzinfo=UTC)


def test_a_table_of_an_older_schema_gains_the_new_columns(tmp_path):
    from deltalake import write_deltalake

    root = tmp_path / "documents"
    write_deltalake(str(root), pa.table({"doc_id": ["d1"], "run_id": ["r1"]}))
    full = pa.schema([("doc_id", pa.large_string()), ("url", pa.large_string()),
                      ("authors", pa.large_list(pa.large_string())), ("run_id", pa.large_string())])
    table = ensure_table(root, full)
    assert set(table.schema().to_arrow().names) == {"doc_id", "url", "authors", "run_id"}
    assert pl.read_delta(str(root)).row(0, named=True) == {"doc_id": "d1", "run_id": "r1", "url": None,
                                                            "authors": None}


def test_a_fresh_run_on_data_raw_keeps_the_columns_samples_metadata(tmp_path):
    run_local(RAW_SAMPLES, tmp_path / "out", Settings.load(None, ['ingest.keep_fields=["section"]']))
    columns = (pl.read_delta(str(tmp_path / "out" / "documents")).filter(pl.col("source") == "columns.jsonl")
               .sort("record").to_dicts())
    assert [row["domain"] for row in columns] == ["islands-gazette.example"] * 3
    assert [row["published_at"].date().isoformat() for row in columns] == ["2026-11-03", "2026-11-11", "2026-11-20"]
    assert [row["authors"] for row in columns] == [["Morag Innes"], ["Ewan Tait", "Kirsty Flett"], ["Isla Rendall"]]
    assert [json.loads(row["metadata"]) if row["metadata"] else None for row in columns] == \
        [None, {"section": "education"}, {"section": "community"}]


def test_both_jsonl_paths_write_the_same_metadata_text(tmp_path):
    """Byte for byte, whether polars or the per-record parser read the file (a blank line forces
    the latter): compact JSON, null fields left out, objects with their own keys only."""
    records = [{"id": "1", "text": "A.", "published": {"$date": 1474243200000}, "tags": ["x", "ü"], "type": None,
                "meta": {"a": 1}},
               {"id": "2", "text": "B.", "published": "2020-01-01", "tags": None, "type": "satire", "meta": {"b": 2}}]
    jsonl = "\n".join(json.dumps(record) for record in records) + "\n"
    keep = {"keep_fields": ["tags", "type", "meta"]}
    fast = _documents(tmp_path / "fast", "f.jsonl", jsonl, **keep).sort("row").select("published", "metadata")
    slow = _documents(tmp_path / "slow", "f.jsonl", jsonl.replace("\n", "\n\n", 1), **keep).sort("row") \
        .select("published", "metadata")
    assert fast.to_dicts() == slow.to_dicts()
    assert fast.to_dicts()[0] == {"published": '{"$date":1474243200000}', "metadata": '{"tags":["x","ü"],"meta":{"a":1}}'}
    assert fast.to_dicts()[1]["metadata"] == '{"type":"satire","meta":{"b":2}}'


def test_a_lone_surrogate_in_metadata_rejects_that_record_only(tmp_path):
    data = '[{"id": "1", "text": "Fine."}, {"id": "2", "text": "Body.", "author": "Bad \\udfff name"}]'
    write(tmp_path / "a.json", data)
    result = ingest_files(tmp_path, ["a.json"], IngestSettings())
    assert result.documents["record"].to_list() == ["1"]
    assert result.rejects.filter(pl.col("reason") == "invalid_unicode")["record"].to_list() == ["2"]


def test_parquet_dates_and_times_are_read_as_dates(tmp_path):
    frame = pl.DataFrame({"id": ["1", "2"], "text": ["A.", "B."],
                          "published": [datetime(2016, 9, 19, 10, tzinfo=UTC), None]})
    (tmp_path / "pq").mkdir()
    frame.write_parquet(tmp_path / "pq" / "d.parquet")
    frame.with_columns(published=pl.col("published").dt.date()).write_parquet(tmp_path / "pq" / "e.parquet")
    documents = ingest_files(tmp_path / "pq", ["d.parquet", "e.parquet"], IngestSettings()).documents.sort("source", "row")
    assert documents["published_at"].to_list() == [datetime(2016, 9, 19, 10, tzinfo=UTC), None,
                                                   datetime(2016, 9, 19, tzinfo=UTC), None]
