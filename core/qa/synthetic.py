"""Synthetic comparisons and (question, context, answer span) examples for training the
extractive reader: varied decisions, scores, thresholds, PIC values, region tables and
detections, their facts from the engine's own builders, and questions from the facts' keys and
the question bank's train split.

The contexts are the ones the paper's pipeline gives the reader: the whole fact text of a
comparison (read in overlapping windows) and short sub-contexts of a few sentences. With a
``ranking`` (the sentence encoder's order of the facts for each question, as the paper mode
ranks them) a sub-context is the question's own top sentences, the answer's among them (or,
now and then, left out: a "not here" example, so that the reader is unsure where retrieval
missed); without one, the other sentences are often the ones most easily confused with the
answer's (same topic, same region). The answer span is the answer's whole sentence (the fact
the paper mode answers with), or only the fact's short ``answer`` inside it."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
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
    def answerable(self) -> bool:
        """False for a "not here" example (the context lacks the answer): [CLS] is its label."""
        return self.end > self.start

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
# the fact ids of a comparison most similar to a question first (the paper mode's ranking)
Ranking = Callable[[str, Comparison], Sequence[str]]
SPANS = ("sentence", "answer")


def bank_questions(bank: Sequence[BankItem], resolved: Callable[[str, str, str], str] | None = None,
                   splits: Sequence[str] = ("train",)) -> list[Asked]:
    """The questions of the bank's train split (or ``splits``) with their expected facts: single
    questions and the first turn of each follow-up dialogue, and its second as ``resolved(first
    question, first fact, second question)`` rewrites it (the paper mode reads resolved
    follow-ups)."""
    asked: list[Asked] = []
    for item in bank:
        if item.split not in splits or not item.turns[0].expect:
            continue
        first = item.turns[0]
        asked.append((first.q, first.expect))
        if resolved is not None and len(item.turns) == 2 and item.turns[1].expect:
            second = item.turns[1]
            asked.append((resolved(first.q, first.expect[0], second.q), second.expect))
    return asked


def fact_questions(facts: Sequence[Fact]) -> list[Asked]:
    """The facts' own typical questions (their keys) with the fact each asks for."""
    return [(key, (f.id,)) for f in facts for key in f.keys]


def follow_up_resolver(facts: Sequence[Fact]) -> Callable[[str, str, str], str]:
    """``resolved(first question, its fact id, follow-up)``: the follow-up as the engine's
    resolution rewrites it after that answer, over ``facts``."""
    from core.qa.answer import Answer, History
    from core.qa.resolve import resolve
    from core.qa.unknown import tokens

    by_id = {f.id: f for f in facts}
    vocabulary = frozenset(t for f in facts for t in tokens(f.text))

    def resolved(first: str, fact_id: str, second: str) -> str:
        if fact_id not in by_id:
            return second
        history = History()
        history.add(Answer(first, first, by_id[fact_id].text, 1.0, (fact_id,), "paper"))
        return resolve(second, history, by_id, vocabulary).text

    return resolved


def precomputed_ranking(orders: Mapping[tuple[str, bool], Sequence[str]]) -> Ranking:
    """A ranking from ``orders[(question, same person?)]``, fact ids most similar first,
    computed on a reference comparison of each decision; empty for an unknown question."""
    return lambda question, comparison: orders.get((question, comparison.same_person), ())


def _question(rng: np.random.Generator, asked: Sequence[Asked], facts: Sequence[Fact],
              by_id: dict[str, Fact], bank_share: float = 0.5) -> tuple[str, Fact] | None:
    """With probability ``bank_share`` a bank question (its first expected fact this
    comparison has), else one of a random fact's own keys."""
    if asked and rng.random() < bank_share:
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


def _ranked_context(rng: np.random.Generator, gold: Fact, facts: Sequence[Fact],
                    order: Sequence[str], max_context: int, missing: float) -> list[Fact]:
    """The question's top 1..``max_context`` sentences, as the paper mode reads them, in random
    order: a reader trained on the ranking's order learnt to take the first sentence and chose
    no better than the ranking alone. The answer's sentence is put in where the ranking left it
    out, or (with probability ``missing``) the sub-context is kept without it."""
    by_id = {f.id: f for f in facts}
    k = int(rng.integers(1, max_context + 1))
    top = [by_id[i] for i in order if i in by_id][:k]
    if gold not in top and rng.random() >= missing:
        top[int(rng.integers(len(top)))] = gold
    return [top[i] for i in rng.permutation(len(top))]


def examples(comparisons: Sequence[Comparison], bank: Sequence[BankItem],
             rng: np.random.Generator, per_comparison: int = 24, max_context: int = 4,
             whole: float = 0.3, span: str = "answer", asked: Sequence[Asked] | None = None,
             ranking: Ranking | None = None, missing: float = 0.0, bank_share: float = 0.5,
             ) -> list[Example]:
    """``per_comparison`` examples from each comparison: a question about one of its facts
    (from ``asked``, by default the bank's train split, or the fact's keys) and, with
    probability ``whole``, the comparison's whole fact text as the context, else a sub-context
    of up to ``max_context`` sentences (the question's top ones when ``ranking`` has it); the
    answer is the fact's whole sentence (``span="sentence"``) or its answer span."""
    if span not in SPANS:
        raise ValueError(f"unknown span {span!r}; use one of {', '.join(SPANS)}")
    asked = bank_questions(bank) if asked is None else asked
    out: list[Example] = []
    for comparison in comparisons:
        facts = build_facts(comparison)
        by_id = {f.id: f for f in facts}
        whole_text, whole_spans = context_text(facts), context_spans(facts)
        for _ in range(per_comparison):
            picked = _question(rng, asked, facts, by_id, bank_share)
            if picked is None:
                continue
            question, gold = picked
            if rng.random() < whole:
                context, spans = whole_text, whole_spans
            else:
                order = ranking(question, comparison) if ranking is not None else ()
                if order:
                    chosen = _ranked_context(rng, gold, facts, order, max_context, missing)
                else:
                    chosen = _sub_context(rng, gold, facts, max_context)
                context, spans = context_text(chosen), context_spans(chosen)
            where = next(((a, b) for a, b, fid in spans if fid == gold.id), None)
            if where is None:  # the sub-context lacks the answer: "not here"
                out.append(Example(question, context, 0, 0))
                continue
            anchor, end = where
            if span == "sentence":
                out.append(Example(question, context, anchor, end, anchor))
                continue
            start = context.index(gold.answer, anchor)
            out.append(Example(question, context, start, start + len(gold.answer), anchor))
    return out
