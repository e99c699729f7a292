"""The question-answering engine: a question about a comparison (with the conversation so far)
in, an answer with its confidence and the ids of the facts it came from out.

Stateless apart from caches: the conversation is the ``History`` the caller passes in and
appends to. Answers only ever repeat facts (or spans of them), so nothing a user types can make
the engine state something the comparison does not say, or change the decision.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from core.comparison import Comparison
from core.errors import ModelNotFound
from core.qa.answer import Answer, History
from core.qa.encoder import TextEncoder
from core.qa.facts import Fact, FactBuilder, build_facts
from core.qa.grounded import Weights, pick, scores
from core.qa.guard import MESSAGES, check_question
from core.qa.index import FactIndex, IndexCache
from core.qa.paper import paper_answer
from core.qa.reader import Reader
from core.qa.replies import OFF_TOPIC, dont_know, unsure
from core.qa.resolve import resolve
from core.qa.unknown import unknown_terms

MODES = ("grounded", "paper")


@dataclass(frozen=True)
class QAConfig:
    mode: str = "grounded"
    min_score: float = 0.35  # grounded: below this adjusted similarity, "I'm not sure" + suggestions
    off_topic_margin: float = 0.1  # ... and when small talk (OFF_TOPIC) is nearer by this much
    reader_min: float = 0.3  # grounded: the reader's span is used at or above this probability
    paper_threshold: float = 0.5  # paper: below this the reader is asked again on a sub-context
    paper_sentences: int = 3  # paper: sentences in the sub-context
    max_question_chars: int = 500
    weights: Weights = field(default_factory=Weights)


class ReaderMissing(ModelNotFound):
    code = "reader_missing"
    user_message = (
        "The paper mode needs a question-answering reader model. Ask the operator to install "
        "one, or use the grounded mode."
    )


class QAEngine:
    def __init__(
        self,
        encoder: TextEncoder,
        reader: Reader | None = None,
        config: QAConfig | None = None,
        builders: Iterable[FactBuilder] | None = None,
    ) -> None:
        self.encoder, self.reader = encoder, reader
        self.config = config or QAConfig()
        self.builders = tuple(builders) if builders is not None else None
        self._cache = IndexCache(encoder)

    def using(self, reader: Reader | None) -> QAEngine:
        """The same engine (encoder, settings, cached embeddings) with another reader, or none."""
        twin = QAEngine(self.encoder, reader, self.config, self.builders)
        twin._cache = self._cache
        return twin

    def index(self, comparison: Comparison, extra: Iterable[Fact] = ()) -> FactIndex:
        """The comparison's facts and their embeddings (cached: built once per comparison)."""
        return self._cache.index(build_facts(comparison, extra, self.builders))

    def ask(
        self,
        about: Comparison | FactIndex,
        question: str,
        history: History | None = None,
        mode: str | None = None,
    ) -> Answer:
        start = time.perf_counter()
        index = about if isinstance(about, FactIndex) else self.index(about)
        mode = mode or self.config.mode
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}; use one of {', '.join(MODES)}")
        answer = self._answer(index, question, history, mode)
        return replace(answer, ms=round((time.perf_counter() - start) * 1000.0, 2))

    def _answer(self, index: FactIndex, question: str, history: History | None, mode: str) -> Answer:
        facts = index.by_id
        checked = check_question(question, self.config.max_question_chars)
        text = checked.text
        if checked.problem == "steering":
            decision = facts["decision"]
            return Answer(question, text, f"{MESSAGES['steering']} {decision.text}", 1.0,
                          (decision.id,), mode, "refusal")
        if checked.problem:
            return unsure(index, question, text, mode, MESSAGES[checked.problem], "refusal")
        unknown = unknown_terms(text, index.vocabulary)
        if unknown:
            return dont_know(index, question, text, mode, unknown)
        if mode == "paper":
            return self._paper(index, question, text)
        resolved = resolve(text, history, facts, index.vocabulary)
        if resolved.target is not None:
            prev = history.last() if history else None
            fact = facts[resolved.target]
            return Answer(question, resolved.text, fact.text, prev.confidence if prev else 1.0,
                          (fact.id,), mode)
        query = self.encoder.encode([resolved.text])[0]
        ranked = scores(index, query, resolved.slots, self.config.weights)
        off_topic = float((self._cache.vectors(OFF_TOPIC) @ query).max())
        nearest = float(index.similarity(query).max())
        if float(ranked.max()) < self.config.min_score or off_topic > nearest + self.config.off_topic_margin:
            return unsure(index, question, resolved.text, mode,
                          "I'm not sure what you are asking about this comparison.", "unknown", ranked)
        got = pick(index, ranked, resolved.slots, resolved.text, self.reader, self.config.reader_min)
        return Answer(question, resolved.text, got.text, round(got.confidence, 4), got.fact_ids,
                      mode, evidence=got.evidence)

    def _paper(self, index: FactIndex, question: str, text: str) -> Answer:
        if self.reader is None:
            raise ReaderMissing(detail="no reader model was configured for the paper mode")
        query = self.encoder.encode([text])[0]
        result = paper_answer(index, text, query, self.reader, self.config.paper_threshold,
                              self.config.paper_sentences)
        span = result.span
        if not span.text.strip():
            return unsure(index, question, text, "paper", "I could not find an answer.", "unknown")
        return Answer(question, text, span.text.strip(), round(span.score, 4), result.fact_ids,
                      "paper")
