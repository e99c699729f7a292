"""Facts: what the engine may say about a comparison, built from the comparison record alone."""

from __future__ import annotations

from dataclasses import replace

import pytest

from core.comparison import Comparison
from core.pic import percent
from core.qa.facts import Fact, build_facts, context_spans, context_text
from core.qa.facts.verification import verification_facts
from core.table import least_important, most_important
from tests.core.qa_examples import example


def by_id(kind: str | Comparison) -> dict[str, Fact]:
    c = example(kind) if isinstance(kind, str) else kind
    return {f.id: f for f in build_facts(c)}


def test_genuine_facts_state_the_decision_score_threshold_and_confidence_in_words() -> None:
    c = example("genuine")
    facts = by_id("genuine")
    assert facts["decision"].text == "The decision is that the two photos show the same person (a match)."
    assert percent(c.confidence) == facts["confidence"].answer
    assert facts["confidence"].text.startswith(f"I am {percent(c.confidence)} confident")
    assert "at or above the threshold" in facts["decision.reason"].text
    assert "p_gen(s) / (p_gen(s) + p_imp(s))" in facts["confidence.method"].text
    assert "1 - PIC for a non-match" in facts["confidence.method"].text
    assert facts["models.recognizer"].answer == c.models.recognizer
    assert facts["models.calibration"].answer == c.models.calibration_dataset


def test_impostor_facts_say_different_people_and_confidence_is_one_minus_pic() -> None:
    c = example("impostor")
    facts = by_id("impostor")
    assert facts["decision"].answer == "different people"
    assert facts["confidence"].answer == f"{round((1 - c.pic) * 100)}%"
    assert "below the threshold" in facts["decision.reason"].text
    assert "2 faces were found" in facts["faces"].text and "the largest was used" in facts["faces"].text


def test_every_fact_has_a_unique_id_and_its_answer_inside_its_sentence() -> None:
    for kind in ("genuine", "impostor", "verification-only"):
        facts = build_facts(example(kind))
        assert len({f.id for f in facts}) == len(facts)
        assert all(f.answer and f.answer in f.text for f in facts)
        assert all(f.because is None or f.because in {g.id for g in facts} for f in facts)


def test_region_facts_carry_each_method_level_mean_and_ratio_of_ones() -> None:
    c = example("impostor")
    assert c.tables is not None
    row = c.tables["pair"]["chin"]
    chin = by_id("impostor")["region.pair.chin"]
    assert chin.region == "chin" and chin.side == "pair"
    assert f"mean importance level of {row['Mean']:g}" in chin.text
    for method in ("S0-", "S1-", "S0+", "S1+", "AVG"):
        assert f"{row[method]:g} under {method}" in chin.text
    assert f"Ratio of 1s of {row['Ratio of 1s']:g}" in chin.text
    assert by_id("impostor")["region.A.chin"].text.startswith("In photo 1 (A), the chin")


def test_most_and_least_important_regions_agree_with_the_table_and_ties_are_stated() -> None:
    c = example("genuine")
    assert c.tables is not None
    facts = by_id("genuine")
    for side in ("A", "B", "pair"):
        most, least = most_important(c.tables[side]), least_important(c.tables[side])
        assert all(f"the {r}" in facts[f"ranking.{side}.most"].answer for r in most)
        assert all(f"the {r}" in facts[f"ranking.{side}.least"].answer for r in least)
    assert len(most_important(c.tables["B"])) == 2  # the example has a tie in photo 2
    assert "regions, tied at" in facts["ranking.B.most"].text


def test_a_verification_only_comparison_says_there_are_no_maps_instead_of_inventing_regions() -> None:
    facts = by_id("verification-only")
    assert "regions.none" in facts
    assert facts["outputs.images"].text.startswith("No heatmaps or region table were computed")
    assert not [f for f in facts if f.startswith(("region.", "ranking.", "saliency.params"))]
    assert "decision" in facts and "confidence" in facts


def test_context_text_is_the_facts_one_after_another_with_their_spans() -> None:
    facts = build_facts(example("genuine"))
    text = context_text(facts)
    for (start, end, fact_id), fact in zip(context_spans(facts), facts, strict=True):
        assert fact_id == fact.id
        assert text[start:end].rstrip(".") == " ".join(fact.text.split()).rstrip(".")


def test_new_facts_plug_in_as_extra_facts_or_builders_and_ids_stay_unique() -> None:
    c = example("genuine")
    extra = Fact("description.A", "description", "The template of photo 1 encodes: a man with glasses.",
                 "a man with glasses", side="A")
    assert build_facts(c, extra=[extra])[-1] is extra
    only = build_facts(c, builders=[verification_facts])
    assert {f.topic for f in only} <= {"decision", "score", "threshold", "confidence", "models",
                                        "faces", "timings"}
    with pytest.raises(ValueError, match="two facts have the id"):
        build_facts(c, extra=[replace(extra, id="decision")])


def test_attribute_descriptions_in_the_comparison_become_facts() -> None:
    c = replace(example("genuine"), descriptions={"A": {"caption": "an old man's face with gray hair"},
                                                  "B": "a man's face with eyeglasses"})
    facts = by_id(c)
    assert facts["description.A"].text == "The template of photo 1 (A) encodes: an old man's face with gray hair."
    assert facts["description.B"].answer == "a man's face with eyeglasses"


def test_a_fact_whose_answer_is_not_in_its_sentence_is_rejected() -> None:
    with pytest.raises(ValueError, match="is not in its text"):
        Fact("x", "x", "The sky is blue.", "green")


def test_a_near_certain_match_is_never_called_100_percent_sure() -> None:
    c = replace(example("genuine"), pic=0.99996, confidence=0.99996)
    assert by_id(c)["confidence"].text.startswith("I am over 99% confident")
