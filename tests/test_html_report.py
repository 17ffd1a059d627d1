"""The HTML report: written after every run, self-contained, escaped, and checked in headless
Chromium (no console error or exception, charts with the tables' data, a screenshot that is not
blank). ``make test`` installs Chromium; these tests never skip without it."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import polars as pl
import pytest

from cleaners.document_view import run_tables
from cleaners.html_report import collect, render, report_location
from cleaners.output import latest_run, scan_table
from cleaners.pipeline import ReportWarning, run_local
from flows.cli import main
from tests.chromium import Browser, distinct_colours, png_pixels, screenshot
from tests.conftest import FAKENEWSCORPUS_CSV, FAKENEWSNET_DATA, RAW_SAMPLES, write


def copies(folder: Path, sources: list[Path]) -> Path:
    """A folder of copies of ``sources`` (links out of the input folder are refused by design)."""
    folder.mkdir(parents=True)
    for number, source in enumerate(sources):
        shutil.copyfile(source, folder / f"{number:04d}-{source.name}")
    return folder


@pytest.fixture(scope="module")
def raw_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("raw") / "clean"
    return out, run_local(RAW_SAMPLES, out)


@pytest.fixture(scope="module")
def corpora_run(tmp_path_factory):
    """Real scraped news: the FakeNewsCorpus sample and 150 FakeNewsNet pages (syndicated copies
    and boilerplate among them)."""
    base = tmp_path_factory.mktemp("corpora")
    pages = sorted(FAKENEWSNET_DATA.glob("*/*/*-Webpage.json"))[:150]
    out = base / "clean"
    return out, run_local(copies(base / "in", [FAKENEWSCORPUS_CSV, *pages]), out)


@pytest.fixture(scope="module")
def browser():
    with Browser() as started:
        yield started


def run_rows(out: Path, manifest: dict, table: str) -> pl.DataFrame:
    return scan_table(out, table, manifest["attempt"]).filter(pl.col("run_id") == manifest["run_id"]).collect()


# ------------------------------------------------------------------ written after every run

def test_every_run_writes_its_report_beside_the_tables(raw_run):
    out, manifest = raw_run
    place = report_location(out, manifest["run_id"])
    assert place == out / "reports" / f"{manifest['run_id']}.html"
    html = place.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and html.rstrip().endswith("</html>")
    assert manifest["run_id"] in html and manifest["input_dir"] in html
    assert sorted(path.name for path in place.parent.iterdir()) == [place.name]  # no temporary file left


def test_same_tables_give_the_same_bytes(raw_run, tmp_path):
    out, manifest = raw_run
    first = render(collect(run_tables(out)))
    assert first == render(collect(run_tables(out)))
    assert first == report_location(out, manifest["run_id"]).read_text(encoding="utf-8")
    assert main(["report", str(out), "-o", str(tmp_path / "again.html")]) == 0
    assert (tmp_path / "again.html").read_text(encoding="utf-8") == first


def test_report_command_options(raw_run, tmp_path, capsys):
    out, manifest = raw_run
    assert main(["report", str(out), "--run", manifest["run_id"][:8], "-o", "-"]) == 0
    assert capsys.readouterr().out == report_location(out, manifest["run_id"]).read_text(encoding="utf-8")
    assert main(["report", str(out), "--run", "ffffffffffff"]) == 1
    assert "no committed run 'ffffffffffff'" in capsys.readouterr().err
    assert main(["report", str(tmp_path / "nothing")]) == 1


def test_report_is_self_contained(raw_run):
    out, manifest = raw_run
    html = report_location(out, manifest["run_id"]).read_text(encoding="utf-8")
    assert not re.search(r"""(?i)\b(?:src|href)\s*=\s*(?:"(?!#)|'(?!#)|[^"'#\s>])""", html)  # in-page links only
    assert not re.search(r"(?i)<link\b|@import|url\(|<iframe|<object|<embed", html)
    assert html.count("<script>") == 1 and "<style>" in html and "<svg" in html


def test_a_failing_report_warns_and_the_run_stays_committed(tmp_path, monkeypatch):
    import cleaners.html_report

    def refuse(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(cleaners.html_report, "write_report", refuse)
    with pytest.warns(ReportWarning, match="disk full"):
        manifest = run_local(RAW_SAMPLES, tmp_path / "out")
    assert latest_run(tmp_path / "out")["attempt"] == manifest["attempt"]
    assert not report_location(tmp_path / "out", manifest["run_id"]).exists()
    assert scan_table(tmp_path / "out", "documents").collect().height == manifest["counts"]["documents"]


def test_an_incremental_run_reports_its_own_rows(tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(RAW_SAMPLES, raw)
    incremental = ["run.incremental=true"]
    from cleaners.settings import Settings

    first = run_local(raw, tmp_path / "out", Settings.load(None, incremental))
    write(raw / "late.txt", "A late story\n\nThe ferry timetable changes on Monday, the harbour office said.\n")
    second = run_local(raw, tmp_path / "out", Settings.load(None, incremental))
    assert second["counts"]["documents"] == 1
    for manifest in (first, second):
        data = collect(run_tables(tmp_path / "out", manifest["attempt"]))
        rows = run_rows(tmp_path / "out", manifest, "lines")
        assert dict(data.lines_by_status) == dict(rows.group_by("status").len().iter_rows())
        assert report_location(tmp_path / "out", manifest["run_id"]).exists()
    html = report_location(tmp_path / "out", second["run_id"]).read_text(encoding="utf-8")
    assert "late.txt" in html and "harbour-visas.txt" not in html


def test_the_report_goes_to_object_storage_too(s3_server, tmp_path):
    import s3fs

    from tests.conftest import new_bucket

    bucket = new_bucket(s3_server)
    manifest = run_local(RAW_SAMPLES, f"{bucket}/clean")
    store = s3fs.S3FileSystem(skip_instance_cache=True)
    key = f"{bucket.removeprefix('s3://')}/clean/reports/{manifest['run_id']}.html"
    html = store.cat_file(key).decode("utf-8")
    assert manifest["run_id"] in html and "harbour-visas.txt" in html
    assert main(["report", f"{bucket}/clean", "-o", str(tmp_path / "copy.html")]) == 0
    assert (tmp_path / "copy.html").read_text(encoding="utf-8") == html


def test_artifact_keys_name_the_output_folder():
    import re

    from flows.report import artifact_key, folder_key

    keys = {folder_key(path) for path in ("/srv/a/clean", "/srv/b/clean", "s3://news/clean", "/srv/a/clean/")}
    assert len(keys) == 3  # one per folder; a trailing slash is the same folder
    for path in ("/srv/a/clean", "/data/Clean Output_2026!", "s3://bucket/x", "/", "/tmp/ünïcode"):
        key = artifact_key("run", path)
        assert re.fullmatch(r"[a-z0-9-]+", key) and key.startswith("textwash-run-") and "--" not in key
    assert folder_key("/data/Clean Output_2026!").startswith("clean-output-2026-")


# ------------------------------------------------------------------ in Chromium

def test_the_error_capture_catches_errors(browser, tmp_path):
    """The check below can fail: a page with a console error, an uncaught exception and a missing
    image gives all three; a clean page gives none."""
    write(tmp_path / "bad.html", "<!DOCTYPE html><html><body><p>x</p><img src='missing.png'>"
          "<script>console.error('deliberate console error'); throw new Error('deliberate exception')</script>")
    browser.load((tmp_path / "bad.html").as_uri())
    errors = browser.errors()
    assert any("deliberate console error" in error for error in errors)
    assert any("deliberate exception" in error for error in errors)
    assert any("missing.png" in error or "Failed to load" in error for error in errors)
    write(tmp_path / "good.html", "<!DOCTYPE html><html><body><p>fine</p><script>console.log('ok')</script>")
    browser.load((tmp_path / "good.html").as_uri())
    assert browser.errors() == []


def chart_marks(browser: Browser, chart: str) -> list[tuple[str, float]]:
    return [(label, float(value)) for label, value in browser.evaluate(
        f"Array.from(document.querySelectorAll('svg[data-chart=\"{chart}\"] .mark')).map("
        "m => [m.dataset.label, m.dataset.value])")]


@pytest.mark.parametrize("which", ["raw_run", "corpora_run"])
def test_report_loads_cleanly_and_its_charts_hold_the_tables_data(which, browser, request):
    out, manifest = request.getfixturevalue(which)
    url = report_location(out, manifest["run_id"]).as_uri()
    browser.load(url)
    assert browser.errors() == []
    assert browser.requests() == [url]  # nothing fetched: works offline

    lines = run_rows(out, manifest, "lines")
    statuses = dict(lines.group_by("status").len().iter_rows())
    assert dict(chart_marks(browser, "lines-by-status")) == pytest.approx(statuses)
    fixes = dict(lines.select(pl.col("fixes").explode().drop_nulls()).group_by("fixes").len().iter_rows())
    assert dict(chart_marks(browser, "fixes")) == pytest.approx(fixes)
    flags = run_rows(out, manifest, "flags")
    assert dict(chart_marks(browser, "flags-by-kind")) == pytest.approx(dict(flags.group_by("kind").len().iter_rows()))
    families = lines.filter(pl.col("status") == "boilerplate")["boilerplate_cluster_id"].n_unique()
    assert len(chart_marks(browser, "boilerplate")) == min(10, families) > 0
    documents = run_rows(out, manifest, "documents")
    sizes = documents.filter(pl.col("dup_cluster_size") > 1).unique("dup_cluster_id")["dup_cluster_size"]
    histogram = chart_marks(browser, "cluster-sizes")
    assert sum(value for _, value in histogram) == sizes.len() > 0
    if sizes.n_unique() <= 12:
        assert {int(label) for label, _ in histogram} == set(sizes.to_list())
    assert browser.evaluate("document.querySelectorAll('svg.chart rect.bar').length") == browser.evaluate(
        "document.querySelectorAll('svg.chart .mark').length")

    # Every flag is listed with its source and sentence; each flagged document is in the sample.
    flag_rows = browser.evaluate("document.querySelectorAll('table.flags mark').length")
    assert flag_rows == min(200, flags.height)
    sampled = set(browser.evaluate("Array.from(document.querySelectorAll('article')).map(a => a.id)"))
    assert {f"doc-{doc_id}" for doc_id in flags["doc_id"]} <= sampled
    removed = browser.evaluate("document.querySelectorAll('article .line.removed del').length")
    assert removed > 0


def test_the_switch_shows_only_removed_and_flagged_lines(raw_run, browser):
    out, manifest = raw_run
    browser.load(report_location(out, manifest["run_id"]).as_uri())
    visible = "Array.from(document.querySelectorAll('article .line.kept')).filter(l => l.offsetParent !== null).length"
    before = browser.evaluate(visible)
    browser.evaluate("document.getElementById('compact').click()")
    after = browser.evaluate(visible)
    flagged = browser.evaluate("document.querySelectorAll('article .line.kept.flagged').length")
    assert before > after == flagged > 0
    assert browser.errors() == []


@pytest.mark.parametrize("which", ["raw_run", "corpora_run"])
def test_a_screenshot_of_the_report_is_not_blank(which, request, tmp_path):
    out, manifest = request.getfixturevalue(which)
    shot = screenshot(report_location(out, manifest["run_id"]).as_uri(), tmp_path / "report.png")
    width, height, rows = png_pixels(shot)
    assert (width, height) == (1280, 1600)
    assert distinct_colours(shot) > 100  # text, tables, coloured bars; a blank page has one colour
    # The check can fail: a blank page has a single colour.
    write(tmp_path / "blank.html", "<!DOCTYPE html><html><body></body></html>")
    assert distinct_colours(screenshot((tmp_path / "blank.html").as_uri(), tmp_path / "blank.png")) <= 2


# ------------------------------------------------------------------ hostile text

HOSTILE = "<script>window.pwned = 1; console.error('pwned')</script>"


def test_scraped_markup_is_shown_as_text_never_run(tmp_path, browser):
    """A line holding ``<script>`` is boilerplate in three documents (so it is in a chart label,
    the families table and the sampled documents), a title holds an ``<img onerror>``, and a
    kept line holds an SVG-closing tag: the page shows them as text and runs none."""
    for number in range(3):
        write(tmp_path / "in" / f"story-{number}.txt",
              f"<img src=x onerror=\"window.pwned=2\"> Story {number}\n\n"
              f"The {['ferry', 'bridge', 'market'][number]} reopened on day {number + 1}, officials said.\n\n"
              f"{HOSTILE}\n\n</svg></text><b>bold {number}</b>\n")
    manifest = run_local(tmp_path / "in", tmp_path / "out")
    lines = scan_table(tmp_path / "out", "lines").collect()
    assert lines.filter(pl.col("text") == HOSTILE)["status"].to_list() == ["boilerplate"] * 3
    browser.load(report_location(tmp_path / "out", manifest["run_id"]).as_uri())
    assert browser.errors() == []
    assert browser.evaluate("typeof window.pwned") == "undefined"
    assert browser.evaluate("document.querySelectorAll('script').length") == 1
    assert browser.evaluate("document.querySelectorAll('img, b').length") == 0
    text = browser.evaluate("document.body.innerText")
    assert HOSTILE in text and "<img src=x onerror=" in text and "</svg></text><b>bold 0</b>" in text
    labels = [label for label, _ in chart_marks(browser, "boilerplate")]
    assert any(label.startswith("<script>") for label in labels)


def test_a_very_long_line_is_cut_in_the_report_but_keeps_its_highlight():
    from cleaners.html_document import MAX_LINE_CHARS, line_html

    sentence = "The ministry is reportedly refusing to deny them the permits."
    text = sentence + " filler" * 2000
    flag = {"severity": "high", "kind": "contradiction", "explanation": "refusing (−) to deny (−)"}
    line = {"line_no": 3, "status": "kept", "removed": False, "reason": "kept", "text": text, "fixes": [],
            "flags": [0], "segments": [{"text": sentence, "flag": 0}, {"text": text[len(sentence):], "flag": None}]}
    html = line_html(line, [flag])
    assert f">{sentence}</mark>" in html
    assert f"{len(text) - MAX_LINE_CHARS:,} more characters" in html
    assert len(html) < MAX_LINE_CHARS + 1000


def test_a_flag_far_into_a_long_line_is_still_highlighted():
    from cleaners.html_document import MAX_LINE_CHARS, line_html

    before, sentence = "word " * 2000, "The ministry refused to deny the permits."
    flag = {"severity": "high", "kind": "contradiction", "explanation": "refusing (−) to deny (−) ⇒ …"}
    line = {"line_no": 3, "text": before + sentence + " tail", "removed": False, "status": "kept", "reason": "",
            "fixes": [], "flags": [0],
            "segments": [{"text": before, "flag": None}, {"text": sentence, "flag": 0}, {"text": " tail", "flag": None}]}
    assert len(before) > MAX_LINE_CHARS
    rendered = line_html(line, [flag])
    assert f'<mark class="sev-high" title="refusing (−) to deny (−) ⇒ …">{sentence}</mark>' in rendered
    assert "characters …" in rendered
