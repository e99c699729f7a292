"""The LFW View 2 verification report: the standard protocol plus operating points and calibration."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from core.calibration import Calibration
from core.eval.metrics import auc, eer, fnmr_at_fmr, kfold_accuracy, reliability


def verification_report(
    scores: NDArray[np.float64], same: NDArray[np.bool_], folds: NDArray[np.integer],
    calibration: Calibration,
) -> dict[str, Any]:
    acc, acc_std, per_fold = kfold_accuracy(scores, same, folds)
    rate, eer_thr = eer(scores, same)
    n_imp = int((~same).sum())
    resolution = 1.0 / n_imp
    operating: dict[str, Any] = {}
    for target in (0.01, 0.001, 0.0001):
        entry: dict[str, Any] = {"fnmr": fnmr_at_fmr(scores, same, target)}
        if target < resolution:
            entry["note"] = (f"{n_imp} impostor pairs resolve FMR only down to {resolution:.3%}; "
                             f"this is the FNMR at FMR = 0 (no impostor accepted)")
        operating[f"{target:.2%}"] = entry
    pic = calibration.pic_model.pic(scores)
    rel = reliability(pic, same, bins=10)
    decided = scores >= calibration.threshold
    confidence = np.where(decided, pic, 1.0 - pic)
    conf_rel = reliability(confidence, decided == same, bins=10)
    return {
        "pairs": int(len(scores)),
        "genuine_pairs": int(same.sum()),
        "impostor_pairs": n_imp,
        "accuracy_10fold": acc,
        "accuracy_10fold_std": acc_std,
        "accuracy_per_fold": per_fold,
        "eer": rate,
        "eer_threshold": eer_thr,
        "fnmr_at_fmr": operating,
        "roc_auc": auc(scores, same),
        "calibrated_threshold": calibration.threshold,
        "accuracy_at_calibrated_threshold": float(np.mean(decided == same)),
        "fmr_at_calibrated_threshold": float(np.mean(decided[~same])),
        "fnmr_at_calibrated_threshold": float(np.mean(~decided[same])),
        "pic_ece_10_bins": rel.ece,
        "pic_reliability": {"bin_edges": rel.bin_edges, "mean_pic": rel.mean_predicted,
                            "observed_genuine": rel.observed, "counts": rel.counts},
        "decision_confidence_ece_10_bins": conf_rel.ece,
        "nan_pic": int(np.isnan(pic).sum()),
    }
