"""Verification metrics on hand-checkable score sets."""

from __future__ import annotations

import numpy as np

from core.eval.metrics import auc, eer, fnmr_at_fmr, kfold_accuracy, reliability, threshold_at_fmr


def test_perfectly_separated_scores() -> None:
    scores = np.array([0.9, 0.8, 0.7, 0.2, 0.1, 0.0])
    same = np.array([True, True, True, False, False, False])
    assert eer(scores, same)[0] == 0.0
    assert auc(scores, same) == 1.0
    assert fnmr_at_fmr(scores, same, 0.0) == 0.0
    acc, _, _ = kfold_accuracy(scores, same, np.array([0, 1, 2, 0, 1, 2]))
    assert acc == 1.0


def test_one_overlap_gives_the_expected_rates() -> None:
    # genuine: 0.9 0.8 0.3 ; impostor: 0.5 0.2 0.1 -> at threshold 0.5: FMR 1/3, FNMR 1/3
    scores = np.array([0.9, 0.8, 0.3, 0.5, 0.2, 0.1])
    same = np.array([True, True, True, False, False, False])
    rate, thr = eer(scores, same)
    assert abs(rate - 1 / 3) < 1e-9
    assert 0.3 <= thr <= 0.5
    assert abs(auc(scores, same) - 8 / 9) < 1e-9
    assert threshold_at_fmr(scores, same, 0.0) > 0.5
    assert abs(fnmr_at_fmr(scores, same, 0.0) - 1 / 3) < 1e-9


def test_reliability_of_perfectly_calibrated_probabilities_is_near_zero() -> None:
    rng = np.random.default_rng(1)
    p = rng.uniform(0, 1, 200_000)
    y = rng.uniform(0, 1, p.size) < p
    rel = reliability(p, y, bins=10)
    assert rel.ece < 0.01
    assert sum(rel.counts) == p.size
    overconfident = reliability(np.where(p > 0.5, 1.0, 0.0), y, bins=10)
    assert overconfident.ece > 0.2


def test_roc_auc_and_det_are_scikit_learns_curves() -> None:
    from sklearn.metrics import det_curve, roc_auc_score, roc_curve

    from core.eval.metrics import det, roc

    rng = np.random.default_rng(2)
    same = rng.random(500) < 0.5
    scores = np.round(rng.normal(0, 1, 500) + same, 2)  # ties on purpose
    fpr, tpr, thr = roc_curve(same, scores, drop_intermediate=False)
    r = roc(scores, same)
    assert np.array_equal(r.thresholds, thr) and r.thresholds[0] == np.inf
    assert np.array_equal(r.fmr, fpr) and np.allclose(r.fnmr, 1 - tpr, atol=0)
    assert auc(scores, same) == roc_auc_score(same, scores)
    d = det(scores, same)
    fmr, fnmr, _ = det_curve(same, scores)
    assert np.array_equal(d.fmr[::-1], fmr) and np.array_equal(d.fnmr[::-1], fnmr)
    rate, thr_eer = eer(scores, same)
    assert abs(fnmr_at_fmr(scores, same, rate) - rate) < 0.02 and thr_eer > scores.min()
