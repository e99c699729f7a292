"""Scoring the engine on a question set (JSON lines), per question family as in the paper's
Table 2, per mode, per split, with latency percentiles.

An item is one or more turns asked in order in one conversation (a follow-up dialogue has
two). A turn is correct when the answer comes from one of the expected facts AND contains that
fact's answer span (case and spacing ignored), or, for turns that expect a kind of reply
("unknown" for things the comparison does not cover, "refusal" for hostile input), when the
reply is of that kind. An item is correct when all its turns are, on the first try.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from core.comparison import Comparison
from core.qa.answer import Answer, History
from core.qa.engine import QAEngine
from core.qa.facts import Fact
from core.qa.scope import SCOPE


@dataclass(frozen=True)
class Expected:
    q: str
    expect: tuple[str, ...] = ()
    expect_kind: tuple[str, ...] = ()


@dataclass(frozen=True)
class Item:
    id: str
    family: str
    split: str
    turns: tuple[Expected, ...]


@dataclass
class Outcome:
    item: Item
    comparison: str
    mode: str
    correct: bool
    answers: list[Answer] = field(default_factory=list)
    turn_ok: list[bool] = field(default_factory=list)


def load_questions(path: Path) -> list[Item]:
    items = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        data = json.loads(line)
        try:
            turns = tuple(
                Expected(t["q"], tuple(t.get("expect", ())), tuple(t.get("expect_kind", ())))
                for t in data["turns"]
            )
            items.append(Item(data.get("id", f"line-{n}"), data["family"], data.get("split", "dev"), turns))
        except (KeyError, TypeError) as exc:
            raise ValueError(f"{path}:{n}: each line needs family and turns [{{q, expect}}]") from exc
    return items


def load_bank(splits: Iterable[str] = ()) -> list[Item]:
    """The question bank (data/qa/bank) as evaluation items, only ``splits`` when given."""
    from core.qa.bank import read_bank

    wanted = set(splits)
    return [Item(b.id, b.family, b.split,
                 tuple(Expected(t.q, t.expect, t.expect_kind) for t in b.turns))
            for b in read_bank() if not wanted or b.split in wanted]


def judge(expected: Expected, answer: Answer, facts: Mapping[str, Fact]) -> bool:
    if expected.expect_kind:
        if "out_of_scope" in expected.expect_kind and answer.kind == "unknown" and answer.intent in SCOPE:
            return True
        return answer.kind in expected.expect_kind
    said = _norm(answer.text)
    return answer.kind == "answer" and any(
        fact_id in answer.fact_ids and _norm(facts[fact_id].answer) in said
        for fact_id in expected.expect if fact_id in facts
    )


def applicable(item: Item, facts: Mapping[str, Fact]) -> bool:
    """False when an expected fact does not exist for this comparison (e.g. no tables)."""
    return all(all(f in facts for f in t.expect) for t in item.turns)


def run(engines: Mapping[str, tuple[QAEngine, str]], items: Iterable[Item],
        comparisons: Mapping[str, Comparison]) -> list[Outcome]:
    """Ask every item of ``items`` about every comparison, once per labelled (engine, mode).
    Each comparison's facts are indexed and the engine warmed up before anything is timed."""
    outcomes = []
    items = list(items)
    for label, (engine, mode) in engines.items():
        for name, comparison in comparisons.items():
            index = engine.index(comparison)
            engine.ask(index, "What is the decision?", mode=mode)  # warm-up, not counted
            facts = index.by_id
            for item in items:
                if not applicable(item, facts):
                    continue
                history, outcome = History(), Outcome(item, name, label, True)
                for expected in item.turns:
                    answer = engine.ask(index, expected.q, history, mode=mode)
                    history.add(answer)
                    ok = judge(expected, answer, facts)
                    outcome.answers.append(answer)
                    outcome.turn_ok.append(ok)
                    outcome.correct = outcome.correct and ok
                outcomes.append(outcome)
    return outcomes


def summarize(outcomes: list[Outcome]) -> dict[str, Any]:
    summary: dict[str, Any] = {}
    for mode in dict.fromkeys(o.mode for o in outcomes):
        mine = [o for o in outcomes if o.mode == mode]
        answered = [a.ms for o in mine for a in o.answers if a.kind == "answer"]
        every = [a.ms for o in mine for a in o.answers]
        summary[mode] = {
            "overall": _rate(mine),
            "families": {f: _rate([o for o in mine if o.item.family == f])
                         for f in dict.fromkeys(o.item.family for o in mine)},
            "splits": {s: _rate([o for o in mine if o.item.split == s])
                       for s in dict.fromkeys(o.item.split for o in mine)},
            "comparisons": {c: _rate([o for o in mine if o.comparison == c])
                            for c in dict.fromkeys(o.comparison for o in mine)},
            "latency_ms": {"answers": _percentiles(answered), "all_questions": _percentiles(every)},
            "wrong": [_wrong(o) for o in mine if not o.correct],
        }
    return summary


def _rate(outcomes: list[Outcome]) -> dict[str, Any]:
    n = len(outcomes)
    right = sum(o.correct for o in outcomes)
    return {"correct": right, "n": n, "accuracy": round(right / n, 4) if n else None}


def _percentiles(values: list[float]) -> dict[str, Any]:
    if not values:
        return {"n": 0, "p50": None, "p95": None}
    arr = np.asarray(values)
    return {"n": len(values), "p50": round(float(np.percentile(arr, 50)), 2),
            "p95": round(float(np.percentile(arr, 95)), 2)}


def _wrong(o: Outcome) -> dict[str, Any]:
    return {
        "id": o.item.id, "comparison": o.comparison,
        "turns": [{"q": t.q, "expected": list(t.expect or t.expect_kind), "resolved": a.resolved_question,
                   "got": list(a.fact_ids), "kind": a.kind, "ok": ok, "answer": a.text[:160]}
                  for t, a, ok in zip(o.item.turns, o.answers, o.turn_ok, strict=False)],
    }


def _norm(text: str) -> str:
    return " ".join(text.lower().split())
