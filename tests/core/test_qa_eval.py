"""The question set (data/qa/questions.jsonl) and its scoring."""

from __future__ import annotations

from collections import Counter

import pytest

from core.qa.answer import Answer
from core.qa.evaluate import Expected, Item, judge, load_questions, run, summarize
from core.qa.report import render
from tests.core.qa_examples import PAPER_QUESTIONS, QA_DATA, engine, example, index

ITEMS = load_questions(QA_DATA / "questions.jsonl")
PAPER_FAMILIES = ("decision", "how", "confidence", "most_feature", "least_feature", "xai",
                  "output_images", "most_region", "chin")


def test_the_set_has_the_nine_paper_questions_each_with_at_least_16_distinct_variants() -> None:
    asked = {item.turns[0].q for item in ITEMS}
    assert set(PAPER_QUESTIONS) <= asked
    for family in PAPER_FAMILIES:
        variants = {item.turns[0].q.lower() for item in ITEMS if item.family == family}
        assert len(variants) >= 16, family
        assert {i.split for i in ITEMS if i.family == family} == {"dev", "heldout-1", "heldout-2"}


def test_the_set_has_two_turn_dialogues_and_every_expected_fact_exists() -> None:
    dialogues = [i for i in ITEMS if i.family == "follow-up"]
    assert len(dialogues) >= 16 and all(len(i.turns) == 2 for i in dialogues)
    assert len({i.id for i in ITEMS}) == len(ITEMS)
    facts = set(index("genuine").by_id) | set(index("impostor").by_id)
    for item in ITEMS:
        for turn in item.turns:
            assert set(turn.expect) <= facts, item.id
            assert turn.expect or turn.expect_kind, item.id
    assert Counter(i.split for i in ITEMS)["heldout-2"] >= 70


def answer(text: str, *fact_ids: str, kind: str = "answer") -> Answer:
    return Answer("q", "q", text, 0.5, fact_ids, "grounded", kind)


def test_a_right_answer_needs_the_right_fact_and_its_span() -> None:
    facts = index("impostor").by_id
    want = Expected("What is the decision?", ("decision",))
    assert judge(want, answer(facts["decision"].text, "decision"), facts)
    # the paper's failure: a definition that happens to contain the words is not the decision
    assert not judge(want, answer(facts["glossary.genuine"].text, "glossary.genuine"), facts)
    assert not judge(want, answer("Something else.", "decision"), facts)
    assert judge(Expected("Was FaceNet used?", expect_kind=("unknown",)),
                 answer("I don't know.", kind="unknown"), facts)


def test_one_item_per_family_scores_and_renders_per_family_with_latency() -> None:
    firsts: dict[str, Item] = {}
    for item in ITEMS:
        firsts.setdefault(item.family, item)
    outcomes = run({"grounded": (engine(), "grounded")}, firsts.values(), {"genuine": example("genuine")})
    summary = summarize(outcomes)["grounded"]
    assert set(summary["families"]) == set(firsts)
    assert summary["overall"]["accuracy"] == 1.0, summary["wrong"]
    assert summary["latency_ms"]["answers"]["p50"] > 0
    table = render({"grounded": summary})
    assert "follow-up" in table and "p50/p95 ms" in table


@pytest.mark.parametrize("kind", ["impostor"])
def test_the_older_question_set_is_answered_though_the_engine_never_learnt_from_it(kind: str) -> None:
    """data/qa/questions.jsonl predates the bank; the intent classifier never saw it."""
    summary = summarize(run({"grounded": (engine(), "grounded")}, ITEMS, {kind: example(kind)}))
    families = summary["grounded"]["families"]
    assert summary["grounded"]["overall"]["accuracy"] >= 0.95, summary["grounded"]["wrong"]
    assert families["follow-up"]["accuracy"] >= 0.95
