"""The seed and both shared corpora go through the whole pipeline with no unexpected rejects."""

import shutil

import polars as pl
import pytest

from cleaners.ingest import discover
from cleaners.output import scan_table
from cleaners.pipeline import run_local
from tests.conftest import CORPORA, FAKENEWSCORPUS_CSV, FAKENEWSNET_DATA, SEED


def linked(folder, sources):
    """A folder of copies of ``sources`` (so a run reads exactly those files; links leading out of the
    input folder are refused, by design)."""
    folder.mkdir()
    for index, source in enumerate(sources):
        shutil.copyfile(source, folder / f"{index:04d}-{source.name}")
    return folder


def tables(output):
    return {table: scan_table(output, table).collect() for table in ("documents", "lines", "rejects")}


def test_seed_headline_title_caption_repeat_and_boilerplate(tmp_path):
    run_local(linked(tmp_path / "in", [SEED]), tmp_path / "out")
    out = tables(tmp_path / "out")
    assert out["rejects"].is_empty()
    document = out["documents"].row(0, named=True)
    assert document["title"] == "US Denies Visas to Gay Chechen Men Fleeing Persecution"
    captions = out["lines"].filter(pl.col("text") == "Rex Tillerson Vladimir Putin").sort("line_no")
    assert captions["status"].to_list() == ["kept", "duplicate"]
    assert captions["duplicate_of_line_no"].to_list() == [None, captions["line_no"][0]]
    assert captions["similarity"].to_list() == [None, 100.0]
    assert "repeats line" in captions["reason"][1]
    assert document["text"].count("Rex Tillerson Vladimir Putin") == 1
    assert "will not confirm or deny the report" in document["text"]


@pytest.fixture(scope="module")
def corpora_run(tmp_path_factory):
    base = tmp_path_factory.mktemp("corpora")
    sources = [FAKENEWSCORPUS_CSV, *sorted(FAKENEWSNET_DATA.glob("*/*/*-Webpage.json"))]
    manifest = run_local(linked(base / "in", sources), base / "out")
    return manifest, tables(base / "out")


def test_both_corpora_read_every_article(corpora_run):
    manifest, out = corpora_run
    assert out["rejects"].is_empty()
    assert out["documents"].height == 250 + 422
    assert set(out["documents"]["encoding"]) == {"utf-8"}
    csv_documents = out["documents"].filter(pl.col("format") == "csv")
    assert csv_documents["record"].n_unique() == 250  # the CSV's own id column


def test_corpora_boilerplate_is_the_known_lines(corpora_run):
    manifest, out = corpora_run
    boilerplate = out["lines"].filter(pl.col("status") == "boilerplate")
    texts = set(boilerplate["boilerplate_cluster_text"])
    assert {"Story Continued Below", "% of readers think this story is Fact. Add your two cents.", "Read More"} <= texts
    # Every boilerplate line says which cluster, how many documents, and how close it is.
    assert boilerplate.select(pl.col("boilerplate_cluster_docs").min()).item() >= 3
    assert boilerplate["similarity"].null_count() == 0
    assert boilerplate["reason"].str.contains("unrelated documents").all()


def test_corpora_near_duplicate_documents_are_clustered(corpora_run):
    manifest, out = corpora_run
    clusters = out["documents"].filter(pl.col("dup_cluster_size") > 1)
    assert clusters.height >= 10
    assert (clusters.group_by("dup_cluster_id").agg(pl.col("is_canonical").sum())["is_canonical"] == 1).all()
    assert clusters.filter(~pl.col("is_canonical"))["jaccard_to_canonical"].min() >= 0.7


def test_whole_corpora_folder_only_rejects_what_is_not_an_article():
    from cleaners.ingest import ingest_files
    from cleaners.settings import IngestSettings

    result = ingest_files(CORPORA, discover(CORPORA), IngestSettings())
    # The licence file has no ending we read; every other file (csv, json, the txt id lists) is read.
    assert result.rejects.select("source", "reason").rows() == [("fakenewscorpus/LICENSE", "unsupported_format")]
    assert result.documents.height == 250 + 422 + 9
