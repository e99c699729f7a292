"""Intents, slots, follow-ups, evidence and bounds, on the real LFW comparisons in data/qa/lfw
(a genuine pair, an impostor pair, a false match and a false non-match from LFW View 1), with
wordings that are NOT in the question bank."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest

from core.comparison import Comparison
from core.numbers import probability
from core.qa.bank import read_bank
from core.qa.engine import QAConfig, QAEngine
from core.qa.index import FactIndex
from tests.core.qa_examples import QA_DATA, Chat, encoder, engine

LFW = ("genuine", "impostor", "false-match", "false-non-match")


@functools.cache
def real(kind: str) -> Comparison:
    return Comparison.load(QA_DATA / "lfw" / f"{kind}.json")


def lfw_index(kind: str) -> FactIndex:
    return engine().index(real(kind))


@functools.cache
def bank_wordings() -> frozenset[str]:
    return frozenset(t.q.lower() for item in read_bank() for t in item.turns)


NEW_WORDINGS = {  # not in the bank: (question, intent, the fact it must be answered from)
    "Could you break down how the percentage of certainty was worked out?":
        ("confidence_method", "confidence.method"),
    "Tell me the basis for this verdict in terms of numbers.": ("reasoning", "decision.reason"),
    "Who might this gentleman be?": ("oos_identity", None),
    "Is the lady in the photos feeling joyful?": ("oos_emotion", None),
    "Should the police detain him on the strength of this?": ("oos_advice", None),
    "how relevant was the nostril area in picture two": ("region_importance", "region.B.nose"),
    "Which facial zone was least decisive in the first picture?":
        ("least_important", "ranking.A.least"),
    "explain me the S0 minus method": ("method_definition", "method.S0-"),
}


@pytest.mark.parametrize("question", list(NEW_WORDINGS))
def test_wordings_outside_the_bank_get_the_right_intent_slots_and_fact(question: str) -> None:
    assert question.lower() not in bank_wordings()
    intent, fact_id = NEW_WORDINGS[question]
    for kind in ("genuine", "false-non-match"):
        answer = Chat(lfw_index(kind)).ask(question)
        assert answer.intent == intent, (kind, answer)
        assert 0.0 < answer.intent_probability <= 1.0
        if fact_id is None:
            assert answer.kind == "unknown" and not answer.fact_ids
            assert "Dan" not in answer.text and "Quayle" not in answer.text
        else:
            assert answer.fact_ids[0] == fact_id, (kind, answer)


def test_transcript_the_other_eye_then_these_two_photos_then_why() -> None:
    chat = Chat(lfw_index("false-match"))
    assert chat.ask("How much did the left eye count?").fact_ids == ("region.pair.left eye",)
    other = chat.ask("and what about the other one?")
    assert other.fact_ids == ("region.pair.right eye",)
    assert other.resolved_question == "What is the importance of the right eye?"
    assert chat.ask("What does the PIC-score mean?").fact_ids == ("glossary.pic",)
    here = chat.ask("and for these two photos?")
    assert here.fact_ids == ("pic",) and "What does the PIC-score mean?" in here.resolved_question
    assert "0.854" in here.text
    chat.ask("Is it a match?")
    why = chat.ask("why?")
    assert why.fact_ids == ("decision.reason",)
    assert "0.365" in why.text and "0.282" in why.text  # the grounds: score and threshold


def test_transcript_a_method_question_after_the_nose_is_about_the_method() -> None:
    chat = Chat(lfw_index("genuine"))
    nose = chat.ask("How important was the nose?")
    s1 = chat.ask("what does S1+ mean?")
    assert s1.fact_ids == ("method.S1+",) and s1.text != nose.text


def test_every_answer_carries_its_evidence_and_sources() -> None:
    chat = Chat(lfw_index("impostor"))
    nose = chat.ask("How important was the nose in photo 2?")
    assert nose.fact_ids == ("region.B.nose",)
    assert nose.sources == "from: the region table (nose, photo 2)"
    assert nose.evidence == (lfw_index("impostor").by_id["region.B.nose"].text,)
    decided = chat.ask("on what grounds?")
    assert decided.sources == "from: the score and the threshold"


@pytest.mark.parametrize("kind,bound", [("genuine", "above 0.999"), ("impostor", "below 0.001")])
def test_extreme_pic_scores_are_stated_as_bounds_never_as_0_or_1(kind: str, bound: str) -> None:
    assert real(kind).pic in (0.0, 1.0)  # what the calibration stored for these pairs
    answer = Chat(lfw_index(kind)).ask("What's the PIC value of this pair?")
    assert f"The PIC-score of this comparison is {bound}" in answer.text
    assert probability(real(kind).pic) == bound
    assert probability(0.8542) == "0.854"


def test_the_threshold_sentence_names_its_data_set_once() -> None:
    text = lfw_index("genuine").by_id["threshold"].text
    assert text.count("LFW View 1") == 1, text


def test_an_unclear_question_offers_the_two_most_likely_readings() -> None:
    # an engine that trusts no reading (intent_min above any probability) always falls back
    # to "not sure", so the fallback is exercised whatever the classifier makes of the wording
    doubtful = QAEngine(encoder(), config=QAConfig(intent_min=1.01))
    answer = Chat(lfw_index("genuine"), doubtful).ask("hmm that score thing and the percent")
    assert answer.kind == "unknown" and len(answer.suggestions) == 2
    assert answer.text.startswith("I'm not sure what you are asking")
    assert all(s in answer.text for s in answer.suggestions)
    assert answer.suggestions[0] != answer.suggestions[1]


def test_the_four_real_comparisons_are_a_genuine_an_impostor_a_false_match_and_a_false_non_match() -> None:
    names = {p.stem for p in (QA_DATA / "lfw").glob("*.json")}
    assert names == set(LFW)
    assert real("genuine").same_person and not real("impostor").same_person
    assert real("false-match").same_person and not real("false-non-match").same_person
    assert Path(QA_DATA / "split.json").is_file()
