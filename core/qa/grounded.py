"""The grounded mode: rank the facts by similarity to the (resolved) question, adjusted by the
question's slots, and answer from the best facts: the reader's span when a reader is set and
confident, otherwise the fact sentence itself. Every answer is a fact or a span of one."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from core.qa.encoder import FloatArray
from core.qa.facts import Fact, context_spans, context_text
from core.qa.index import FactIndex
from core.qa.lexicon import Slots
from core.qa.reader import Reader


@dataclass(frozen=True)
class Weights:
    """How much a slot match adds to (or a mismatch takes from) a fact's cosine similarity."""

    region: float = 0.3  # the question names this fact's region (or another one)
    no_region: float = 0.15  # the question names no region: region facts step back
    side: float = 0.15  # photo 1 / photo 2 / both (a question that names none means both)
    method: float = 0.3
    no_method: float = 0.1  # the question names no method: the facts on one method step back
    polarity: float = 0.2  # most / least
    process: float = 0.2  # "how/why" questions and the facts that say how a value came about ...
    no_process: float = 0.1  # ... which step back for other questions
    partwords: float = 0.1  # "feature", "region", "part of the face": region and ranking facts
    definition: float = 0.1  # glossary facts answer "what is X / what does X mean" ...
    instance: float = 0.1  # ... and step back when a question points at "this result"
    cue: float = 0.1  # the question uses a word typical of the fact (Fact.cues)


@dataclass(frozen=True)
class Pick:
    text: str
    confidence: float
    fact_ids: tuple[str, ...]
    evidence: tuple[str, ...] = ()


def scores(index: FactIndex, query: FloatArray, slots: Slots, w: Weights) -> NDArray[np.float32]:
    """Each fact's similarity to the question plus its slot adjustments."""
    out = index.similarity(query).copy()
    side = slots.side if slots.side in ("A", "B", "pair") else None
    explained = {f.topic for f in index.facts if "process" in f.tags}
    for i, f in enumerate(index.facts):
        adj = 0.0
        if slots.regions:
            adj += (w.region if f.region in slots.regions else -w.region) if f.region else 0.0
        elif f.region:
            adj -= w.no_region
        if f.side and (side is not None or f.side != "pair"):
            adj += w.side if f.side == side else -w.side
        if slots.method and f.method:
            adj += w.method if f.method == slots.method else -w.method
        elif f.method:  # "which method made the maps?" names none: MinPlus in general
            adj -= w.no_method
        if slots.polarity and f.polarity:
            adj += w.polarity if f.polarity == slots.polarity else -w.polarity
        if "process" in f.tags:
            adj += w.process if slots.explain else -w.no_process
        elif slots.explain and f.topic in explained:  # "how was X found" wants the how, not X
            adj -= w.no_process
        if slots.partwords:
            if f.topic in ("region", "ranking"):
                adj += w.partwords
            elif slots.polarity:  # "which part mattered most" is about regions
                adj -= w.partwords
        if f.topic == "glossary":
            adj -= (0.0 if slots.define else w.definition) + (w.instance if slots.instance else 0.0)
        if f.cues and any(word.startswith(f.cues) for word in slots.words):
            adj += w.cue
        out[i] += adj
    return out


def pick(
    index: FactIndex, ranked: NDArray[np.float32], slots: Slots, question: str,
    reader: Reader | None = None, reader_min: float = 0.3, reader_facts: int = 3,
) -> Pick:
    """The answer from the best fact (with its sibling regions when the question named a pair
    such as "the eyes"), or the reader's span of it when the reader is sure enough."""
    order = np.argsort(-ranked, kind="stable")
    top = index.facts[int(order[0])]
    chosen = [top]
    if top.region and len(slots.regions) > 1:
        chosen += [f for f in index.facts
                   if f is not top and f.region in slots.regions and f.side == top.side]
    chosen.sort(key=index.facts.index)
    confidence = float(np.clip(ranked[order[0]], 0.0, 1.0))
    if reader is not None and len(chosen) == 1:
        span = _read(reader, question, [index.facts[int(i)] for i in order[:reader_facts]])
        if span is not None and span[1] >= reader_min and span[2] == top.id:
            return Pick(span[0], span[1], (top.id,), (top.text,))
    return Pick(" ".join(f.text for f in chosen), confidence, tuple(f.id for f in chosen))


def _read(reader: Reader, question: str, facts: list[Fact]) -> tuple[str, float, str] | None:
    span = reader.read(question, context_text(facts))
    if not span.text.strip():
        return None
    for start, end, fact_id in context_spans(facts):
        if start <= span.start and span.end <= end:
            return span.text.strip(), span.score, fact_id
    return None
