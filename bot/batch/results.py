"""One pair's outcome in a batch, as one JSON line, and the run's summary counts."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from bot.batch.pairs import PairRow
from core.comparison import Comparison

LOW_CONFIDENCE = 0.9  # pairs below this confidence are listed first for the reviewer


@dataclass
class PairResult:
    row: PairRow
    comparison: Comparison | None = None
    error: str = ""  # why this pair has no comparison (the run goes on)
    images: dict[str, bytes] = field(default_factory=dict)  # PNGs: "A", "B" crops, or "collage"
    folder: str = ""  # explain: the pair's artefact folder, relative to the run's --out

    @property
    def agrees(self) -> bool | None:
        if self.comparison is None or self.row.label is None:
            return None
        return self.comparison.same_person == self.row.label

    def to_json(self) -> str:
        record: dict[str, Any] = {"pair": self.row.number, "a": str(self.row.a), "b": str(self.row.b),
                                  "label": None if self.row.label is None
                                  else ("same person" if self.row.label else "different people")}
        if self.comparison is None:
            record["error"] = self.error
        else:
            c = self.comparison
            record |= {"decision": c.decision, "same_person": c.same_person, "score": c.score,
                       "threshold": c.threshold, "pic": c.pic, "confidence": c.confidence,
                       "agrees_with_label": self.agrees}
            if c.descriptions:
                record["descriptions"] = {k: v.get("caption") for k, v in c.descriptions.items()
                                          if isinstance(v, dict)}
            if self.folder:
                record["folder"] = self.folder
        return json.dumps(record)


def review_order(results: list[PairResult]) -> list[PairResult]:
    """Failures first, then disagreements with the label, then by rising confidence."""
    def key(r: PairResult) -> tuple[int, float, int]:
        if r.comparison is None:
            return (0, 0.0, r.row.number)
        return (1 if r.agrees is False else 2, r.comparison.confidence, r.row.number)

    return sorted(results, key=key)


def summary(results: list[PairResult]) -> dict[str, int]:
    counts: Counter[str] = Counter(pairs=len(results))
    for r in results:
        if r.comparison is None:
            counts["failed"] += 1
            continue
        counts["same person" if r.comparison.same_person else "different people"] += 1
        if r.comparison.confidence < LOW_CONFIDENCE:
            counts["low confidence"] += 1
        if r.agrees is not None:
            counts["labelled"] += 1
            counts["agree with label" if r.agrees else "disagree with label"] += 1
    order = ("pairs", "same person", "different people", "low confidence", "failed", "labelled",
             "agree with label", "disagree with label")
    return {k: counts.get(k, 0) for k in order}
