"""The replies for questions the engine will not answer from a fact: things the comparison
does not cover ("I don't know"), and questions it cannot place (with suggestions)."""

from __future__ import annotations

import numpy as np

from core.qa.answer import Answer
from core.qa.facts import join_words
from core.qa.index import FactIndex
from core.qa.unknown import term_kind

# Questions offered when the engine cannot answer, by the topic of the facts nearest the question.
SUGGESTIONS: tuple[tuple[str, str], ...] = (
    ("decision", "What is the decision?"),
    ("confidence", "How sure are you about the decision?"),
    ("ranking", "Which is the most important face region?"),
    ("outputs", "What are these output images?"),
    ("region", "What is the importance of the nose?"),
    ("method", "What does S1+ do?"),
    ("glossary", "What is explainable AI?"),
    ("models", "Which face recognizer was used?"),
    ("score", "What is the similarity score?"),
    ("threshold", "What is the threshold?"),
)
# Small talk and other questions about nothing here: a question nearer one of these than to
# every fact gets "I'm not sure" and suggestions, not the nearest fact.
OFF_TOPIC: tuple[str, ...] = (
    "Hello!", "How are you?", "Who are you?", "Thank you!", "Tell me a joke.",
    "What is the weather like today?", "What time is it?", "Who won the game yesterday?",
    "What is the capital of France?", "Can you help me with my homework?",
)
# What to say instead when a question names something the comparison does not cover.
_INSTEAD = {"part": ("table.regions", "regions.none"), "method": ("method.minplus",),
            "model": ("models.recognizer",)}


def dont_know(index: FactIndex, question: str, text: str, mode: str, terms: tuple[str, ...]) -> Answer:
    """"I don't know" about names the facts never mention, and what the facts do cover instead."""
    facts = index.by_id
    said = f"I don't know: this comparison has no information about {join_words(list(terms))}."
    for fact_id in _INSTEAD.get(term_kind(terms[0]), ()):
        if fact_id in facts:
            return Answer(question, text, f"{said} {facts[fact_id].text}", 0.0, (fact_id,),
                          mode, "unknown")
    return unsure(index, question, text, mode, said, "unknown")


def unsure(index: FactIndex, question: str, text: str, mode: str, message: str, kind: str,
           ranked: np.ndarray | None = None) -> Answer:
    """``message`` and two or three questions this comparison can answer."""
    suggestions = suggest(index, ranked)
    reply = f"{message} You could ask: " + " ".join(f'"{s}"' for s in suggestions)
    return Answer(question, text, reply, 0.0, (), mode, kind, suggestions)


def suggest(index: FactIndex, ranked: np.ndarray | None = None, count: int = 3) -> tuple[str, ...]:
    """Two or three questions this comparison can answer, nearest the question's topic first."""
    available = {f.topic for f in index.facts}
    order = [topic for topic, _ in SUGGESTIONS]
    if ranked is not None:
        order = [index.facts[int(i)].topic for i in np.argsort(-ranked, kind="stable")]
    asked = [q for t in dict.fromkeys(order) for topic, q in SUGGESTIONS if topic == t]
    return tuple(q for q in asked if any(t in available for t, s in SUGGESTIONS if s == q))[:count]
