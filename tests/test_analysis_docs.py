"""Every query in docs/ANALYSIS.md runs against a real output folder."""

import re
from pathlib import Path

import pytest

from cleaners.analysis import duckdb_connection
from cleaners.pipeline import run_local
from tests.conftest import RAW_SAMPLES, REPO

DOC = (REPO / "docs" / "ANALYSIS.md").read_text(encoding="utf-8")
SQL = re.findall(r"```sql\n(.*?)```", DOC, flags=re.S)
PYTHON = re.findall(r"```python\n(.*?)```", DOC, flags=re.S)


@pytest.fixture(scope="module")
def output(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("analysis") / "clean"
    run_local(RAW_SAMPLES, out)
    run_local(RAW_SAMPLES, out)  # a second run: the views must not double-count
    return out


def test_views_count_each_row_once(output):
    from cleaners.output import list_runs

    runs = list_runs(output)
    assert len(runs) == 2
    counts = runs[-1]["counts"]
    connection = duckdb_connection(output)
    for table in ("documents", "lines", "rejects", "flags"):
        assert connection.sql(f"SELECT count(*) FROM {table}").fetchall() == [(counts[table],)]


def test_the_doc_has_queries():
    assert len(SQL) >= 3 and len(PYTHON) >= 3


@pytest.mark.parametrize("index", range(len(SQL)))
def test_duckdb_queries(output, index):
    """Every SQL block, on the documented connection (no DuckDB extension, so no network)."""
    connection = duckdb_connection(output)
    rows = connection.sql(SQL[index]).fetchall()
    assert rows
    assert connection.sql("SELECT count(*) FROM duckdb_extensions() WHERE loaded AND extension_name = 'delta'"
                          ).fetchall() == [(0,)]


@pytest.mark.parametrize("index", range(len(PYTHON)))
def test_python_snippets(output, index, capsys):
    exec(compile(PYTHON[index].replace("data/clean", str(output)), f"ANALYSIS.md python block {index}", "exec"), {})
    assert capsys.readouterr().out.strip()


@pytest.mark.parametrize(("marker", "expected"), [
    ('pl.col("status") == "boilerplate"', ["Story Continued Below", "Read More"]),
    ("Rail strike ends after talks", ["wire-feed.jsonl", "true", "false"]),
    ('pl.col("duplicate_of_doc_id") != pl.col("doc_id")', ["columns.jsonl"]),
    ("by_month", ["islands-gazette.example", "2026-11", "Ewan Tait"]),
    ('"harbour-visas.txt", pl.col("status") != "kept"', ["duplicate", "empty"]),
])
def test_each_recipe_answers_its_question(output, capsys, marker, expected):
    """The recipes' answers on data/raw, checked against what the samples hold."""
    block = next(block for block in PYTHON if marker in block)
    exec(compile(block.replace("data/clean", str(output)), "ANALYSIS.md recipe", "exec"), {})
    printed = capsys.readouterr().out
    for text in expected:
        assert text in printed, printed
