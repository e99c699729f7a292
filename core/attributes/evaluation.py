"""ROC and AUC per attribute and method on identity-disjoint folds.

Each method gives an out-of-fold score for every image (trained on the other folds). An
attribute is scored on a fold only when the fold's test images hold at least
``min_positives`` positives and ``min_negatives`` negatives (known labels); it is reported
(mean and spread of the fold AUCs, and the AUC of all out-of-fold scores pooled) when that
holds on at least ``min_folds`` folds, and otherwise listed with its counts, not scored.

Beside the methods, two references: chance (uniform random scores) and, when identities are
given, a per-person oracle that scores every image of a person with the share of that
person's images labelled positive. It reads the test labels, so it is no method: it is the
best AUC any predictor that gives each person a single score could reach, which shows how
far per-image label noise caps an attribute that is constant per person (such as Male).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from core.attributes.vocabulary import KEYS
from core.eval.metrics import auc, roc

CHANCE = "chance (random scores)"
ORACLE = "per-person oracle (upper bound)"


@dataclass(frozen=True)
class EvalConfig:
    folds: int = 5
    seed: int = 0
    min_positives: int = 10
    min_negatives: int = 10
    min_folds: int = 3


def attribute_auc(scores: NDArray[np.floating], labels: NDArray[np.int8]) -> float | None:
    """AUC of one attribute over the images whose label is known; None with one class."""
    known = labels != 0
    y = labels[known] > 0
    if y.all() or not y.any():
        return None
    return auc(np.asarray(scores, float)[known], y)


def youden_threshold(scores: NDArray[np.floating], labels: NDArray[np.int8]) -> float:
    """The score threshold that maximises TPR - FPR (0.5 when a class is missing)."""
    known = labels != 0
    y = labels[known] > 0
    if y.all() or not y.any():
        return 0.5
    r = roc(np.asarray(scores, float)[known], y)
    best = int(np.argmax((1.0 - r.fnmr) - r.fmr))
    thr = r.thresholds[best]
    return float(thr) if np.isfinite(thr) else 1.0


def per_person_share(labels: NDArray[np.int8], identities: Sequence[str]) -> NDArray[np.float32]:
    """Per image, the share of its person's known labels that are positive (per attribute)."""
    ids = np.asarray(identities)
    out = np.zeros(labels.shape, dtype=np.float32)
    for person in np.unique(ids):
        rows = ids == person
        known = (labels[rows] != 0).sum(axis=0)
        out[rows] = (labels[rows] > 0).sum(axis=0) / np.maximum(known, 1)
    return out


def _curve(scores: NDArray[np.floating], y: NDArray[np.bool_], points: int = 60) -> dict[str, list[float]]:
    r = roc(np.asarray(scores, float), y)
    fpr, tpr = r.fmr, 1.0 - r.fnmr
    grid = np.linspace(0.0, 1.0, points)
    return {"fpr": [round(float(v), 4) for v in grid],
            "tpr": [round(float(v), 4) for v in np.interp(grid, fpr, tpr)]}


def evaluate_scores(
    scores: dict[str, NDArray[np.float32]],
    labels: NDArray[np.int8],
    folds: NDArray[np.int64],
    config: EvalConfig = EvalConfig(),
    identities: Sequence[str] | None = None,
) -> dict[str, Any]:
    """The report: per method and attribute, fold AUCs, mean, std, pooled AUC and ROC curve.

    ``scores`` maps a method name to N x len(KEYS) out-of-fold scores; the chance baseline
    (uniform random scores) and, with ``identities``, the per-person oracle are added.
    """
    rng = np.random.default_rng(config.seed)
    methods = dict(scores)
    methods[CHANCE] = rng.random(labels.shape).astype(np.float32)
    if identities is not None:
        methods[ORACLE] = per_person_share(labels, identities)
    fold_ids = sorted(int(f) for f in np.unique(folds))
    counts = {k: {"positives": [int(np.sum(labels[folds == f, j] > 0)) for f in fold_ids],
                  "negatives": [int(np.sum(labels[folds == f, j] < 0)) for f in fold_ids]}
              for j, k in enumerate(KEYS)}
    usable = {k: [f for i, f in enumerate(fold_ids)
                  if counts[k]["positives"][i] >= config.min_positives
                  and counts[k]["negatives"][i] >= config.min_negatives] for k in KEYS}
    scored = [k for k in KEYS if len(usable[k]) >= config.min_folds]
    report: dict[str, Any] = {
        "protocol": {"folds": len(fold_ids), "identity_disjoint": True, "seed": config.seed,
                     "min_positives": config.min_positives, "min_negatives": config.min_negatives,
                     "min_folds": config.min_folds, "images": int(len(labels))},
        "scored_attributes": scored,
        "not_scored": {k: {**counts[k], "usable_folds": len(usable[k])} for k in KEYS
                       if k not in scored},
        "positives_per_fold": {k: counts[k]["positives"] for k in KEYS},
        "methods": {},
    }
    for name, s in methods.items():
        per_attr: dict[str, Any] = {}
        for k in scored:
            j = KEYS.index(k)
            fold_auc = [attribute_auc(s[folds == f, j], labels[folds == f, j]) for f in usable[k]]
            values = [v for v in fold_auc if v is not None]
            known = labels[:, j] != 0
            per_attr[k] = {
                "fold_auc": [round(v, 4) for v in values],
                "mean": round(float(np.mean(values)), 4),
                "std": round(float(np.std(values)), 4),
                "pooled_auc": round(float(attribute_auc(s[:, j], labels[:, j]) or 0.5), 4),
                "roc": _curve(s[known, j], labels[known, j] > 0),
            }
        means = [v["mean"] for v in per_attr.values()]
        report["methods"][name] = {
            "attributes": per_attr,
            "mean_auc": round(float(np.mean(means)), 4) if means else None,
            "attributes_auc_at_least_0.8": sum(m >= 0.8 for m in means),
        }
    return report


def auc_table(report: dict[str, Any]) -> str:
    """A plain-text table: one row per scored attribute, "mean ± std" per method."""
    names = list(report["methods"])
    short = [n.split(" (")[0] for n in names]
    width = max(len(k) for k in report["scored_attributes"] + ["attribute"])
    lines = ["attribute".ljust(width) + "".join(f"  {s[:16]:>16}" for s in short)]
    for k in report["scored_attributes"]:
        cells = []
        for n in names:
            a = report["methods"][n]["attributes"][k]
            cells.append(f"  {a['mean']:.3f} ± {a['std']:.3f}".rjust(18))
        lines.append(k.ljust(width) + "".join(cells))
    means = [report["methods"][n]["mean_auc"] for n in names]
    lines.append("mean".ljust(width) + "".join(
        f"  {m:>16.3f}" if m is not None else f"  {'-':>16}" for m in means))
    return "\n".join(lines)
