"""Verification metrics: 10-fold accuracy, ROC, EER, FNMR at FMR, AUC, calibration error.

ROC, DET and AUC are scikit-learn's; on top of them: the EER (interpolated where FMR and FNMR
cross), FNMR at a target FMR, the LFW 10-fold accuracy protocol and equal-width reliability
bins with the expected calibration error (``sklearn.calibration.calibration_curve`` drops
empty bins and gives no ECE).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from sklearn.metrics import det_curve, roc_auc_score, roc_curve

Scores = NDArray[np.floating]
Labels = NDArray[np.bool_]


@dataclass(frozen=True)
class Roc:
    thresholds: NDArray[np.float64]  # descending; accept when score >= threshold
    fmr: NDArray[np.float64]
    fnmr: NDArray[np.float64]


def roc(scores: Scores, same: Labels) -> Roc:
    """Every operating point, one per distinct score (``sklearn.metrics.roc_curve`` with no
    point dropped), starting at threshold +inf (accept nothing)."""
    fpr, tpr, thr = roc_curve(np.asarray(same, bool), np.asarray(scores, float),
                              drop_intermediate=False)
    return Roc(np.asarray(thr, np.float64), np.asarray(fpr, np.float64),
               np.asarray(1.0 - tpr, np.float64))


def det(scores: Scores, same: Labels) -> Roc:
    """The DET curve's points (FMR against FNMR), from ``sklearn.metrics.det_curve``."""
    fmr, fnmr, thr = det_curve(np.asarray(same, bool), np.asarray(scores, float))
    return Roc(np.asarray(thr[::-1], np.float64), np.asarray(fmr[::-1], np.float64),
               np.asarray(fnmr[::-1], np.float64))


def eer(scores: Scores, same: Labels) -> tuple[float, float]:
    """Equal error rate and the threshold where FMR and FNMR cross (interpolated)."""
    r = roc(scores, same)
    diff = r.fnmr - r.fmr
    i = int(np.argmax(diff <= 0)) if np.any(diff <= 0) else len(diff) - 1
    if i == 0:
        return float(r.fmr[0]), float(r.thresholds[0])
    d0, d1 = diff[i - 1], diff[i]
    t = d0 / (d0 - d1) if d0 != d1 else 0.0
    rate = r.fmr[i - 1] + t * (r.fmr[i] - r.fmr[i - 1])
    thr = r.thresholds[i] if not np.isfinite(r.thresholds[i - 1]) else (
        r.thresholds[i - 1] + t * (r.thresholds[i] - r.thresholds[i - 1]))
    return float(rate), float(thr)


def threshold_at_fmr(scores: Scores, same: Labels, target: float) -> float:
    """The lowest threshold whose FMR does not exceed ``target``."""
    r = roc(scores, same)
    ok = np.where(r.fmr <= target)[0]
    return float(r.thresholds[ok[-1]])


def fnmr_at_fmr(scores: Scores, same: Labels, target: float) -> float:
    r = roc(scores, same)
    ok = np.where(r.fmr <= target)[0]
    return float(r.fnmr[ok[-1]])


def auc(scores: Scores, same: Labels) -> float:
    """Area under the ROC curve (``sklearn.metrics.roc_auc_score``)."""
    return float(roc_auc_score(np.asarray(same, bool), np.asarray(scores, float)))


def best_accuracy_threshold(scores: Scores, same: Labels) -> float:
    s = np.unique(np.asarray(scores, float))
    cands = np.r_[s[0] - 1e-6, (s[1:] + s[:-1]) / 2.0, s[-1] + 1e-6]
    accs = [np.mean((scores >= t) == same) for t in cands]
    return float(cands[int(np.argmax(accs))])


def kfold_accuracy(scores: Scores, same: Labels, folds: NDArray[np.integer]) -> tuple[float, float, list[float]]:
    """The standard LFW protocol: the threshold is chosen on nine folds, tested on the tenth."""
    accs = []
    for k in np.unique(folds):
        test = folds == k
        thr = best_accuracy_threshold(scores[~test], same[~test])
        accs.append(float(np.mean((scores[test] >= thr) == same[test])))
    return float(np.mean(accs)), float(np.std(accs)), accs


@dataclass(frozen=True)
class Reliability:
    bin_edges: list[float]
    mean_predicted: list[float | None]
    observed: list[float | None]
    counts: list[int]
    ece: float


def reliability(probabilities: Scores, outcomes: Labels, bins: int = 10) -> Reliability:
    """Equal-width reliability bins and the expected calibration error (count-weighted)."""
    p, y = np.asarray(probabilities, float), np.asarray(outcomes, float)
    edges = np.linspace(0.0, 1.0, bins + 1)
    idx = np.clip(np.digitize(p, edges[1:-1]), 0, bins - 1)
    mean_p: list[float | None] = []
    obs: list[float | None] = []
    counts, ece = [], 0.0
    for b in range(bins):
        m = idx == b
        n = int(m.sum())
        counts.append(n)
        if n:
            mean_p.append(float(p[m].mean()))
            obs.append(float(y[m].mean()))
            ece += n / len(p) * abs(p[m].mean() - y[m].mean())
        else:
            mean_p.append(None)
            obs.append(None)
    return Reliability(edges.tolist(), mean_p, obs, counts, float(ece))
