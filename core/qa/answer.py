"""What the engine returns, and the conversation history it is given."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

# kind: "answer" (from the facts), "unknown" (the comparison does not say: nothing invented),
# "refusal" (empty, too long, not a question, another language, or an attempt to steer it).
# Out-of-scope questions (who someone is, emotions, age or gender, advice, small talk) are
# "unknown" with their ``intent`` (core.qa.scope.SCOPE) saying which.
KINDS = ("answer", "unknown", "refusal")


@dataclass(frozen=True)
class Answer:
    question: str
    resolved_question: str
    text: str
    confidence: float  # 0..1: the reader's span probability, or the fact's match score
    fact_ids: tuple[str, ...]
    mode: str  # "grounded" or "paper"
    kind: str = "answer"
    suggestions: tuple[str, ...] = ()
    evidence: tuple[str, ...] = ()  # the fact sentences behind the answer
    ms: float = 0.0
    intent: str = ""  # what the question was read as asking, and how likely that reading is
    intent_probability: float = 0.0
    sources: str = ""  # "from: the region table (nose, both photos)"

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["fact_ids"] = list(self.fact_ids)
        data["suggestions"] = list(self.suggestions)
        data["evidence"] = list(self.evidence)
        return data


@dataclass
class Turn:
    """One question and its answer, as the conversation store keeps it."""

    question: str
    answer: str
    fact_ids: list[str] = field(default_factory=list)
    resolved_question: str = ""
    confidence: float = 0.0

    @classmethod
    def of(cls, answer: Answer) -> Turn:
        return cls(answer.question, answer.text, list(answer.fact_ids), answer.resolved_question,
                   answer.confidence)


@dataclass
class History:
    """The turns of one conversation about one comparison, oldest first. The engine reads it;
    the caller (the chat, the store, ``facexplain ask``) appends to it."""

    turns: list[Turn] = field(default_factory=list)

    def add(self, answer: Answer) -> Turn:
        turn = Turn.of(answer)
        self.turns.append(turn)
        return turn

    def last(self) -> Turn | None:
        return self.turns[-1] if self.turns else None
