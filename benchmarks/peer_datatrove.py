"""Peer benchmark: the same two jobs as textwash's core, done with datatrove (0.10.1), timed alike.

Why: to know whether textwash's normalise + line dedup is fast or slow, compare it with an
established pipeline library on the same input and the same cores. datatrove (Hugging Face's
library for big web-text corpora) is the obvious peer: it has an ftfy formatter and exact
line/sentence deduplication, and runs on N local processes.

What runs (``run_datatrove``): one subprocess (``--child``), measured by
:func:`benchmarks.measure.run_measured` (wall time and peak RSS summed over the whole process
tree: the child, datatrove's ``multiprocess`` forkserver, its Manager and the N workers). It
runs three ``LocalPipelineExecutor`` stages in order (``depends=``), each with ``tasks=N,
workers=N``:

1. ``JsonlReader(input, text_key="text", id_key="id", glob_pattern="**/*.jsonl")`` (``title``
   goes to metadata) → ``FTFYFormatter()`` (datatrove's defaults: ``fix_text`` with encoding
   repair, HTML unescape "auto", terminal escapes, C1 controls, surrogates and control
   characters; *no* ligature, width, quote or line-break fixes and no Unicode normalisation)
   → ``JsonlWriter(work/ftfy, compression=None)`` (the ftfy'd text, so stage 3 need not run
   ftfy again) → ``SentenceDedupSignature(work/sigs, finder_workers=N)``;
2. ``SentenceFindDedups(work/sigs, work/dups)``: task *i* merges hash bucket *i* of every
   rank's sorted signatures;
3. ``JsonlReader(work/ftfy)`` → ``SentenceDedupFilter(work/dups)`` →
   ``JsonlWriter(work/output, compression=None)``.

The dedup configuration, the closest datatrove has to "exact dedup of repeated lines across the
corpus" (datatrove has no separate line-dedup step; ``SentDedupConfig.split_sentences=False``
makes its C4-style sentence dedup split on lines instead)::

    SentDedupConfig(n_sentences=1, split_sentences=False, min_doc_words=0,
                    min_num_sentences=0, min_words_to_remove_span=0,
                    norm_config=TextNormConfig(),  # the default
                    hash_config=HashConfig(precision=64, hash_fc="sha1"))
    # only_dedup_in_index=True, but no index is given, so every repeat counts

Why sha1 and not datatrove's default xxhash: datatrove passes ``str`` to
``xxhash.xxh64_intdigest``, which xxhash 4 rejects ("Strings must be encoded before hashing");
its ``processing`` extra pins ``xxhash<4``, but textwash pins xxhash 4.1.0. ``hash_fc="sha1"``
(the first 8 bytes of SHA-1 of the UTF-8 line, datatrove's own alternative) works with it; per
line it costs a little more than xxhash would: on syn-68 (305k hashed lines) 0.33 s against
0.09 s on one core, next to 14 s for ``simplify_text`` and about 25 s for ftfy.

What it removes, exactly:

- A *line* is an item of ``str.splitlines()`` of the ftfy'd text (``\\n``, ``\\r\\n`` and the
  other Unicode line breaks), so a paragraph between ``\\n\\n`` is one line.
- Lines are compared after ``simplify_text``: lowercased, every number → ``0``, punctuation →
  space, whitespace runs → one space, diacritics removed. Roughly textwash's line key (case,
  digits, punctuation and whitespace folded), so "exact" is exact *modulo* that folding. Lines
  that fold to nothing (blank, punctuation only) are never hashed and never removed.
- Every line whose 64-bit hash (SHA-1 prefix) occurs more than once *anywhere in the corpus*
  (repeats inside one document as well as across documents) is removed, except one occurrence:
  the one with the smallest (document number within its task, task rank, line number). That is
  not always the first occurrence in input order, but exactly one copy survives. With
  ``n_sentences=1`` only the repeated line itself goes, not its neighbours.
- In a document that lost lines, the kept lines are joined with ``\\n``: blank lines stay where
  they were (removing a paragraph leaves the blank lines around it), leading whitespace and a
  final line break are dropped. A document is dropped only if nothing is left; the word- and
  sentence-count thresholds are off (set to 0). On a corpus of syndicated copies that removes
  whole copies.
- No fuzzy matching, no near-duplicate documents, no boilerplate counting by document cluster:
  this is less work than textwash's dedup, which should be kept in mind when comparing.

The tokenizer: these steps build a word tokenizer in ``__init__`` even when (as here) it is
never called; for English that is spaCy's, which would need spaCy installed. A
``WhitespaceTokenizer`` instance is passed as ``language=`` instead: nothing calls it with
``split_sentences=False`` and the thresholds off, so results are unchanged and no spaCy or NLTK
is needed.

Input bytes are the sizes of the files read. ``docs_out`` counts the output lines;
``lines_removed`` is stage 3's ``removed_sentences`` counter (from ``stats.json``).

Usage::

    python -m benchmarks.peer_datatrove INPUT WORK --workers 2      # prints the result as JSON
    python -m benchmarks.peer_datatrove --child INPUT WORK WORKERS   # what the subprocess runs

The work directory is wiped first. datatrove is imported only in the child, so importing this
module does not need it (``pip install -c constraints.txt -e '.[bench]'``).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.measure import run_measured

ROOT = Path(__file__).resolve().parent.parent
GLOB = "**/*.jsonl"


def _wipe(work_dir: Path, input_dir: Path) -> None:
    """Remove ``work_dir``; refuse when that would remove the input (or ``/``)."""
    work, source = work_dir.resolve(), input_dir.resolve()
    if work == source or work in source.parents or work == Path(work.anchor):
        raise ValueError(f"refusing to wipe {work}: it holds the input {source}")
    shutil.rmtree(work, ignore_errors=True)


def _input_files(input_dir: Path) -> list[Path]:
    """The files datatrove's reader lists for ``GLOB`` (same listing code, so the same files)."""
    from datatrove.io import get_datafolder

    return [input_dir / name for name in get_datafolder(str(input_dir)).list_files(recursive=True,
                                                                                   glob_pattern=GLOB)]


def _stat_total(stats_path: Path, step_name: str, key: str) -> int | None:
    """``key``'s total in the merged ``stats.json`` of a stage, for the step whose name contains ``step_name``."""
    if not stats_path.exists():
        return None
    for step in json.loads(stats_path.read_text()):
        if step_name in step.get("name", "") and key in step.get("stats", {}):
            value = step["stats"][key]
            return int(value["total"] if isinstance(value, dict) else value)
    return None


def _child(input_dir: str, work_dir: str, workers: int) -> dict[str, Any]:
    """Run the three datatrove stages; only here is datatrove imported."""
    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.dedup import SentenceDedupFilter, SentenceDedupSignature, SentenceFindDedups
    from datatrove.pipeline.dedup.sentence_dedup import SentDedupConfig
    from datatrove.pipeline.formatters import FTFYFormatter
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.writers import JsonlWriter
    from datatrove.utils.hashing import HashConfig
    from datatrove.utils.text import TextNormConfig
    from datatrove.utils.word_tokenizers import WhitespaceTokenizer

    source, work = Path(input_dir), Path(work_dir)
    _wipe(work, source)  # a no-op after run_datatrove, which wipes before timing
    files = _input_files(source)
    if not files:
        raise SystemExit(f"no {GLOB} files under {source}")
    ftfy_dir, sigs, dups, output, logs = (work / name for name in ("ftfy", "sigs", "dups", "output", "logs"))
    config = SentDedupConfig(n_sentences=1, split_sentences=False, min_doc_words=0, min_num_sentences=0,
                             min_words_to_remove_span=0, norm_config=TextNormConfig(),
                             hash_config=HashConfig(precision=64, hash_fc="sha1"))
    tokenizer = WhitespaceTokenizer()  # never called in this configuration; avoids needing spaCy

    start = time.perf_counter()
    stage1 = LocalPipelineExecutor(
        pipeline=[
            JsonlReader(str(source), text_key="text", id_key="id", glob_pattern=GLOB),
            FTFYFormatter(),
            JsonlWriter(str(ftfy_dir), compression=None),
            SentenceDedupSignature(str(sigs), finder_workers=workers, config=config, language=tokenizer),
        ],
        tasks=workers, workers=workers, logging_dir=str(logs / "1-signatures"))
    stage2 = LocalPipelineExecutor(
        pipeline=[SentenceFindDedups(str(sigs), str(dups), config=config)],
        tasks=workers, workers=workers, logging_dir=str(logs / "2-find"), depends=stage1)
    stage3 = LocalPipelineExecutor(
        pipeline=[
            JsonlReader(str(ftfy_dir), text_key="text", id_key="id", glob_pattern="*.jsonl"),
            SentenceDedupFilter(str(dups), config=config, language=tokenizer),
            JsonlWriter(str(output), compression=None),
        ],
        tasks=workers, workers=workers, logging_dir=str(logs / "3-filter"), depends=stage2)

    stage1.run()
    # Stage 3's rank r must read exactly the documents stage 1's rank r hashed, in the same order:
    # it does when every rank wrote its file (a rank with no documents writes none).
    expected = [f"{rank:05d}.jsonl" for rank in range(workers)]
    written = sorted(path.name for path in ftfy_dir.glob("*.jsonl"))
    if written != expected:
        raise SystemExit(f"stage 1 wrote {written}, expected {expected}: use fewer workers than input files")
    stage2.run()
    stage3.run()
    seconds_inside = time.perf_counter() - start

    docs_out = 0
    for path in output.glob("*.jsonl"):
        with path.open("rb") as handle:
            docs_out += sum(1 for line in handle if line.strip())
    return {
        "bytes": sum(path.stat().st_size for path in files),
        "files": len(files),
        "docs_in": _stat_total(logs / "1-signatures" / "stats.json", "sentence-deduplication stage 1", "total"),
        "docs_out": docs_out,
        "lines_removed": _stat_total(logs / "3-filter" / "stats.json", "sentence-deduplication stage 3",
                                     "removed_sentences"),
        "seconds_inside": round(seconds_inside, 3),
    }


def run_datatrove(input_dir: str, work_dir: str, workers: int) -> dict[str, Any]:
    """ftfy + exact corpus-wide line dedup with datatrove on ``workers`` local processes.

    Runs in a measured subprocess; returns ``seconds`` (wall, including Python and datatrove
    start-up), ``peak_tree_mb``, input ``bytes``, ``docs_out`` and ``workers``, plus
    ``lines_removed``, ``docs_in``, ``files`` and ``seconds_inside`` (the stages alone).
    """
    if workers < 1:
        raise ValueError("workers must be >= 1")
    _wipe(Path(work_dir), Path(input_dir))
    command = [sys.executable, "-m", "benchmarks.peer_datatrove", "--child",
               str(Path(input_dir).resolve()), str(Path(work_dir).resolve()), str(workers)]
    measured = run_measured(command, cwd=str(ROOT))
    if measured.returncode != 0:
        raise RuntimeError(f"datatrove child failed ({measured.returncode}):\n{measured.stderr[-4000:]}")
    lines = [line for line in measured.stdout.splitlines() if line.strip()]
    child = json.loads(lines[-1])
    return {"seconds": round(measured.seconds, 3), "peak_tree_mb": round(measured.peak_tree_mb, 1),
            "bytes": child.pop("bytes"), "docs_out": child.pop("docs_out"), "workers": workers, **child}


def main(argv: list[str] | None = None) -> None:
    """CLI: ``INPUT WORK --workers N`` prints the result as JSON; ``--child INPUT WORK N`` is the subprocess."""
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child"]:
        if len(argv) != 4:
            raise SystemExit("usage: python -m benchmarks.peer_datatrove --child INPUT WORK WORKERS")
        result = _child(argv[1], argv[2], int(argv[3]))
        sys.stdout.flush()
        print(json.dumps(result), flush=True)
        return
    parser = argparse.ArgumentParser(prog="python -m benchmarks.peer_datatrove", description=__doc__.split("\n")[0])
    parser.add_argument("input", help="folder of JSONL files (id, title, text)")
    parser.add_argument("work", help="work folder (wiped first): datatrove's intermediates, logs and output")
    parser.add_argument("--workers", type=int, default=2, help="local processes (tasks = workers) per stage")
    args = parser.parse_args(argv)
    print(json.dumps(run_datatrove(args.input, args.work, args.workers), indent=2))


if __name__ == "__main__":
    main()
