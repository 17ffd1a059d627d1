"""Shared fixtures. Step tests are Prefect-free; flow tests carry the ``prefect`` marker and share
one session-scoped Prefect test harness (started only if such a test runs)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("TEXTWASH_SHARED", REPO.parent / "shared"))
SEED = SHARED / "seed" / "us-denies-visas-chechen.txt"
CORPORA = SHARED / "corpora"
FAKENEWSCORPUS_CSV = CORPORA / "fakenewscorpus" / "news_sample.csv"
FAKENEWSNET_DATA = CORPORA / "fakenewsnet" / "Data"
RAW_SAMPLES = REPO / "data" / "raw"


def pytest_configure(config: pytest.Config) -> None:
    # Never touch the user's ~/.prefect from tests, whatever imports Prefect first.
    if "PREFECT_HOME" not in os.environ:
        os.environ["PREFECT_HOME"] = tempfile.mkdtemp(prefix="textwash-prefect-")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")


def pytest_sessionstart(session: pytest.Session) -> None:
    if not SEED.is_file() or not FAKENEWSCORPUS_CSV.is_file() or not FAKENEWSNET_DATA.is_dir():
        raise pytest.UsageError(f"../shared is missing (looked in {SHARED}); the real-data tests need it")


@pytest.fixture(scope="session")
def prefect_harness():
    """One temporary Prefect server and PREFECT_HOME for every flow test in the session."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


def write(path: Path, data: str | bytes) -> Path:
    """Write text (UTF-8) or bytes to ``path``, creating folders."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(data, encoding="utf-8")
    return path
