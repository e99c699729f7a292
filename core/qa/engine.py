"""The question-answering engine: a question about a comparison (with the conversation so far)
in, an answer with its confidence and the ids of the facts it came from out.

Stateless apart from caches: the conversation is the ``History`` the caller passes in and
appends to. Answers only ever repeat facts (or spans of them), so nothing a user types can make
the engine state something the comparison does not say, or change the decision.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from core.comparison import Comparison
from core.errors import ModelNotFound
from core.qa.answer import Answer, History
from core.qa.encoder import FloatArray, TextEncoder, encoder_identity, encoder_words
from core.qa.evidence import evidence_line
from core.qa.facts import Fact, FactBuilder, build_facts
from core.qa.grounded import Weights, pick, scores
from core.qa.guard import MESSAGES, check_question
from core.qa.index import FactIndex, IndexCache
from core.qa.intents import READINGS, IntentModel, content_words, intent_of
from core.qa.lexicon import Slots
from core.qa.paper import TypicalQuestions, paper_answer, read_facts
from core.qa.reader import Reader
from core.qa.replies import dont_know, unsure
from core.qa.resolve import resolve
from core.qa.scope import SCOPE, out_of_scope
from core.qa.unknown import unknown_terms

MODES = ("grounded", "paper")
_ENDS_BY = {"most": "most_important", "least": "least_important"}
_ENDS = frozenset(_ENDS_BY.values())


@dataclass(frozen=True)
class QAConfig:
    mode: str = "grounded"
    min_score: float = -1.0  # grounded: below this adjusted score, "I'm not sure" + suggestions
    intent_min: float = 0.3  # grounded: below this intent probability, "not sure" + two readings
    intent_weight: float = 0.25  # how much log P(intent of a fact) adds to its score
    # grounded: compare questions with the facts' keys only (fixed questions, embedded once per
    # process), not their sentences, so a new comparison has nothing new to embed
    fact_texts: bool = False
    scope_first: float = 0.5  # an out-of-scope reading this likely wins over unknown names
    # a question whose only content word is new ("why though?") keeps a reading this likely;
    # with two or more new words ("how tall is Everest?") it is small talk
    one_new_word: float = 0.9
    intent_strict: float = 0.7  # at or above this probability, only the top intent's facts compete
    intent_splits: tuple[str, ...] = ("train", "dev")  # the bank splits the classifier learns from
    reader_min: float = 0.3  # grounded: the reader's span is used at or above this probability
    # paper: the second read when the first one's span probability is below paper_threshold;
    # tuned on the bank's dev split (benchmarks/tune_paper.py) with the reader `train reader`
    # makes: the nearest sentence first, and its span kept (the paper's order, whole context
    # first with 0.5 and 3 sentences, got 27% of dev; reading the whole context only hurt)
    paper_threshold: float = 0.0
    paper_sentences: int = 1  # paper: sentences in the sub-context
    paper_first: str = "sub"  # paper: "whole" context first (the paper), or the "sub"-context
    # paper: answer with the whole fact sentence(s) the reader's span lies in ("sentence"), as
    # the grounded mode does, or with the span alone ("span")
    paper_answer: str = "sentence"
    # paper: questions the intent model reads as out of scope (who is it? how old? what should
    # I do?) get the scope reply instead of a span; the paper's pipeline had no such check
    paper_scope: bool = True
    # paper: the bank's wordings (of intent_splits) join the facts' typical questions in the
    # sentence ranking (dev, nearest sentence right: 80% -> 86%)
    paper_typical: bool = True
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
        intents: IntentModel | None = None,
        cache_dir: Path | None = None,
    ) -> None:
        self.encoder, self.reader = encoder, reader
        self.cache_dir = cache_dir  # where the fitted intent classifier is kept between starts
        self.config = config or QAConfig()
        self.builders = tuple(builders) if builders is not None else None
        self._cache = IndexCache(encoder, texts=self.config.fact_texts)
        self._intents = intents
        self._typical: TypicalQuestions | None = None
        self._lock = threading.Lock()

    @property
    def intents(self) -> IntentModel:
        """The intent classifier, fitted on the question bank the first time it is needed, or
        loaded from ``cache_dir`` when a fit of the same bank, encoder and code is there."""
        with self._lock:
            if self._intents is None:
                self._intents = self._fit_intents()
            return self._intents

    def _fit_intents(self) -> IntentModel:
        from core.qa.bank import read_bank
        from core.qa.intents import fit_intents, key_pairs, training_pairs

        pairs = training_pairs(read_bank(), self.config.intent_splits)

        def fit() -> IntentModel:
            return fit_intents(self._cache, pairs, dictionary=encoder_words(self.encoder))

        if self.cache_dir is None:
            return fit()
        from core.qa.intent_cache import cache_key, load_or_fit

        key = cache_key([*pairs, *READINGS.items(), *key_pairs()], encoder_identity(self.encoder))
        return load_or_fit(self.cache_dir, key, fit)

    def warm_up(self) -> None:
        """Load the encoder and fit the intent classifier now, not at the first question."""
        _ = self.intents

    def using(self, reader: Reader | None) -> QAEngine:
        """The same engine (encoder, settings, cached embeddings) with another reader, or none."""
        twin = QAEngine(self.encoder, reader, self.config, self.builders, self._intents,
                        self.cache_dir)
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
        if mode == "paper":
            if unknown_terms(text, index.vocabulary):
                return dont_know(index, question, text, mode, unknown_terms(text, index.vocabulary))
            return self._paper(index, question, text, history)
        return self._grounded(index, question, text, history, mode)

    def _grounded(self, index: FactIndex, question: str, text: str, history: History | None,
                  mode: str) -> Answer:
        facts = index.by_id
        resolved = resolve(self.intents.speller.correct(text, index.vocabulary), history, facts,
                           index.vocabulary)
        if resolved.target is not None:
            prev = history.last() if history else None
            fact = facts[resolved.target]
            return Answer(question, resolved.text, fact.text, prev.confidence if prev else 1.0,
                          (fact.id,), mode, evidence=(fact.text,), intent=intent_of(fact.id),
                          intent_probability=1.0, sources=evidence_line([fact.id]))
        query = self.encoder.encode([resolved.text])[0]
        read = self.intents.readings(resolved.text, query)
        readings = read.intents
        intent, p = readings[0]
        unknown = unknown_terms(text, index.vocabulary)
        if unknown and not (intent.startswith("oos_") and p >= self.config.scope_first):
            return dont_know(index, question, text, mode, unknown)
        if intent not in SCOPE and self.intents.off_domain(resolved.text, index.vocabulary) and not (
                p >= self.config.one_new_word and len(content_words(resolved.text)) == 1):
            intent, p = "chitchat", max(p, dict(readings).get("chitchat", 0.0))
        intent, p = _words_decide(intent, p, readings, resolved.slots)
        polarity = resolved.slots.polarity
        if intent in _ENDS and polarity and intent != _ENDS_BY[polarity]:
            # the words say which end of the ranking ("highest level" is the least important);
            # the encoder hears both ends as alike
            intent = _ENDS_BY[polarity]
            p = max(p, dict(readings).get(intent, 0.0))
        if p < self.config.intent_min:
            return self._unsure(index, question, resolved.text, mode, readings)
        order = f"ranking.{resolved.slots.side if resolved.slots.side in ('A', 'B') else 'pair'}.order"
        if resolved.slots.ordinal and intent in _ENDS | {"region_importance"} and order in facts:
            # "the second most important region": a place between the ranking's two ends
            fact = facts[order]
            return Answer(question, resolved.text, fact.text, round(p, 4), (fact.id,), mode,
                          evidence=(fact.text,), intent=intent, intent_probability=round(p, 4),
                          sources=evidence_line([fact.id]))
        if intent in SCOPE:
            return out_of_scope(index, question, resolved.text, mode, intent, p)
        prior = dict(readings)
        if p >= self.config.intent_strict and any(intent_of(f.id) == intent for f in index.facts):
            prior = {intent: 1.0}
        ranked = scores(index, query, resolved.slots, self.config.weights)
        ranked += self.config.intent_weight * np.log(
            np.array([_prior(prior, read.facts, f.id) for f in index.facts]) + 1e-3)
        if float(ranked.max()) < self.config.min_score:
            return self._unsure(index, question, resolved.text, mode, readings)
        got = pick(index, ranked, resolved.slots, resolved.text, self.reader, self.config.reader_min)
        evidence = got.evidence or tuple(facts[i].text for i in got.fact_ids)
        return Answer(question, resolved.text, got.text, round(got.confidence, 4), got.fact_ids,
                      mode, evidence=evidence, intent=intent, intent_probability=round(p, 4),
                      sources=evidence_line(got.fact_ids))

    def _unsure(self, index: FactIndex, question: str, text: str, mode: str,
                readings: list[tuple[str, float]]) -> Answer:
        """"Not sure" with the two most likely readings of the question as suggestions."""
        two = [(i, p) for i, p in readings if i in READINGS][:2]
        offered = tuple(READINGS[i] for i, _ in two)
        said = " or ".join(f'"{q}"' for q in offered)
        return Answer(question, text, f"I'm not sure what you are asking. Did you mean {said}?",
                      round(two[0][1], 4), (), mode, "unknown", offered, intent=two[0][0],
                      intent_probability=round(two[0][1], 4))

    def _paper(self, index: FactIndex, question: str, text: str,
               history: History | None) -> Answer:
        """The paper's pipeline on the question as the conversation resolves it ("and the
        chin?" after the nose is asked as "What is the importance of the chin?"); a follow-up
        tied to one fact ("why?" after an answer) is read from that fact's sentence."""
        if self.reader is None:
            raise ReaderMissing(detail="no reader model was configured for the paper mode")
        resolved = resolve(text, history, index.by_id, index.vocabulary)
        asked = resolved.text
        if resolved.target is not None:
            result = read_facts(self.reader, asked, [index.by_id[resolved.target]])
        else:
            query = self.encoder.encode([asked])[0]
            scope = self._paper_scope(asked, query, index.vocabulary)
            if scope is not None:
                return out_of_scope(index, question, asked, "paper", *scope)
            sentences = self._cache.vectors([f.text for f in index.facts])  # the paper ranks sentences
            result = paper_answer(index, asked, query, self.reader, self.config.paper_threshold,
                                  self.config.paper_sentences, sentences, self.config.paper_first,
                                  self._typical_questions())
        span = result.span
        if not span.text.strip():
            return unsure(index, question, asked, "paper", "I could not find an answer.", "unknown")
        ids = result.fact_ids
        said = span.text.strip()
        if self.config.paper_answer == "sentence" and ids:
            said = " ".join(index.by_id[i].text for i in ids)
        return Answer(question, asked, said, round(span.score, 4), ids, "paper",
                      evidence=tuple(index.by_id[i].text for i in ids),
                      intent=intent_of(ids[0]) if ids else "", sources=evidence_line(ids))

    def _typical_questions(self) -> TypicalQuestions | None:
        """The bank's questions of ``intent_splits`` with their facts, embedded once."""
        if not self.config.paper_typical:
            return None
        with self._lock:
            if self._typical is None:
                from core.qa.bank import read_bank
                from core.qa.synthetic import bank_questions

                asked = bank_questions(read_bank(), splits=self.config.intent_splits)
                self._typical = TypicalQuestions(self._cache.encode([q for q, _ in asked]),
                                                 tuple(facts[0] for _, facts in asked))
            return self._typical

    def _paper_scope(self, text: str, query: FloatArray, vocabulary: frozenset[str]
                     ) -> tuple[str, float] | None:
        """The out-of-scope reading of ``text`` (intent, probability) when the intent model's
        most likely reading is one (small talk too: no content word the bank or facts know)."""
        if not self.config.paper_scope:
            return None
        readings = self.intents.ranked(text, query)
        intent, p = readings[0]
        if intent not in SCOPE and self.intents.off_domain(text, vocabulary) and not (
                p >= self.config.one_new_word and len(content_words(text)) == 1):
            intent, p = "chitchat", max(p, dict(readings).get("chitchat", 0.0))
        return (intent, p) if intent in SCOPE and p >= self.config.intent_min else None


def _prior(intents: dict[str, float], facts: dict[str, float], fact_id: str) -> float:
    """P(the fact's intent), times P(the fact | its intent) for the intents learnt per fact
    (a fact the classifier has no label for counts as an average one of its intent)."""
    intent = intent_of(fact_id)
    p = intents.get(intent, 0.0)
    mine = [q for f, q in facts.items() if intent_of(f) == intent]
    return p * facts.get(fact_id, 1.0 / len(mine)) if mine else p


def _words_decide(intent: str, p: float, readings: list[tuple[str, float]],
                  slots: Slots) -> tuple[str, float]:
    """A value or how it came about, when the classifier hesitates between the two: the encoder
    hears "what did you decide?" and "why did you decide?" (or "how sure?" and "how is the
    confidence computed?") as alike; the words tell them apart."""
    for value, process, asked in (("decision", "reasoning", slots.grounds),
                                  ("confidence_value", "confidence_method", slots.computed)):
        if {intent, readings[1][0]} == {value, process}:
            # the probability of "one of the two", the words having chosen which
            return (process if asked else value), p + readings[1][1]
    return intent, p
