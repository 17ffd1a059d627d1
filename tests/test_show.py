"""``textwash show``: one document as the pipeline saw it, in the terminal and as JSON."""

from __future__ import annotations

import json

import polars as pl
import pytest

from cleaners.document_view import AmbiguousSelector, NoDocument, _cluster_view, document_view, resolve
from cleaners.output import scan_table
from cleaners.pipeline import run_local
from flows.cli import main
from tests.conftest import RAW_SAMPLES, write


@pytest.fixture(scope="module")
def raw_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("show") / "clean"
    run_local(RAW_SAMPLES, out)
    return out, {table: scan_table(out, table).collect() for table in ("documents", "lines", "flags")}


@pytest.fixture(autouse=True)
def wide_terminal(monkeypatch):
    monkeypatch.setenv("COLUMNS", "400")  # rich wraps at the width; one table row per output line here
    monkeypatch.delenv("FORCE_COLOR", raising=False)


def show(capsys, *args):
    code = main(["show", *map(str, args)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def flagged_document(tables):
    flag = tables["flags"].sort("doc_id", "line_no").row(0, named=True)
    return tables["documents"].filter(pl.col("doc_id") == flag["doc_id"]).row(0, named=True), flag


def test_text_marks_removed_lines_with_their_reason_and_highlights_flagged_sentences(raw_run, capsys):
    out, tables = raw_run
    document, flag = flagged_document(tables)
    assert tables["documents"].filter(pl.col("source") == document["source"]).height == 1  # SOURCE alone names it
    code, text, err = show(capsys, document["source"], out)
    assert code == 0 and err == ""
    printed = [line.rstrip() for line in text.splitlines()]
    assert any(line.startswith("title") and document["title"] in line for line in printed)
    assert any(document["doc_id"] in line for line in printed)
    lines = tables["lines"].filter(pl.col("doc_id") == document["doc_id"]).sort("line_no")
    removed = lines.filter(pl.col("status") != "kept", pl.col("text") != "").row(0, named=True)
    at = next(i for i, line in enumerate(printed) if line.split()[:2] == [str(removed["line_no"]), "✗"])
    assert removed["text"] in printed[at] and printed[at + 1].strip() == f"╰ {removed['reason']}"
    kept = lines.filter(pl.col("status") == "kept").row(0, named=True)
    assert any(line.split()[:2] == [str(kept["line_no"]), "│"] and kept["text"] in line for line in printed)
    assert f"⟦{flag['sentence']}⟧" in text  # no colour in a pipe: brackets mark the highlight
    assert f"⚑ {flag['kind']} ({flag['severity']}): {flag['explanation']}" in text
    blank = lines.filter(pl.col("status") == "empty").row(0, named=True)
    assert any(line.split()[:3] == [str(blank["line_no"]), "✗", "∅"] for line in printed)


def test_json_is_one_object_with_every_line(raw_run, capsys):
    out, tables = raw_run
    document, flag = flagged_document(tables)
    code, text, _ = show(capsys, document["doc_id"], out, "--json")
    assert code == 0 and len(text.strip().splitlines()) == 1
    view = json.loads(text)
    assert set(view) >= {"document", "cluster", "lines", "flags", "counts", "run"}
    assert view["document"]["doc_id"] == document["doc_id"] and view["document"]["title"] == document["title"]
    lines = tables["lines"].filter(pl.col("doc_id") == document["doc_id"]).sort("line_no")
    assert [line["line_no"] for line in view["lines"]] == lines["line_no"].to_list()
    assert [line["status"] for line in view["lines"]] == lines["status"].to_list()
    assert [line["reason"] for line in view["lines"]] == lines["reason"].to_list()
    assert all(line["removed"] == (line["status"] != "kept") for line in view["lines"])
    assert all("".join(piece["text"] for piece in line["segments"]) == line["text"] for line in view["lines"])
    highlighted = [piece["text"] for line in view["lines"] for piece in line["segments"] if piece["flag"] is not None]
    assert flag["sentence"] in highlighted
    assert [f["explanation"] for f in view["flags"]] == (
        tables["flags"].filter(pl.col("doc_id") == document["doc_id"]).sort("line_no", "sentence_no")["explanation"]
        .to_list())
    assert view["run"]["run_id"] == tables["documents"]["run_id"][0]


def test_an_unknown_source_gives_one_line_with_a_did_you_mean(raw_run, capsys):
    out, tables = raw_run
    source = tables["documents"].filter(pl.col("format") == "txt")["source"].sort()[0]
    typo = source.replace("o", "0", 1)
    code, text, err = show(capsys, typo, out)
    assert code == 1 and text == ""
    assert len(err.splitlines()) == 1
    assert f"did you mean {source!r}" in err
    code, _, err = show(capsys, "nothing-like-any-file.xml", out)
    assert code == 1 and len(err.splitlines()) == 1 and "did you mean" not in err


def test_a_source_of_several_documents_says_how_to_pick_one(raw_run, capsys):
    out, tables = raw_run
    counts = tables["documents"].group_by("source").len().filter(pl.col("len") > 1).sort("source")
    source = counts["source"][0]
    code, text, err = show(capsys, source, out)
    assert code == 1 and text == ""
    records = tables["documents"].filter(pl.col("source") == source)["record"].to_list()
    for record in records:
        assert f"textwash show '{source}#{record}'" in err or f"textwash show {source}#{record}" in err
    record = sorted(records)[-1]
    code, text, _ = show(capsys, f"{source}#{record}", out)
    expected = tables["documents"].filter(pl.col("source") == source, pl.col("record") == record)
    assert code == 0 and expected["doc_id"][0] in text
    code, _, err = show(capsys, f"{source}#no-such-record", out)
    assert code == 1 and len(err.splitlines()) == 1 and source in err


def test_doc_ids_may_be_given_as_a_unique_prefix(raw_run, capsys):
    out, tables = raw_run
    doc_id = tables["documents"]["doc_id"].sort()[0]
    for given in (doc_id, doc_id[:8], doc_id[:8].upper()):
        code, text, _ = show(capsys, given, out, "--json")
        assert code == 0 and json.loads(text)["document"]["doc_id"] == doc_id
    code, _, err = show(capsys, doc_id[:7], out)
    assert code == 1 and "at least 8 hex digits" in err


def test_an_ambiguous_prefix_lists_the_documents():
    documents = pl.LazyFrame({"doc_id": ["abcdef0123456789", "abcdef01ffffffff", "1234567812345678"],
                              "source": ["a.txt", "b.txt", "c.txt"], "record": ["1", "1", "1"],
                              "title": ["A", "B", "C"]})
    with pytest.raises(AmbiguousSelector) as raised:
        resolve(documents, "abcdef01")
    assert {choice["doc_id"] for choice in raised.value.choices} == {"abcdef0123456789", "abcdef01ffffffff"}
    assert resolve(documents, "abcdef012") == "abcdef0123456789"
    with pytest.raises(NoDocument):
        resolve(documents, "abcdef02")


def test_a_near_duplicate_shows_its_cluster(raw_run, capsys):
    out, tables = raw_run
    documents = tables["documents"]
    copy = documents.filter(~pl.col("is_canonical")).row(0, named=True)
    canonical = documents.filter(pl.col("doc_id") == copy["dup_cluster_id"]).row(0, named=True)
    view = document_view(out, copy["doc_id"])
    cluster = view["cluster"]
    assert cluster["id"] == copy["dup_cluster_id"] and cluster["size"] == copy["dup_cluster_size"] > 1
    assert cluster["canonical"]["doc_id"] == canonical["doc_id"] and not cluster["is_canonical"]
    assert copy["doc_id"] not in {other["doc_id"] for other in cluster["others"]}
    code, text, _ = show(capsys, copy["doc_id"], out)
    line = next(line for line in text.splitlines() if line.startswith("cluster"))
    assert copy["dup_cluster_id"] in line and f"{copy['dup_cluster_size']} near-duplicate documents" in line
    assert f"{canonical['source']}#{canonical['record']}" in line
    code, text, _ = show(capsys, canonical["doc_id"], out)
    line = next(line for line in text.splitlines() if line.startswith("cluster"))
    assert "this is the canonical one" in line and f"{copy['source']}#{copy['record']}" in line
    alone = documents.filter(pl.col("dup_cluster_size") == 1).row(0, named=True)
    assert document_view(out, alone["doc_id"])["cluster"]["others"] == []


def test_a_large_cluster_lists_a_few_members_and_counts_the_rest():
    members = pl.DataFrame({"doc_id": [f"{n:016x}" for n in range(9)], "source": [f"s{n}.json" for n in range(9)],
                            "record": ["1"] * 9, "title": ["t"] * 9, "jaccard_to_canonical": [1.0] * 9})
    document = {"doc_id": f"{4:016x}", "dup_cluster_id": f"{0:016x}", "dup_cluster_size": 9, "is_canonical": False,
                "jaccard_to_canonical": 0.9}
    cluster = _cluster_view(document, members)
    listed = [other["doc_id"] for other in cluster["others"]]
    assert document["doc_id"] not in listed and document["dup_cluster_id"] not in listed
    assert len(listed) + cluster["others_not_listed"] == 9 - 2
    assert cluster["canonical"]["source"] == "s0.json"


def test_run_option_and_empty_output(raw_run, tmp_path, capsys):
    out, tables = raw_run
    source = tables["flags"]["source"][0]
    run_id = tables["documents"]["run_id"][0]
    assert show(capsys, source, out, "--run", run_id[:10])[0] == 0
    code, _, err = show(capsys, source, out, "--run", "0000000000")
    assert code == 1 and len(err.splitlines()) == 1 and "no committed run" in err
    code, _, err = show(capsys, source, tmp_path / "empty")
    assert code == 1 and "no committed run" in err


def test_markup_in_scraped_text_is_printed_as_text(tmp_path, capsys):
    write(tmp_path / "in" / "odd.txt", "A [bold]title[/bold]\n\n[red]not a style[/red] and <b>tags</b>\n")
    run_local(tmp_path / "in", tmp_path / "out")
    code, text, _ = show(capsys, "odd.txt", tmp_path / "out")
    assert code == 0
    assert "A [bold]title[/bold]" in text and "[red]not a style[/red] and <b>tags</b>" in text

