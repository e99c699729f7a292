"""The paper's pipeline ("From Pixels to Words"): the reader reads the whole context; when its
confidence is below a threshold, the sentences most similar to the question form a
sub-context and the reader is asked again. The engine gives it the question as the
conversation resolves it (follow-ups rewritten), and answers with the sentences the span lies in.

``first="sub"`` swaps the two reads: the short sub-context first, the whole context (many
windows, seconds on a CPU) only when the reader is unsure there; the more confident of the two
answers is kept."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.qa.encoder import FloatArray
from core.qa.facts import Fact, context_spans, context_text
from core.qa.index import FactIndex
from core.qa.reader import Reader, Span

ORDERS = ("whole", "sub")


@dataclass(frozen=True)
class TypicalQuestions:
    """Questions known to ask for a fact (the bank's training wordings), embedded: one more
    way a sentence resembles a question, beside its text and its own typical questions."""

    vectors: FloatArray  # (N, D), one row per question
    fact_ids: tuple[str, ...]  # the fact each row asks for

    def similarity(self, index: FactIndex, query: FloatArray) -> FloatArray:
        """Per fact of ``index``, the best similarity of ``query`` with its questions (-1: none)."""
        where = {f.id: i for i, f in enumerate(index.facts)}
        rows = np.array([where.get(f, -1) for f in self.fact_ids], dtype=np.int64)
        known = rows >= 0
        best = np.full(len(index.facts), -1.0, dtype=np.float32)
        np.maximum.at(best, rows[known], (self.vectors[known] @ query).astype(np.float32))
        return best


@dataclass(frozen=True)
class PaperResult:
    span: Span
    fact_ids: tuple[str, ...]
    asked_again: bool


def paper_answer(
    index: FactIndex, question: str, query: FloatArray, reader: Reader,
    threshold: float = 0.5, sentences: int = 3, sentence_vectors: FloatArray | None = None,
    first: str = "whole", typical: TypicalQuestions | None = None,
) -> PaperResult:
    """``sentence_vectors`` (one row per fact sentence) rank the sentences for the sub-context,
    together with the index's own similarity (the facts' typical questions) and ``typical``
    (more questions per fact); without them the index's similarity alone."""
    if first not in ORDERS:
        raise ValueError(f"unknown order {first!r}; use one of {', '.join(ORDERS)}")
    facts: list[Fact] = list(index.facts)
    if first == "whole":
        whole = read_facts(reader, question, facts)
        if whole.span.score >= threshold:
            return whole
        sub = read_facts(reader, question, nearest(index, query, sentences, sentence_vectors, typical))
        return PaperResult(sub.span, sub.fact_ids, True)
    sub = read_facts(reader, question, nearest(index, query, sentences, sentence_vectors, typical))
    if sub.span.score >= threshold:
        return sub
    whole = read_facts(reader, question, facts)
    best = whole if whole.span.score > sub.span.score else sub
    return PaperResult(best.span, best.fact_ids, True)


def nearest(index: FactIndex, query: FloatArray, k: int,
            sentence_vectors: FloatArray | None = None,
            typical: TypicalQuestions | None = None) -> list[Fact]:
    """The ``k`` facts most similar to the question, most similar first."""
    sims = similarities(index, query, sentence_vectors, typical)
    return [index.facts[int(i)] for i in np.argsort(-sims, kind="stable")[:k]]


def similarities(index: FactIndex, query: FloatArray,
                 sentence_vectors: FloatArray | None = None,
                 typical: TypicalQuestions | None = None) -> FloatArray:
    """Per fact, how similar the question is to it: to its sentence or its typical questions."""
    sims = index.similarity(query)
    if sentence_vectors is not None:
        sims = np.maximum(sims, sentence_vectors @ query)
    if typical is not None:
        sims = np.maximum(sims, typical.similarity(index, query))
    return np.asarray(sims, dtype=np.float32)


def read_facts(reader: Reader, question: str, facts: list[Fact]) -> PaperResult:
    """The reader's span of ``facts``' sentences and the facts it lies in."""
    span = reader.read(question, context_text(facts))
    return PaperResult(span, _facts_of(span, facts), False)


def _facts_of(span: Span, facts: list[Fact]) -> tuple[str, ...]:
    """The facts whose sentences the span overlaps."""
    if span.end <= span.start:
        return ()
    return tuple(
        fact_id for start, end, fact_id in context_spans(facts)
        if start < span.end and span.start < end
    )
