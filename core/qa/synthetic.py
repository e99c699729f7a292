"""Synthetic comparisons and (question, context, answer span) examples for training the
extractive reader: varied decisions, scores, thresholds, PIC values, region tables and
detections, their facts from the engine's own builders, and questions from the facts' keys and
the question bank's train split.

The contexts are the ones the paper's pipeline gives the reader: the whole fact text of a
comparison (read in overlapping windows) and short sub-contexts of a few sentences, where the
other sentences are often the ones most easily confused with the answer's (same topic, same
region), as a similarity ranking would pick them. The answer span is the fact's ``answer``
inside its own sentence, what the evaluation counts as right."""

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
    anchor: int = -1  # where the answer's sentence starts (a window must show it); -1: start

    @property
    def evidence_start(self) -> int:
        return self.start if self.anchor < 0 else min(self.anchor, self.start)


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


Asked = tuple[str, tuple[str, ...]]  # a question and the facts that answer it, best first


def bank_questions(bank: Sequence[BankItem]) -> list[Asked]:
    """The single questions of the bank's train split with their expected facts."""
    return [(item.turns[0].q, item.turns[0].expect) for item in bank
            if item.split == "train" and len(item.turns) == 1 and item.turns[0].expect]


def _question(rng: np.random.Generator, asked: Sequence[Asked], facts: Sequence[Fact],
              by_id: dict[str, Fact]) -> tuple[str, Fact] | None:
    """Half the time a bank question (its first expected fact this comparison has), else one
    of a random fact's own keys."""
    if asked and rng.random() < 0.5:
        question, expect = asked[int(rng.integers(len(asked)))]
        gold = next((by_id[f] for f in expect if f in by_id), None)
        return (question, gold) if gold is not None else None
    keyed = [f for f in facts if f.keys]
    fact = keyed[int(rng.integers(len(keyed)))]
    return str(rng.choice(list(fact.keys))), fact


def _confusable(gold: Fact, other: Fact) -> bool:
    return other.topic == gold.topic or (gold.region is not None and other.region == gold.region)


def _sub_context(rng: np.random.Generator, gold: Fact, facts: Sequence[Fact],
                 max_context: int) -> list[Fact]:
    """``gold`` and up to ``max_context`` - 1 other sentences, half of them confusable with it,
    in random order."""
    others = [f for f in facts if f is not gold]
    near = [f for f in others if _confusable(gold, f)]
    chosen = [gold]
    for _ in range(int(rng.integers(0, max_context))):
        pool = near if near and rng.random() < 0.5 else others
        pick = pool[int(rng.integers(len(pool)))]
        if pick not in chosen:
            chosen.append(pick)
    return [chosen[i] for i in rng.permutation(len(chosen))]


def examples(comparisons: Sequence[Comparison], bank: Sequence[BankItem],
             rng: np.random.Generator, per_comparison: int = 24, max_context: int = 4,
             whole: float = 0.3) -> list[Example]:
    """``per_comparison`` examples from each comparison: a question about one of its facts
    (from the bank's train split or the fact's keys) and, with probability ``whole``, the
    comparison's whole fact text as the context, else a sub-context of up to ``max_context``
    sentences; the answer is the fact's answer span inside its sentence."""
    asked = bank_questions(bank)
    out: list[Example] = []
    for comparison in comparisons:
        facts = build_facts(comparison)
        by_id = {f.id: f for f in facts}
        whole_text, whole_spans = context_text(facts), context_spans(facts)
        for _ in range(per_comparison):
            picked = _question(rng, asked, facts, by_id)
            if picked is None:
                continue
            question, gold = picked
            if rng.random() < whole:
                context, spans = whole_text, whole_spans
            else:
                chosen = _sub_context(rng, gold, facts, max_context)
                context, spans = context_text(chosen), context_spans(chosen)
            anchor = next(s for s, _, fid in spans if fid == gold.id)
            start = context.index(gold.answer, anchor)
            out.append(Example(question, context, start, start + len(gold.answer), anchor))
    return out
