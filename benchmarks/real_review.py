"""A hand-read check of headline contradictions in the 672 real articles, independent of cleaners.flags.

    python -m benchmarks.real_review [--candidates [--json]]   # count (and list) the sentences selected for reading
    python -m benchmarks.real_review --summary                 # counts from the judgements, then the flagger compared

Selection (no import of cleaners.flags; the cue lists are written from general English knowledge):
  - paragraphs from benchmarks.real_flags.real_articles, split into sentences by SENTENCE_END ([.!?], optional closing
    quote, whitespace, then an upper-case letter, digit or opening quote);
  - a sentence is a CANDIDATE if it shares >= 1 content word with the headline (>= 4 letters, not in STOPWORDS,
    lower-cased, crude suffix stripping by stem()) AND contains a cue from POLARITY_CUES (negators, denial/refusal
    verbs, falsity words, antonym-ish verbs such as win/lose, ban/allow, rise/fall, plus contrast words), OR it names a
    headline unit noun next to a number the headline does not give for that noun (_number_clash).
  - 672 articles -> 3008 candidates (9 of them by the numeric rule; the numeric rule found nothing extra worth reading).
Reading (strata, in this order; every candidate read belongs to exactly one):
  - sample: random.Random(20240611).sample(range(3008), 400), a uniform sample of all candidates -> 400;
  - negated_headline: every other candidate from the 52 articles whose headline matches HEADLINE_NEGATION -> 285;
  - targeted: every other candidate sharing >= 2 content words with the headline and matching STRONG_CUES -> 331;
  - denial_terms: every other candidate matching DENIAL_TERMS (deny/false/hoax/fake/untrue/debunk/no evidence...) -> 42.
  1058 of 3008 candidates read by hand; the other 1950 (weak cues such as but/only/support, one shared word) unread.
Result (benchmarks/data/real_review.jsonl, one object per sentence read: article, line, a blake2b digest of the
sentence, stratum, judgement and why; the text is read again from ../shared): 0 contradictions; 1 double-negation wording
(PolitiFact_Fake_40 line 1, "unless she failed to testify"), marginal. Uniform sample: 0/400, so by the rule of
three the contradiction rate among candidates is below ~0.75% (95%), i.e. fewer than ~23 in the whole pool.
Judgement rule: "contradiction" only if the sentence, read against the headline, asserts the opposite of the headline's
claim about the same subject and predicate; quoted denials by people in the story, questions, hedges, conditionals and
statements that merely undercut a clickbait headline ("borderline: ..." in why) are "not".
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from benchmarks.real_flags import real_articles

REVIEW = Path(__file__).parent / "data" / "real_review.jsonl"

SELECTION: dict[str, int] = {"seed": 20240611, "sample": 400, "articles": 672, "candidates": 3008, "read": 1058}

STOPWORDS = frozenset(
    """about above after again against also among been before being below between both could does doing
    down during each even ever from further have having here hers herself himself into itself just like
    made make many more most much must myself once only other ought ours over own same says said shall
    should some such than that their theirs them themselves then there these they this those through
    under until upon very want were what when where which while whom whose will with would your yours
    yourself just year years after news report reports says told tell tells first last back still
    people time according know will been going gets into amid""".split()
)

NEGATION_CUES = (
    r"not|n't|never|no|none|nobody|nothing|nowhere|neither|nor|without|cannot|can't|won't|isn't|wasn't|"
    r"aren't|weren't|doesn't|don't|didn't|hasn't|haven't|hadn't|shouldn't|wouldn't|couldn't|lack|lacks|lacking"
)
POLARITY_CUES = re.compile(
    r"\b(?:"
    + NEGATION_CUES
    + r"|den(?:y|ies|ied|ying|ial|ials)|refus\w*|reject\w*|fail\w*|false\w*|fake\w*|hoax\w*|debunk\w*|untrue|"
    r"lie|lies|lied|lying|liar|wrong\w*|contrary|opposite|mislead\w*|misleading|fabricat\w*|bogus|myth\w*|"
    r"disput\w*|contradict\w*|refut\w*|retract\w*|rebut\w*|dismiss\w*|baseless|unfounded|satir\w*|"
    r"lose|loses|lost|losing|win|wins|won|winning|ban|bans|banned|allow\w*|accept\w*|approv\w*|block\w*|"
    r"veto\w*|oppos\w*|support\w*|deni\w*|declin\w*|drop\w*|withdr\w*|cancel\w*|revers\w*|overturn\w*|"
    r"end|ends|ended|halt\w*|stop\w*|quit\w*|resign\w*|fired|acquit\w*|convict\w*|innocent|guilty|"
    r"alive|dead|died|survive\w*|rise|rises|rose|fall|falls|fell|increas\w*|decreas\w*|cut|cuts|"
    r"rais\w*|lower\w*|confirm\w*|unconfirmed|rumou?r\w*|allege\w*|alleged|claim\w*|actually|in fact|"
    r"instead|rather than|only|despite|however|but"
    r")\b",
    re.IGNORECASE,
)
HEADLINE_NEGATION = re.compile(r"\b(?:" + NEGATION_CUES + r"|den(?:y|ies|ied)|refus\w*|reject\w*|fail\w*)\b", re.I)
STRONG_CUES = re.compile(
    r"\b(?:not|n't|never|no|deny|denies|denied|denial|false|fake|hoax|untrue|debunk\w*|contrary|myth|rumou?r\w*|"
    r"satire|satirical|fabricat\w*|refut\w*|lie|lies|lied)\b",
    re.IGNORECASE,
)
DENIAL_TERMS = re.compile(
    r"\b(?:den(?:y|ies|ied|ial)|false(?:ly)?|hoax|fake|untrue|not true|debunk\w*|satire|satirical|fabricat\w*|"
    r"refut\w*|retract\w*|never happened|no evidence|isn't true|wasn't true)\b",
    re.IGNORECASE,
)
SENTENCE_END = re.compile(r"(?<=[.!?])[\"'”’)]?\s+(?=[\"'“‘(]?[A-Z0-9])")
WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "twenty": 20, "thirty": 30, "fifty": 50, "hundred": 100,
}  # fmt: skip
NUMBER = re.compile(r"\b(\d[\d,]*(?:\.\d+)?)\s*(%|percent|million|billion|thousand)?\s*([A-Za-z]+)?", re.I)


def stem(word: str) -> str:
    """A crude stem: lower-case, strip possessives and a few common suffixes."""
    word = word.lower().replace("’", "'").removesuffix("'s").strip("'-")
    for suffix in ("ations", "ation", "ings", "ing", "ies", "ied", "ed", "es", "s", "ly"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def content_stems(text: str) -> set[str]:
    """Stems of the words of at least four letters that are not stopwords."""
    return {stem(w) for w in WORD.findall(text) if len(w) >= 4 and w.lower() not in STOPWORDS}


def sentences(paragraph: str) -> list[str]:
    """Split a paragraph into sentences with a simple regex."""
    return [s.strip() for s in SENTENCE_END.split(paragraph) if s.strip()]


def _numbers(text: str) -> dict[str, set[float]]:
    found: dict[str, set[float]] = {}
    for match in NUMBER.finditer(text):
        try:
            value = float(match.group(1).replace(",", ""))
        except ValueError:
            continue
        unit = stem(match.group(3) or match.group(2) or "")
        found.setdefault(unit, set()).add(value)
    for word in WORD.findall(text):
        if word.lower() in NUMBER_WORDS:
            found.setdefault("", set()).add(float(NUMBER_WORDS[word.lower()]))
    return found


def _number_clash(headline: str, sentence: str) -> bool:
    head = {unit: values for unit, values in _numbers(headline).items() if unit and len(unit) >= 4}
    if not head:
        return False
    body = _numbers(sentence)
    return any(unit in body and not (body[unit] & values) for unit, values in head.items())


def candidates() -> Iterator[dict[str, object]]:
    """Every candidate sentence, in corpus order, with the reason it was selected."""
    for article_id, headline, paragraphs in real_articles():
        head = content_stems(headline)
        headline_negated = bool(HEADLINE_NEGATION.search(headline))
        for line_no, paragraph in paragraphs:
            for sentence in sentences(paragraph):
                shared = head & content_stems(sentence)
                cues = sorted({m.group(0).lower() for m in POLARITY_CUES.finditer(sentence)})
                numeric = _number_clash(headline, sentence)
                if (shared and cues) or numeric:
                    yield {
                        "article": article_id, "line_no": line_no, "headline": headline, "sentence": sentence,
                        "shared": sorted(shared), "cues": cues, "numeric": numeric,
                        "headline_negated": headline_negated,
                    }  # fmt: skip


def stratum(candidate: dict[str, object], picked: bool) -> str | None:
    """Why a candidate is read: 'sample', 'negated_headline', 'targeted', 'denial_terms', or None (not read)."""
    if picked:
        return "sample"
    if candidate["headline_negated"]:
        return "negated_headline"
    shared = candidate["shared"]
    if isinstance(shared, list) and len(shared) >= 2 and STRONG_CUES.search(str(candidate["sentence"])):
        return "targeted"
    if DENIAL_TERMS.search(str(candidate["sentence"])):
        return "denial_terms"
    return None


def to_read(pool: list[dict[str, object]], seed: int, size: int) -> list[dict[str, object]]:
    """The uniform sample plus every candidate under a negated headline plus the targeted stratum, in pool order."""
    picked = set(random.Random(seed).sample(range(len(pool)), min(size, len(pool))))
    chosen = []
    for i, c in enumerate(pool):
        why = stratum(c, i in picked)
        if why:
            chosen.append({**c, "stratum": why})
    return chosen


def sentence_digest(sentence: str) -> str:
    """What the review file stores instead of the sentence (third-party text stays in ../shared)."""
    return hashlib.blake2b(sentence.encode(), digest_size=8).hexdigest()


def load_review(path: Path = REVIEW) -> list[dict[str, object]]:
    """The saved judgements, one dict per line, each with its candidate's headline and sentence
    read again from ../shared (the file holds article, line and a digest of the sentence)."""
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    pool = {(c["article"], c["line_no"], sentence_digest(str(c["sentence"]))): c for c in candidates()}
    review = []
    for record in records:
        candidate = pool.get((record["article"], record["line_no"], record["sentence_digest"]))
        if candidate is None:
            raise ValueError(f"{record['article']} line {record['line_no']}: the judged sentence is no longer a "
                             "candidate (the corpus or the selection changed)")
        review.append({**candidate, **record})
    return review


def _key(record: dict[str, object]) -> tuple[str, int]:
    line = record["line_no"]
    return str(record["article"]), line if isinstance(line, int) else int(str(line))


def summary() -> int:
    """Print the counts and compare the saved judgements with the flagger's flags on the same articles."""
    articles = list(real_articles())
    pool = list(candidates())
    review = load_review()
    strata = Counter(str(r.get("stratum", "?")) for r in review)
    contradictions = [r for r in review if r["judgement"] == "contradiction"]
    double_negations = [r for r in review if r["double_negation_wording"]]
    print(f"articles: {len(articles)}")
    print(f"candidates: {len(pool)} (numeric rule: {sum(1 for c in pool if c['numeric'])})")
    print(f"read: {len(review)} ({', '.join(f'{k} {v}' for k, v in strata.items())}; seed {SELECTION['seed']})")
    print(f"contradictions found: {len(contradictions)}")
    print(f"double-negation wordings found: {len(double_negations)}")
    sample = [r for r in review if r.get("stratum") == "sample"]
    hits = sum(1 for r in sample if r["judgement"] == "contradiction")
    bound = 3 / len(sample) if sample and not hits else hits / max(len(sample), 1)
    rate = f"{'< ' if not hits else ''}{bound:.2%}"
    print(f"uniform sample: {hits}/{len(sample)} contradictions (rate {rate} of candidates, 95% bound if 0)")
    for r in review:
        if str(r["why"]).startswith("borderline"):
            print(f"  borderline (judged not): {r['article']} line {r['line_no']}: {r['why']}")
    from cleaners.flags import flag_document  # only after the judgements are saved

    flags: dict[tuple[str, int], list[dict[str, object]]] = {}
    total = 0
    for article_id, headline, paragraphs in articles:
        for flag in flag_document(headline, paragraphs):
            total += 1
            flags.setdefault(_key({"article": article_id, "line_no": flag["line_no"]}), []).append(flag)
            print(f"  flag raised: {article_id} line {flag['line_no']} [{flag['kind']}] {flag['sentence']}")
    print(f"flagger: {total} flags on {len(articles)} articles")
    positives = contradictions + [r for r in double_negations if r not in contradictions]
    flagged = 0
    for r in positives:
        kinds = sorted({str(f["kind"]) for f in flags.get(_key(r), [])})
        flagged += bool(kinds)
        label = "contradiction" if r["judgement"] == "contradiction" else "double_negation_wording"
        print(f"  {'FLAGGED' if kinds else 'missed'} {label}: {r['article']} line {r['line_no']} {kinds or ''}")
    print(f"hand-found positives flagged: {flagged}/{len(positives)}")
    idiomatic = [r for r in review if "idiomatic double negative" in str(r["why"])]
    print(
        f"idiomatic double negatives read (should not be flagged): {len(idiomatic)}, "
        f"flagged: {sum(1 for r in idiomatic if _key(r) in flags)}"
    )
    read_keys = {_key(r) for r in review}
    positive_keys = {_key(r) for r in positives}
    print(f"flags on lines read and judged 'not': {sum(1 for k in flags if k in read_keys and k not in positive_keys)}")
    print(f"flags on lines not read: {sum(1 for k in flags if k not in read_keys)}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--candidates", action="store_true", help="print the sentences selected for reading")
    parser.add_argument("--json", action="store_true", help="with --candidates: one JSON object per line")
    parser.add_argument("--summary", action="store_true", help="counts, then the flagger compared")
    args = parser.parse_args(argv)
    if args.summary:
        return summary()
    pool = list(candidates())
    chosen = to_read(pool, SELECTION["seed"], SELECTION["sample"])
    print(f"candidates: {len(pool)}; to read: {len(chosen)} {dict(Counter(str(c['stratum']) for c in chosen))}")
    if args.candidates:
        for c in chosen:
            line = f"[{c['stratum']}] {c['article']} {c['line_no']}: {c['sentence']}"
            print(json.dumps(c, ensure_ascii=False) if args.json else line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
