"""Descriptions: which attributes a template encodes, with score and reliability.

An attribute is read as present when its score reaches the method's threshold for it
(chosen on held-out people at training time). Its reliability is the AUC measured for this
recognizer and method: "reliable" at ``RELIABLE_AUC`` or more, "unreliable for this model"
below, "not measured for this model" where the test people had too few examples. The
caption is written from the reliable attributes only; the list shows all present ones.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from core.attributes.captions import caption_for
from core.attributes.model import METHOD_NAMES, AttributeModel
from core.attributes.vocabulary import ATTRIBUTES, KEYS

RELIABLE_AUC = 0.8
RELIABLE, UNRELIABLE, NOT_MEASURED = "reliable", "unreliable for this model", "not measured for this model"


@dataclass(frozen=True)
class AttributeReading:
    key: str
    label: str  # "eyeglasses"; "woman" when Male is read as absent
    score: float  # the method's score for the attribute being present, 0..1
    present: bool
    auc: float | None
    reliability: str


@dataclass(frozen=True)
class Description:
    method: str
    readings: list[AttributeReading]  # what the template encodes, highest AUC first
    caption: str  # natural caption from the reliable readings
    summary: str  # "man, middle aged, eyeglasses (reliable); smiling (unreliable for this model)"
    recognizer: str = ""

    def to_dict(self) -> dict[str, Any]:
        """The form kept in ``Comparison.descriptions[side]`` (the QA engine reads "caption")."""
        return {"caption": self.summary, "natural_caption": self.caption, "method": self.method,
                "method_name": METHOD_NAMES.get(self.method, self.method),
                "recognizer": self.recognizer, "reliable_auc": RELIABLE_AUC,
                "attributes": [asdict(r) for r in self.readings]}


def reliability_of(auc: float | None) -> str:
    if auc is None:
        return NOT_MEASURED
    return RELIABLE if auc >= RELIABLE_AUC else UNRELIABLE


def describe_scores(
    scores: NDArray[np.floating],
    thresholds: list[float],
    aucs: dict[str, float | None],
    method: str,
    recognizer: str = "",
) -> Description:
    """A description from one template's scores (len(KEYS)), thresholds and AUCs."""
    readings = []
    for a, s, thr in zip(ATTRIBUTES, np.asarray(scores, float), thresholds, strict=True):
        present = bool(s >= thr)
        if not present and not a.absent_label:
            continue
        auc = aucs.get(a.key)
        readings.append(AttributeReading(a.key, a.label if present else a.absent_label,
                                         round(float(s), 4), present, auc, reliability_of(auc)))
    order = {RELIABLE: 0, UNRELIABLE: 1, NOT_MEASURED: 2}
    readings.sort(key=lambda r: (order[r.reliability], -(r.auc or 0.0)))  # most reliable first
    reliable = [r for r in readings if r.reliability == RELIABLE]
    caption = caption_for([r.key for r in reliable if r.present],
                          [r.key for r in reliable if not r.present])
    groups = [f"{', '.join(r.label for r in readings if r.reliability == level)} ({level})"
              for level in order if any(r.reliability == level for r in readings)]
    summary = "; ".join(groups) if groups else "no attribute it can name"
    return Description(method, readings, caption, summary, recognizer)


def describe_template(
    model: AttributeModel,
    template: NDArray[np.float32],
    method: str = "multilabel",
    reliability: dict[str, dict[str, float | None]] | None = None,
) -> Description:
    """Describe one template with a trained model; ``reliability`` (the 5-fold AUCs of
    ``eval attributes``) is preferred over the training split's validation AUCs."""
    scores = model.scores(method, np.asarray(template, np.float32)[None])[0]
    aucs = (reliability or {}).get(method) or model.validation_auc.get(method, {})
    thresholds = model.thresholds.get(method, [0.5] * len(KEYS))
    return describe_scores(scores, thresholds, aucs, method, model.recognizer)
