"""Verification metrics: 10-fold accuracy, ROC, EER, FNMR at FMR, AUC, calibration error."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

Scores = NDArray[np.floating]
Labels = NDArray[np.bool_]


@dataclass(frozen=True)
class Roc:
    thresholds: NDArray[np.float64]  # descending; accept when score >= threshold
    fmr: NDArray[np.float64]
    fnmr: NDArray[np.float64]


def roc(scores: Scores, same: Labels) -> Roc:
    order = np.argsort(-scores, kind="stable")
    s, y = np.asarray(scores, float)[order], np.asarray(same, bool)[order]
    tp, fp = np.cumsum(y), np.cumsum(~y)
    last = np.r_[np.diff(s) != 0, True]  # one point per distinct threshold
    n_gen, n_imp = max(int(y.sum()), 1), max(int((~y).sum()), 1)
    fmr = np.r_[0.0, fp[last] / n_imp]
    fnmr = np.r_[1.0, 1.0 - tp[last] / n_gen]
    thr = np.r_[np.inf, s[last]]
    return Roc(thr, fmr, fnmr)


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
    r = roc(scores, same)
    tpr = 1.0 - r.fnmr
    return float(np.sum(np.diff(r.fmr) * (tpr[1:] + tpr[:-1]) / 2.0))


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
