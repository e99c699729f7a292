"""Facts: the plain sentences the question-answering engine answers from.

A fact is one sentence about one comparison (or about the method in general), with a stable
id, a topic, the short answer span inside it, and a few optional tags the engine uses to
match questions (region, photo side, method, most/least). Facts are built by *fact builders*,
plain functions ``Comparison -> Iterable[Fact]``. Adding knowledge is adding a builder (or
passing ready facts as ``extra``): the engine embeds the new sentences the first time it sees
them, nothing is retrained.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from core.comparison import Comparison

Side = str  # "A" (photo 1), "B" (photo 2) or "pair" (both photos together)
SIDES: tuple[str, ...] = ("A", "B", "pair")


@dataclass(frozen=True)
class Fact:
    """One sentence the engine may answer with.

    ``answer`` is the short span inside ``text`` that answers the typical question about the
    fact (what an evaluation looks for). ``keys`` are a few typical questions the fact answers,
    embedded beside the sentence (questions match questions better than statements do).
    ``cues`` are word stems typical of questions about the fact ("sure", "confiden" for the
    confidence). ``because`` names the fact that explains this one (what "why?" after it asks
    for); the tag "process" marks facts that say how a value came about.
    """

    id: str
    topic: str
    text: str
    answer: str
    keys: tuple[str, ...] = ()
    cues: tuple[str, ...] = ()
    region: str | None = None
    side: Side | None = None
    method: str | None = None
    polarity: str | None = None  # "most" or "least"
    because: str | None = None
    tags: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        if not self.text.strip():
            raise ValueError(f"fact {self.id!r} has no text")
        if self.answer not in self.text:
            raise ValueError(f"fact {self.id!r}: answer span {self.answer!r} is not in its text")


FactBuilder = Callable[[Comparison], Iterable[Fact]]


def _default_builders() -> tuple[FactBuilder, ...]:
    from core.qa.facts.knowledge import knowledge_facts
    from core.qa.facts.models import description_facts
    from core.qa.facts.regions import region_facts
    from core.qa.facts.verification import verification_facts

    return (verification_facts, region_facts, knowledge_facts, description_facts)


def build_facts(
    comparison: Comparison,
    extra: Iterable[Fact] = (),
    builders: Sequence[FactBuilder] | None = None,
) -> list[Fact]:
    """All facts about ``comparison``: the default builders' (or ``builders``'), then ``extra``.

    Ids must be unique; a later fact with an id already taken is an error, so that two
    builders can never silently disagree about the same thing.
    """
    chosen = _default_builders() if builders is None else tuple(builders)
    facts: list[Fact] = []
    seen: set[str] = set()
    for fact in [f for build in chosen for f in build(comparison)] + list(extra):
        if fact.id in seen:
            raise ValueError(f"two facts have the id {fact.id!r}")
        seen.add(fact.id)
        facts.append(fact)
    return facts


def context_text(facts: Iterable[Fact]) -> str:
    """The facts as one plain-text context (one sentence after another), as fed to a reader."""
    return " ".join(_sentence(f.text) for f in facts)


def context_spans(facts: Sequence[Fact]) -> list[tuple[int, int, str]]:
    """(start, end, fact id) of each fact's sentence inside ``context_text(facts)``."""
    spans, offset = [], 0
    for fact in facts:
        sentence = _sentence(fact.text)
        spans.append((offset, offset + len(sentence), fact.id))
        offset += len(sentence) + 1
    return spans


def _sentence(text: str) -> str:
    text = " ".join(text.split())
    return text if text.endswith((".", "!", "?")) else text + "."


def photo_name(side: Side) -> str:
    """How sentences name a side: "photo 1 (A)", "photo 2 (B)" or "both photos"."""
    return {"A": "photo 1 (A)", "B": "photo 2 (B)"}.get(side, "both photos")


def fmt_number(value: float, digits: int = 2) -> str:
    """A short number for sentences: 3.0 -> "3", 2.60 -> "2.6", 0.6234 -> "0.62"."""
    text = f"{value:.{digits}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def join_words(items: Sequence[str]) -> str:
    """"a", "a and b", "a, b and c"."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
