"""Every flag the flagger raises on the real articles of ../shared, listed for reading by hand.

    python -m benchmarks.real_flags [--kind contradiction] [--json]

The 672 articles: the FakeNewsCorpus sample (CSV, 250) and the FakeNewsNet webpages (JSON,
422), each with its own headline and its body split into paragraphs (one per non-empty line, as
the pipeline keeps them). Each flag is printed with its article, headline, sentence and
explanation, numbered, so that a reader can mark it right or wrong (README: "Flags on real
articles, read by hand").
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from pathlib import Path

import polars as pl

from benchmarks.generate import SHARED


def real_articles(shared: Path = SHARED) -> Iterator[tuple[str, str, list[tuple[int, str]]]]:
    """(article id, headline, [(line_no, paragraph)]) of every real article, in a fixed order."""
    corpora = shared / "corpora"
    frame = pl.read_csv(corpora / "fakenewscorpus" / "news_sample.csv", infer_schema_length=0)
    for row_id, title, content in frame.select("id", "title", "content").iter_rows():
        yield f"fnc:{row_id}", " ".join((title or "").split()), _paragraphs(content or "")
    for path in sorted((corpora / "fakenewsnet" / "Data").glob("*/*/*-Webpage.json")):
        record = json.loads(path.read_text(encoding="utf-8"))
        name = path.relative_to(corpora / "fakenewsnet" / "Data").as_posix().removesuffix("-Webpage.json")
        yield f"fnn:{name}", " ".join((record.get("title") or "").split()), _paragraphs(record.get("text") or "")


def _paragraphs(body: str) -> list[tuple[int, str]]:
    lines = [line.strip() for line in body.split("\n")]
    return [(number, line) for number, line in enumerate(lines, start=1) if line]


def main(argv: list[str] | None = None) -> int:
    from cleaners.flags import flag_document

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--kind", help="only flags of this kind")
    parser.add_argument("--json", action="store_true", help="one JSON object per flag")
    args = parser.parse_args(argv)
    count = articles = 0
    for article_id, title, paragraphs in real_articles():
        articles += 1
        for flag in flag_document(title, paragraphs):
            if args.kind and flag["kind"] != args.kind:
                continue
            count += 1
            if args.json:
                print(json.dumps({"n": count, "article": article_id, "title": title, **flag}, ensure_ascii=False))
                continue
            print(f"#{count} {article_id} line {flag['line_no']} [{flag['kind']}/{flag['severity']}]")
            print(f"   headline: {title}")
            print(f"   sentence: {flag['sentence']}")
            print(f"   why:      {flag['explanation']}")
    print(f"{count} flags on {articles} articles", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
