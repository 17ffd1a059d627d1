"""Every query in docs/ANALYSIS.md runs against a real output folder."""

import re
from pathlib import Path

import duckdb
import pytest

from cleaners.pipeline import run_local
from tests.conftest import RAW_SAMPLES, REPO

DOC = (REPO / "docs" / "ANALYSIS.md").read_text(encoding="utf-8")
SQL = re.findall(r"```sql\n(.*?)```", DOC, flags=re.S)
PYTHON = re.findall(r"```python\n(.*?)```", DOC, flags=re.S)


@pytest.fixture(scope="module")
def output(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("analysis") / "clean"
    run_local(RAW_SAMPLES, out)
    return out


def test_the_doc_has_queries():
    assert len(SQL) >= 3 and len(PYTHON) >= 3


@pytest.mark.parametrize("index", range(len(SQL)))
def test_duckdb_queries(output, index):
    rows = duckdb.sql(SQL[index].replace("data/clean", str(output))).fetchall()
    assert rows


@pytest.mark.parametrize("index", range(len(PYTHON)))
def test_python_snippets(output, index, capsys):
    exec(compile(PYTHON[index].replace("data/clean", str(output)), f"ANALYSIS.md python block {index}", "exec"), {})
    assert capsys.readouterr().out.strip()
