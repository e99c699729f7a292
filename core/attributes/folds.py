"""Identity-disjoint folds: no person has images on both sides of a split.

scikit-learn's ``StratifiedGroupKFold`` with each person as a group, stratified by a per-person
flag (by default: mostly male / mostly female, so that every fold holds women), shuffled with
a seed so a split can be reproduced.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray


def identity_folds(
    identities: Sequence[str],
    k: int = 5,
    *,
    seed: int = 0,
    strata: NDArray[np.bool_] | None = None,
) -> NDArray[np.int64]:
    """Fold number (0..k-1) of every image; ``strata`` is a per-image flag (e.g. Male),
    reduced to its majority per person so that a person sits in one stratum."""
    from sklearn.model_selection import StratifiedGroupKFold

    ids = np.asarray(identities)
    people, person = np.unique(ids, return_inverse=True)
    if len(people) < k:
        raise ValueError(f"{len(people)} identities cannot fill {k} identity-disjoint folds")
    flag = np.zeros(len(people), dtype=bool)
    if strata is not None:
        share = np.bincount(person, weights=np.asarray(strata, float)) / np.bincount(person)
        flag = share > 0.5
    folds = np.zeros(len(ids), dtype=np.int64)
    splitter = StratifiedGroupKFold(n_splits=k, shuffle=True, random_state=seed)
    with warnings.catch_warnings():  # fewer people in a stratum than folds: some folds lack it
        warnings.filterwarnings("ignore", message="The least populated class", category=UserWarning)
        splits = list(splitter.split(np.zeros(len(ids)), flag[person], person))
    for f, (_, test) in enumerate(splits):
        folds[test] = f
    return folds


def split_train_validation(
    identities: Sequence[str], *, seed: int = 0, strata: NDArray[np.bool_] | None = None,
    validation_share: float = 0.2,
) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """Indices of the training and validation images (identity-disjoint)."""
    k = max(2, round(1.0 / validation_share))
    folds = identity_folds(identities, k, seed=seed, strata=strata)
    return np.flatnonzero(folds != 0), np.flatnonzero(folds == 0)
