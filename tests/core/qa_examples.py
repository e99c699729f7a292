"""Shared pieces for the QA tests: one real sentence encoder and engine per test session, the
example comparisons from data/qa, the paper's nine questions, a tiny randomly initialised SQuAD
reader, and ``Chat``, which keeps a conversation the way the chat service does."""

from __future__ import annotations

import functools
import os
from dataclasses import replace
from pathlib import Path

from core.comparison import Comparison
from core.qa.answer import Answer, History
from core.qa.encoder import SentenceTransformerEncoder
from core.qa.engine import QAEngine
from core.qa.facts import build_facts, context_text
from core.qa.index import FactIndex

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parents[2]
QA_DATA = ROOT / "data" / "qa"

PAPER_QUESTIONS = {  # the paper's nine questions -> the fact that answers them
    "What is the decision?": "decision",
    "How did you come to this decision?": "decision.reason",
    "How sure are you about the decision?": "confidence",
    "What is the most important feature of this decision?": "ranking.pair.most",
    "What is the least important feature of this decision?": "ranking.pair.least",
    "What is explainable AI?": "glossary.xai",
    "What are these output images?": "outputs.images",
    "Which is the most important face region?": "ranking.pair.most",
    "What is the importance of the chin?": "region.pair.chin",
}


def example(kind: str) -> Comparison:
    """"genuine" or "impostor" (data/qa), or "verification-only" (the impostor without maps)."""
    if kind == "verification-only":
        return replace(example("impostor"), saliency=None, tables=None, artefacts={})
    return Comparison.load(QA_DATA / f"{kind}.json")


@functools.cache
def encoder() -> SentenceTransformerEncoder:
    return SentenceTransformerEncoder(threads=1)


@functools.cache
def engine() -> QAEngine:
    return QAEngine(encoder())


def index(kind: str) -> FactIndex:
    return engine().index(example(kind))


@functools.cache
def tiny_reader_dir(folder: Path) -> Path:
    """A randomly initialised BERT reader whose vocabulary covers the example contexts."""
    from core.qa.random_reader import build_random_reader

    texts = [context_text(build_facts(example(k))) for k in ("genuine", "impostor")]
    return build_random_reader(folder, texts, seed=0)


class Chat:
    """One conversation about one comparison: ask, remember, ask again."""

    def __init__(self, about: FactIndex, qa: QAEngine | None = None, mode: str = "grounded") -> None:
        self.about, self.qa, self.mode = about, qa or engine(), mode
        self.history = History()

    def ask(self, question: str) -> Answer:
        answer = self.qa.ask(self.about, question, self.history, mode=self.mode)
        self.history.add(answer)
        return answer
