"""The evaluation sets for contradiction flags (benchmarks/contradiction_sets.py) and the runner's metrics.

No Prefect, no flagger: the runner is checked against a fake flagger passed in.
"""

from __future__ import annotations

import json

import pytest

from benchmarks import contradiction_sets as cs
from benchmarks.contradiction_eval import evaluate, judge, wilson

# (../shared/corpora is there: tests/conftest.py stops the session without it)


@pytest.fixture(scope="module")
def built() -> tuple[list[cs.Item], cs.Build]:
    return cs.build_all()


def _fingerprint(items: list[cs.Item]) -> list[tuple[object, ...]]:
    return [
        (i.id, i.set, i.group, i.contradiction, i.title, i.paragraphs, i.target_line, i.target_sentence, i.half) for i in items
    ]


def test_builder_is_deterministic(built: tuple[list[cs.Item], cs.Build]) -> None:
    items, _ = built
    again, _ = cs.build_all()
    assert _fingerprint(items) == _fingerprint(again)
    assert len({i.id for i in items}) == len(items), "ids are unique"


def test_at_least_20_templates_are_used_and_labels_come_from_them(built: tuple[list[cs.Item], cs.Build]) -> None:
    items, build = built
    spin = [i for i in items if i.set == "spin"]
    preserve = [i for i in items if i.set == "preserve"]
    operator_templates = {
        i.group for i in spin + preserve if cs.TEMPLATE_BY_NAME[i.group].ops or cs.TEMPLATE_BY_NAME[i.group].negation
    }
    assert len(operator_templates) >= 20
    assert len({i.group for i in spin}) >= 20
    for item in spin + preserve:
        template = cs.TEMPLATE_BY_NAME[item.group]
        assert item.contradiction == template.contradiction == (item.set == "spin")
    assert len(build.seeds) >= 200
    assert len({seed.verb.base for seed in build.seeds}) >= 150, "many different verbs, not a word list"


@pytest.mark.parametrize(
    ("negation", "ops", "expected"),
    [
        ("", ("FAIL",), "-"),  # failed to V
        ("not", ("FAIL",), "+"),  # did not fail to V
        ("", ("REFUSE",), "-"),  # refused to V
        ("not", ("REFUSE",), "o"),  # did not refuse to V: open (one-way implicative)
        ("not", ("HESITATE",), "+"),  # did not hesitate to V
        ("not", ("ABLE", "AVOID"), "+"),  # could not avoid V-ing
        ("", ("MANAGE", "AVOID"), "-"),  # managed to avoid V-ing
        ("not", ("FAIL", "AVOID"), "-"),  # did not fail to avoid V-ing
        ("not", ("FAIL", "REMEMBER"), "+"),  # did not fail to remember to V
        ("", ("REFUSE", "TAKE_OPPORTUNITY"), "-"),  # refused to take the opportunity to V
        ("never", ("FAIL",), "+"),  # never failed to V
        ("not", (), "-"),  # did not V
    ],
)
def test_signatures_compose(negation: str, ops: tuple[str, ...], expected: str) -> None:
    assert cs.compose(negation, tuple(getattr(cs, name) for name in ops)) == expected


def _render(built: object, sentence: str, template: str) -> tuple[bool, str] | None:
    seed = cs.seed_from_sentence(sentence)
    assert isinstance(seed, cs.Seed), seed
    item = cs._item_for(seed, cs.TEMPLATE_BY_NAME[template])
    return None if item is None else (item.contradiction, item.target_sentence or "")


@pytest.mark.parametrize(
    ("sentence", "template", "label", "expected"),
    [
        ("The United States denied them visas.", "refused_to", True, "The United States refused to deny them visas."),
        ("The United States is denying them entry.", "refused_to", True, "The United States is refusing to deny them entry."),
        ("The United States denied them visas.", "did_not_fail_to", False, "The United States did not fail to deny them visas."),
        ("The council has approved the plan.", "did_not_manage_to", True, "The council has not managed to approve the plan."),
        (
            "The council has approved the plan.",
            "could_not_avoid_V_ing",
            False,
            "The council has not been able to avoid approving the plan.",
        ),
        ("The team won the final.", "avoided_V_ing", True, "The team avoided winning the final."),
        ("The team won the final.", "never_V", True, "The team never won the final."),
        ("The firm stops the sale.", "did_not_V", True, "The firm does not stop the sale."),
        ("The firm stops the sale.", "managed_to_avoid_V_ing", True, "The firm manages to avoid stopping the sale."),
        (
            "The senator took the bribe.",
            "did_not_fail_to_remember_to",
            False,
            "The senator did not fail to remember to take the bribe.",
        ),
        ("The senator took the bribe.", "question_failed_to", False, "Did the senator fail to take the bribe?"),
        ("The senator has taken the bribe.", "modal_may_fail_to", False, "The senator may have failed to take the bribe."),
        (
            "The senator took the bribe.",
            "attribution_critics_said_failed_to",
            False,
            "Critics said that the senator failed to take the bribe.",
        ),
    ],
)
def test_rewrites_and_labels_checked_by_hand(built: object, sentence: str, template: str, label: bool, expected: str) -> None:
    assert _render(built, sentence, template) == (label, expected)


def test_templates_that_do_not_fit_are_not_applied(built: object) -> None:
    assert _render(built, "The United States is denying them entry.", "never_V") is None  # "is never denying"
    assert _render(built, "The team won the final.", "could_not_avoid_V_ing") == (
        False,
        "The team could not avoid winning the final.",
    )
    # 'visits' -> 'visiting' but 'admits' -> 'admitting': no gerund template on such a verb
    assert _render(built, "The minister visits the plant.", "avoided_V_ing") is None
    assert _render(built, "The minister visits the plant.", "failed_to") == (True, "The minister fails to visit the plant.")


@pytest.mark.parametrize(
    ("token", "kind", "base", "gerund"),
    [
        ("won", "past", "win", "winning"),
        ("fell", "past", "fall", "falling"),
        ("began", "past", "begin", "beginning"),
        ("took", "past", "take", "taking"),
        ("paid", "past", "pay", "paying"),
        ("fled", "past", "flee", "fleeing"),
        ("denied", "past", "deny", "denying"),
        ("stopped", "past", "stop", "stopping"),
        ("admitted", "past", "admit", "admitting"),
        ("visited", "past", "visit", "visiting"),
        ("agreed", "past", "agree", "agreeing"),
        ("raised", "past", "raise", "raising"),
        ("developed", "past", "develop", "developing"),
        ("panicked", "past", "panic", "panicking"),
        ("written", "participle", "write", "writing"),
        ("denies", "third", "deny", "denying"),
        ("watches", "third", "watch", "watching"),
        ("wins", "third", "win", "winning"),
        ("goes", "third", "go", "going"),
        ("lying", "gerund", "lie", "lying"),
        ("growing", "gerund", "grow", "growing"),
    ],
)
def test_verb_inflection(built: object, token: str, kind: str, base: str, gerund: str) -> None:
    analyse = {
        "past": cs.analyse_past,
        "participle": cs.analyse_participle,
        "third": cs.analyse_third,
        "gerund": cs.analyse_gerund,
    }[kind]
    forms = analyse(token)
    assert forms is not None
    assert (forms.base, forms.gerund) == (base, gerund)


@pytest.mark.parametrize(
    ("sentence", "reason"),
    [
        ("The mayor may attend the parade.", "modal"),
        ("If the mayor attends the parade, we go.", "conditional"),
        ("Did the mayor attend the parade?", "not a declarative ending in '.' (question, exclamation, fragment)"),
        ("The mayor did not attend the parade.", "already negated"),
        ("The mayor was elected in 2010.", "passive"),
        ("The council cut taxes last year.", "past = base form (tense ambiguous: put, cut, set, ...)"),
        ("The mayor told the crowd a story.", "verb of saying or thinking (clausal complement, reported speech)"),
        ('The mayor attended "the parade" again.', "quotation"),
        ("The mayor refused to attend the parade.", "infinitival complement (the verb already embeds a clause)"),
        ("It took three men to lift the statue.", "extraposition ('It took three men to lift it')"),
    ],
)
def test_sentences_that_are_not_simple_claims_are_dropped(built: object, sentence: str, reason: str) -> None:
    assert cs.seed_from_sentence(sentence) == reason


def test_frozen_test_half(built: tuple[list[cs.Item], cs.Build]) -> None:
    items, _ = built
    frozen = json.loads(cs.MANIFEST_FILE.read_text(encoding="utf-8"))
    assert cs.manifest_of(items) == frozen, (
        "the test half changed: if on purpose, rewrite it with "
        "`python -m benchmarks.contradiction_sets --write-manifest` in a commit of its own"
    )
    # the split is a hash of the id (of the article for (a)/(b)): fixed values, on any machine
    assert [cs.half_of(key) for key in "abcdefgh"] == ["dev", "dev", "test", "test", "dev", "dev", "dev", "dev"]
    assert {cs.half_of(f"k{n}") for n in range(20)} == {"dev", "test"}
    one_article = {i.half for i in items if i.source == items[0].source}
    assert len(one_article) == 1, "all edits of one article fall in one half"


def test_halves_are_balanced(built: tuple[list[cs.Item], cs.Build]) -> None:
    items, _ = built
    for name in cs.SETS:
        halves = [i.half for i in items if i.set == name]
        assert 0.35 < halves.count("test") / len(halves) < 0.65, name


def test_pairs_set_is_large_and_varied() -> None:
    items = cs.build_pairs()
    assert len(items) >= 300
    assert {i.group for i in items} == set(cs.CATEGORIES)
    for item in items:
        assert item.contradiction == (item.group in cs.POSITIVE_CATEGORIES)
        target = item.target_sentence
        assert target is not None
        assert any(target in text for line, text in item.paragraphs if line == item.target_line)
    assert sum(i.contradiction for i in items) >= 150 and sum(not i.contradiction for i in items) >= 150
    assert len({i.title for i in items}) >= 250, "not one template repeated"
    written = [i for i in items if i.source == "written"]
    assert len(written) >= 150


def test_half_of_is_blake2b_of_the_id() -> None:
    import hashlib

    for key in ("pairs/w-quant-rally", "fnc:768", "x"):
        expected = "test" if hashlib.blake2b(key.encode(), digest_size=8).digest()[0] & 1 else "dev"
        assert cs.half_of(key) == expected


def _item(iid: str, contradiction: bool, body: str, target: str | None = None) -> cs.Item:
    return cs.Item(
        id=iid,
        set="spin" if contradiction else "preserve",
        group="g1" if iid.startswith("a") else "g2",
        contradiction=contradiction,
        title="The mayor attended the parade",
        paragraphs=((2, "Intro line."), (3, body)),
        target_line=3,
        target_sentence=target or body,
    )


def test_runner_metrics_on_a_fake_flagger() -> None:
    items = [
        _item("a1", True, "The mayor failed to attend the parade."),  # hit
        _item("a2", True, "The mayor refused to attend the parade."),  # hit
        _item("a3", True, "The mayor neglected to attend the parade."),  # flagged on another line: misplaced
        _item("a4", True, "The mayor forgot to attend the parade."),  # missed
        _item("b1", False, "The mayor managed to attend the parade."),  # false flag
        _item("b2", False, "The mayor remembered to attend the parade."),  # double negation only
        _item("b3", False, "The mayor did not hesitate to attend the parade."),  # nothing
    ]

    def fake(title: str, paragraphs: list[tuple[int, str]]) -> list[dict]:
        body = paragraphs[1][1]
        if "failed" in body or "refused" in body or "managed" in body:
            return [{"kind": "contradiction", "line_no": 3, "sentence": body, "explanation": "x"}]
        if "neglected" in body:
            return [{"kind": "contradiction", "line_no": 2, "sentence": "Intro line.", "explanation": "x"}]
        if "remembered" in body:
            return [{"kind": "double_negation", "line_no": 3, "sentence": body}]
        return []

    result = evaluate(items, flagger=fake)
    spin = result["sets"]["spin"]  # type: ignore[index]
    preserve = result["sets"]["preserve"]  # type: ignore[index]
    both = result["sets"]["spin+preserve"]  # type: ignore[index]
    assert (spin["n"], spin["hits"], spin["misplaced"], spin["flagged"]) == (4, 2, 1, 3)
    assert spin["recall"] == 0.5
    assert spin["precision"] == pytest.approx(2 / 3)
    assert (preserve["false_flags"], preserve["double_negation_flagged"]) == (1, 1)
    assert preserve["false_flag_rate"] == pytest.approx(1 / 3)
    assert "precision" not in preserve and "recall" not in preserve
    # (a)+(b): 2 hits against 1 misplaced + 1 false flag
    assert both["recall"] == 0.5 and both["precision"] == 0.5
    assert both["recall_ci"] == pytest.approx((0.1500, 0.8500), abs=5e-4)  # Wilson 2/4, worked by hand
    assert wilson(0, 10) == pytest.approx((0.0, 0.2775), abs=5e-4)
    assert wilson(10, 10) == pytest.approx((0.7225, 1.0), abs=5e-4)


def test_a_flag_counts_only_on_the_edited_sentence() -> None:
    item = _item(
        "a1", True, "Intro sentence here. The mayor failed to attend the parade.", target="The mayor failed to attend the parade."
    )
    on_target = {"kind": "contradiction", "line_no": 3, "sentence": "The mayor failed to attend the parade."}
    same_line_other_sentence = {"kind": "contradiction", "line_no": 3, "sentence": "Intro sentence here."}
    wrong_kind = {"kind": "double_negation", "line_no": 3, "sentence": "The mayor failed to attend the parade."}
    assert judge(item, [on_target]).hit
    assert not judge(item, [same_line_other_sentence]).hit and judge(item, [same_line_other_sentence]).flagged
    assert not judge(item, [wrong_kind]).hit and not judge(item, [wrong_kind]).flagged
