"""The seed and both shared corpora ingest with no unexpected rejects."""

import polars as pl

from cleaners.ingest import discover
from cleaners.pipeline import clean
from cleaners.settings import Settings
from tests.conftest import CORPORA, FAKENEWSCORPUS_CSV, FAKENEWSNET_DATA, SEED


def test_seed_ingests_with_headline_as_title_and_caption_twice():
    result = clean(SEED.parent, [SEED.name], Settings())
    assert result.rejects.is_empty()
    document = result.documents.row(0, named=True)
    assert document["title"] == "US Denies Visas to Gay Chechen Men Fleeing Persecution"
    kept = result.lines.filter(pl.col("status") == "kept")["text"].to_list()
    assert kept.count("Rex Tillerson Vladimir Putin") == 2
    assert kept[-1] == "Read the full story here."
    assert "will not confirm or deny the report" in document["text"]


def test_fakenewscorpus_csv_all_250_articles():
    result = clean(FAKENEWSCORPUS_CSV.parent, [FAKENEWSCORPUS_CSV.name], Settings())
    assert result.rejects.is_empty()
    assert result.documents.height == 250
    assert result.documents["record"].n_unique() == 250  # the CSV's own id column
    boiler = "% of readers think this story is Fact. Add your two cents."
    assert result.lines.filter(pl.col("text").str.contains(boiler, literal=True)).height > 5


def test_fakenewsnet_every_webpage_json():
    sources = [s for s in discover(FAKENEWSNET_DATA) if s.endswith("-Webpage.json")]
    assert len(sources) == 422
    result = clean(FAKENEWSNET_DATA, sources, Settings())
    assert result.rejects.is_empty()
    assert result.documents.height == 422
    assert set(result.documents["encoding"]) == {"utf-8"}


def test_whole_corpora_folder_only_rejects_what_is_not_an_article():
    result = clean(CORPORA, discover(CORPORA), Settings())
    # The licence file has no ending we read; every other file (csv, json, the txt id lists) is read.
    assert result.rejects.select("source", "reason").rows() == [("fakenewscorpus/LICENSE", "unsupported_format")]
    assert result.documents.height == 250 + 422 + 9
