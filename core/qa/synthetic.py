"""Synthetic comparisons and (question, context, answer span) examples for training the
extractive reader: varied decisions, scores, thresholds, PIC values, region tables and
detections, their facts from the engine's own builders, and questions from the facts' keys and
the question bank's train split."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from core.comparison import METHODS, REGIONS, Comparison, FaceReport, ModelInfo
from core.qa.bank import BankItem
from core.qa.facts import Fact, build_facts, context_spans, context_text

DATASETS = ("LFW View 1 (pairsDevTrain + pairsDevTest)", "CALFW", "the operator's own pairs")
RECOGNIZERS = ("mobilefacenet_128d", "arcface_r100", "adaface_ir50", "elasticface_arc")


@dataclass(frozen=True)
class Example:
    question: str
    context: str
    start: int  # character offsets of the answer in the context
    end: int


def _table(rng: np.random.Generator) -> dict[str, dict[str, float]]:
    base = rng.uniform(1.0, 5.0, len(REGIONS))
    rows = {}
    for region, b in zip(REGIONS, base, strict=True):
        levels = np.clip(np.rint(b + rng.normal(0, 0.8, len(METHODS))), 1, 5)
        row = {m: float(v) for m, v in zip(METHODS, levels, strict=True)}
        row["Mean"], row["Ratio of 1s"] = float(levels.mean()), float((levels == 1).mean())
        rows[region] = row
    return rows


def synthetic_comparison(rng: np.random.Generator) -> Comparison:
    threshold = float(rng.uniform(0.2, 0.45))
    score = float(np.clip(threshold + rng.normal(0, 0.25), -0.3, 0.99))
    same = score >= threshold
    pic = float(np.clip(1 / (1 + np.exp(-(score - threshold) * rng.uniform(15, 60))), 1e-5, 1 - 1e-5))
    dataset = str(rng.choice(DATASETS))
    faces = {s: FaceReport(int(rng.integers(1, 4)), [60.0, 60.0, 180.0, 190.0],
                           float(rng.uniform(0.6, 0.99)), [[0.0, 0.0]] * 5,
                           [int(rng.integers(150, 900))] * 2) for s in ("A", "B")}
    maps = rng.random() > 0.15
    return Comparison(
        score=score, threshold=threshold, same_person=same, pic=pic,
        confidence=pic if same else 1 - pic, confidence_sentence="", faces=faces,
        models=ModelInfo(str(rng.choice(RECOGNIZERS)), f"{int(rng.integers(0, 2**62)):064x}",
                         str(rng.choice(["det_500m", "mtcnn"])), dataset, "2025-01-15",
                         str(rng.choice(["EER point", "FMR 0.1% point"]))),
        timings_ms={"total": float(rng.uniform(20, 900))},
        saliency={"nh": 71, "d": 14, "tmax": 5, "th": 0.01, "size": 112,
                  "profile": str(rng.choice(["interactive", "paper"]))} if maps else None,
        tables={s: _table(rng) for s in ("A", "B", "pair")} if maps else None,
        artefacts={"collage": "collage.png"} if maps else {},
    )


def _questions(fact: Fact, by_fact: dict[str, list[str]]) -> list[str]:
    return [*fact.keys, *by_fact.get(fact.id, [])]


def examples(comparisons: Sequence[Comparison], bank: Sequence[BankItem],
             rng: np.random.Generator, per_comparison: int = 24,
             max_context: int = 4) -> list[Example]:
    """``per_comparison`` examples from each comparison: a question about one of its facts,
    that fact's sentence among up to ``max_context`` - 1 others in random order, its span."""
    by_fact: dict[str, list[str]] = {}
    for item in bank:
        if len(item.turns) == 1 and item.split == "train":
            for fact_id in item.turns[0].expect:
                by_fact.setdefault(fact_id, []).append(item.turns[0].q)
    out: list[Example] = []
    for comparison in comparisons:
        facts = build_facts(comparison)
        for _ in range(per_comparison):
            gold = facts[int(rng.integers(len(facts)))]
            asked = _questions(gold, by_fact)
            if not asked:
                continue
            others = [f for f in facts if f is not gold]
            k = int(rng.integers(0, max_context))
            chosen = [gold, *(others[i] for i in rng.choice(len(others), k, replace=False))]
            order = [chosen[i] for i in rng.permutation(len(chosen))]
            context = context_text(order)
            start = next(s for s, _, fid in context_spans(order) if fid == gold.id)
            offset = context.index(gold.answer, start)
            out.append(Example(str(rng.choice(asked)), context, offset, offset + len(gold.answer)))
    return out
