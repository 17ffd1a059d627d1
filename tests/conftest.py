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


def _raw_counts() -> tuple[int, int]:
    """Accepted documents and their lines in data/raw, by ingest and the line splitter alone (what
    every runner's tables must hold, whatever ran them)."""
    from cleaners.ingest import discover, ingest_files
    from cleaners.lines import split_lines
    from cleaners.settings import Settings

    documents = ingest_files(RAW_SAMPLES, discover(RAW_SAMPLES), Settings().ingest).documents
    return documents.height, split_lines(documents).height


RAW_DOCUMENTS, RAW_LINES = _raw_counts()


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


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory):
    """A real S3-compatible server (moto's standalone server) on 127.0.0.1, for this session.

    The AWS environment variables point every client at it (botocore for fsspec, object_store
    for polars and deltalake) exactly as a user's would point at their store.
    """
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    log = open(tmp_path_factory.mktemp("moto") / "moto.log", "w")
    server = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                              stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    endpoint = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(endpoint, timeout=1)
            break
        except OSError as error:
            if getattr(error, "code", None):  # an HTTP answer, even an error, means it is up
                break
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("moto server did not start") from error
            time.sleep(0.2)
    environment = {"AWS_ENDPOINT_URL": endpoint, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                   "AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "us-east-1", "AWS_ALLOW_HTTP": "true"}
    saved = {key: os.environ.get(key) for key in environment}
    os.environ.update(environment)
    try:
        yield environment
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        server.terminate()
        server.wait(timeout=20)
        log.close()


def new_bucket(s3_server) -> str:
    """A fresh bucket on the test S3 server; returns ``s3://name``."""
    import uuid

    import s3fs

    name = f"tw-{uuid.uuid4().hex[:12]}"
    s3fs.S3FileSystem(skip_instance_cache=True).mkdir(name)
    return f"s3://{name}"
