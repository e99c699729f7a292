"""The paper's pipeline ("From Pixels to Words"): the reader reads the whole context; when its
confidence is below a threshold, the sentences most similar to the question form a
sub-context and the reader is asked again. No follow-up resolution, as in the paper."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.qa.encoder import FloatArray
from core.qa.facts import Fact, context_spans, context_text
from core.qa.index import FactIndex
from core.qa.reader import Reader, Span


@dataclass(frozen=True)
class PaperResult:
    span: Span
    fact_ids: tuple[str, ...]
    asked_again: bool


def paper_answer(
    index: FactIndex, question: str, query: FloatArray, reader: Reader,
    threshold: float = 0.5, sentences: int = 3, sentence_vectors: FloatArray | None = None,
) -> PaperResult:
    """``sentence_vectors`` (one row per fact sentence) rank the sentences for the sub-context;
    without them the index's own similarity is used."""
    facts: list[Fact] = list(index.facts)
    span = reader.read(question, context_text(facts))
    if span.score >= threshold:
        return PaperResult(span, _facts_of(span, facts), False)
    sims = sentence_vectors @ query if sentence_vectors is not None else index.similarity(query)
    best = np.argsort(-sims, kind="stable")[:sentences]
    sub = [facts[int(i)] for i in best]
    again = reader.read(question, context_text(sub))
    return PaperResult(again, _facts_of(again, sub), True)


def _facts_of(span: Span, facts: list[Fact]) -> tuple[str, ...]:
    """The facts whose sentences the span overlaps."""
    if span.end <= span.start:
        return ()
    return tuple(
        fact_id for start, end, fact_id in context_spans(facts)
        if start < span.end and span.start < end
    )
