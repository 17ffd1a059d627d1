"""The CLI's help and inspect, without Prefect (``run`` is exercised in test_flow.py)."""

import subprocess
import sys

from cleaners.pipeline import run_local
from flows.cli import main
from tests.conftest import RAW_SAMPLES


def test_help_names_commands_and_settings():
    out = subprocess.run([sys.executable, "-m", "flows.cli", "--help"], capture_output=True, text=True, check=True)
    assert "run" in out.stdout and "inspect" in out.stdout
    out = subprocess.run([sys.executable, "-m", "flows.cli", "run", "--help"], capture_output=True, text=True, check=True)
    for word in ("--config", "--set", "[normalise]", "repeated_paragraphs", "keep_fields", "PREFECT_API_URL", "data/raw",
                 "data/clean", "exit codes", "--quiet"):
        assert word in out.stdout


def test_inspect_prints_latest_run(tmp_path, capsys):
    manifest = run_local(RAW_SAMPLES, tmp_path)
    assert main(["inspect", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert manifest["run_id"] in out
    assert "lines by status" in out and "malformed_json" in out and "mojibake" in out


def test_inspect_without_runs_says_so(tmp_path, capsys):
    assert main(["inspect", str(tmp_path)]) == 1
    assert "no committed run" in capsys.readouterr().err


def test_run_refuses_missing_input_and_bad_settings(tmp_path, capsys):
    assert main(["run", str(tmp_path / "missing"), str(tmp_path / "out")]) == 2
    assert main(["run", str(RAW_SAMPLES), str(tmp_path / "out"), "--set", "ingest.max_record_chars=-1"]) == 2
    assert not (tmp_path / "out").exists()


def test_reindex_command_rebuilds_the_index(tmp_path, capsys):
    from cleaners import index

    run_local(RAW_SAMPLES, tmp_path)
    before = index.indexed_files(tmp_path)
    import shutil

    shutil.rmtree(tmp_path / "index")
    assert main(["reindex", str(tmp_path)]) == 0
    assert index.indexed_files(tmp_path) == before
    assert "'runs': 1" in capsys.readouterr().out


def test_run_without_prefect_on_a_worker_pool(tmp_path, capsys, monkeypatch):
    import cleaners.plan
    from cleaners.output import latest_run

    monkeypatch.setattr(cleaners.plan, "MIN_BYTES_PER_WORKER", 1)  # a pool of two even for the samples
    assert main(["run", str(RAW_SAMPLES), str(tmp_path / "out"), "--task-runner", "local", "--workers", "2"]) == 0
    assert "lines by status" in capsys.readouterr().out
    reference = run_local(RAW_SAMPLES, tmp_path / "ref")
    manifest = latest_run(tmp_path / "out")
    assert manifest["run_id"] == reference["run_id"] and manifest["counts"] == reference["counts"]
    assert manifest["layout"]["shards"] == 4


def test_an_output_folder_inside_the_input_is_refused(tmp_path, capsys):
    import shutil

    import pytest

    from cleaners.pipeline import FolderError

    raw = tmp_path / "raw"
    shutil.copytree(RAW_SAMPLES, raw)
    for output in (raw / "clean", raw):
        assert main(["run", str(raw), str(output), "--task-runner", "local"]) == 2
        assert "is inside the input folder" in " ".join(capsys.readouterr().err.split())
        with pytest.raises(FolderError):
            run_local(raw, output)
    assert not (raw / "clean").exists()


def test_inspect_prints_hostile_titles_as_text(tmp_path, capsys):
    """Scraped text is never rich markup: a title with "[/b]" neither crashes nor vanishes."""
    raw = tmp_path / "raw"
    raw.mkdir()
    body = " ".join(f"Sentence {n} of a story about the harbour [red]x[/red] and its crews." for n in range(30))
    (raw / "a.jsonl").write_text("".join(
        f'{{"id": "{n}", "title": "[VIDEO] Watch [/b] this", "text": "{body}"}}\n' for n in (1, 2)))
    run_local(raw, tmp_path / "out")
    assert main(["inspect", str(tmp_path / "out")]) == 0
    out = capsys.readouterr().out
    assert "[VIDEO] Watch [/b] this" in out  # (the near-duplicate clusters table shows the title)
    assert "Delta tables:" in out and "[dim]" not in out
    assert main(["runs", str(tmp_path / "out")]) == 0
    assert "[dim]" not in capsys.readouterr().out
