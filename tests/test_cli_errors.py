"""Every error the command line can see before Prefect starts: one line, what and how to mend it,
and a documented exit code (``flows/preflight.py``). No test here starts Prefect."""

from __future__ import annotations

import socket

import pytest

from cleaners.pipeline import run_local
from cleaners.settings import Settings, SettingsError
from flows import preflight
from flows.cli import main
from tests.conftest import RAW_SAMPLES


def _one_line_error(capsys) -> str:
    captured = capsys.readouterr()
    lines = [line for line in captured.err.splitlines() if line.startswith("textwash: ")]
    assert len(lines) == 1, captured.err  # (other lines: progress notes such as "cleaning 6 files")
    return lines[0]


@pytest.fixture
def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])  # nothing listens there once closed


@pytest.mark.parametrize(("arguments", "code", "words"), [
    (["run", "{missing}", "{out}"], 2, ["does not exist"]),
    (["run", "{file}", "{out}"], 2, ["is a file, not a folder", "give the folder that holds it"]),
    (["run", "{raw}", "{file}"], 2, ["output", "is a file"]),
    (["run", "{raw}", "{file}/below"], 2, ["cannot be created", "is a file"]),
    (["run", "{raw}", "{out}", "--set", "dedup.fuzy_threshold=90"], 2, ["did you mean dedup.fuzzy_threshold?"]),
    (["run", "{raw}", "{out}", "--set", "ingest.fuzzy_threshold=90"], 2, ["belongs in [dedup]"]),
    (["run", "{raw}", "{out}", "--set", "dedup.fuzzy_threshold=900"], 2, ["dedup.fuzzy_threshold = 900", "<= 100"]),
    (["run", "{raw}", "{out}", "--set", "dedupe.enabled=false"], 2, ["unknown section [dedupe]", "[dedup]"]),
    (["run", "{raw}", "{out}", "--config", "{toml}"], 2, ["line 3", "unknown setting ingest.fuzzy_threshold"]),
    (["run", "{raw}", "{out}", "--config", "{bad_toml}"], 2, ["is not valid TOML", "line 2"]),
    (["run", "{raw}", "{out}", "--config", "{missing}"], 2, ["does not exist"]),
    (["run", "{raw}", "{out}", "--task-runner", "dask", "--dask-address", "tcp://127.0.0.1:{port}"], 2,
     ["no Dask scheduler answers", "connection refused"]),
    (["run", "{raw}", "{out}", "--task-runner", "dask", "--dask-address", "localhost"], 2, ["tcp://HOST:PORT"]),
    (["serve", "{raw}", "{out}", "--cron", "61 * * * *"], 2, ["is not a cron schedule", "Bad minute", "0 3 * * *"]),
    (["serve", "{raw}", "{out}", "--cron", "* * *"], 2, ["five fields"]),
])
def test_each_mistake_is_one_line_before_prefect_starts(tmp_path, capsys, closed_port, arguments, code, words,
                                                        monkeypatch):
    monkeypatch.setenv("PREFECT_API_URL", "http://127.0.0.1:9/api")  # nothing listens: Prefect must not be used
    (tmp_path / "a-file.txt").write_text("x")
    (tmp_path / "settings.toml").write_text('[ingest]\ntext_fields = ["body"]\nfuzzy_threshold = 90\n')
    (tmp_path / "bad.toml").write_text('[ingest]\ntext_fields = body\n')
    places = {"missing": tmp_path / "missing", "file": tmp_path / "a-file.txt", "out": tmp_path / "out",
              "raw": RAW_SAMPLES, "toml": tmp_path / "settings.toml", "bad_toml": tmp_path / "bad.toml",
              "port": closed_port}
    assert main([argument.format(**places) for argument in arguments]) == code
    line = _one_line_error(capsys)
    for word in words:
        assert word in line, line
    assert not (tmp_path / "out").exists()


def test_an_empty_input_warns_and_commits_nothing(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    assert main(["run", str(tmp_path / "empty"), str(tmp_path / "out"), "--task-runner", "local"]) == preflight.OK
    assert "nothing to clean, nothing committed" in _one_line_error(capsys)
    assert not (tmp_path / "out" / "runs").exists()


def test_inspect_of_an_unknown_run_lists_the_runs_there_are(tmp_path, capsys):
    manifest = run_local(RAW_SAMPLES, tmp_path)
    assert main(["inspect", str(tmp_path), "--run", "deadbeef"]) == preflight.NOT_FOUND
    line = _one_line_error(capsys)
    assert "no run 'deadbeef'" in line and manifest["run_id"][:12] in line and "1 runs" in line


def test_a_run_that_fails_is_one_line_and_code_3(tmp_path, capsys, monkeypatch):
    import cleaners.pipeline

    def broken(*_args, **_kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(cleaners.pipeline, "finish_run", broken)
    assert main(["run", str(RAW_SAMPLES), str(tmp_path / "out"), "--task-runner", "local"]) == preflight.RUN_FAILED
    line = _one_line_error(capsys)
    assert "run failed: OSError: disk full" in line and "-v" in line


def test_long_errors_are_not_wrapped_when_not_a_terminal(tmp_path, capsys):
    deep = tmp_path / ("a-very-long-folder-name-" * 6) / "missing"
    assert main(["run", str(deep), str(tmp_path / "out")]) == 2
    assert str(deep) in _one_line_error(capsys)


@pytest.mark.parametrize(("override", "message"), [
    ("dedup.fuzy_threshold=90", "unknown setting dedup.fuzy_threshold (did you mean dedup.fuzzy_threshold?)"),
    ("dedup.fuzzy_threshold=150", "dedup.fuzzy_threshold = 150: must be <= 100"),
    ("ingest.encodings=[\"utf-16\"]", "ingest.encodings = \"utf-16\": must be one of 'utf-8', 'cp1252' or 'latin-1'"),
    ("run.workers=abc", "run.workers = \"abc\": must be an integer"),
    ("dedup.enabled=maybe", "dedup.enabled = \"maybe\": must be true or false"),
    ("ingest.text_fields=body", "ingest.text_fields = \"body\": must be a list, e.g. [\"a\", \"b\"]"),
])
def test_settings_errors_say_what_and_how_to_mend_it(override, message):
    with pytest.raises(SettingsError) as error:
        Settings.load(None, [override])
    assert str(error.value) == message


def test_unknown_keys_without_a_close_match_list_the_valid_ones():
    with pytest.raises(SettingsError) as error:
        Settings.load(None, ["flags.zzz=1"])
    assert str(error.value) == "unknown setting flags.zzz (valid keys of [flags]: enabled)"
