"""Identity-disjoint folds: no person has images on both sides of a split.

People are dealt to folds so that each fold gets about the same number of images, and the
people of each stratum (by default: mostly male / mostly female, so that every fold holds
women) are spread evenly. Seeded, so a split can be reproduced.
"""

from __future__ import annotations

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
    """Fold number (0..k-1) of every image; ``strata`` is a per-image flag (e.g. Male)."""
    people = sorted(set(identities))
    if len(people) < k:
        raise ValueError(f"{len(people)} identities cannot fill {k} identity-disjoint folds")
    ids = np.array(identities)
    counts = {p: int(np.sum(ids == p)) for p in people}
    flag = {p: bool(np.mean(strata[ids == p]) > 0.5) if strata is not None else False
            for p in people}
    rng = np.random.default_rng(seed)
    images = np.zeros(k, dtype=np.int64)
    fold_of: dict[str, int] = {}
    groups = [[p for p in people if flag[p] == s] for s in (False, True)]
    for members in sorted(groups, key=len):  # the smaller stratum first, spread by head count
        small = len(members) < len(people) / 2
        rng.shuffle(members)
        members.sort(key=lambda p: -counts[p])
        taken = np.zeros(k, dtype=np.int64)
        for p in members:
            keys = (rng.random(k), images, taken) if small else (rng.random(k), taken, images)
            f = int(np.lexsort(keys)[0])
            fold_of[p] = f
            taken[f] += 1
            images[f] += counts[p]
    return np.array([fold_of[p] for p in identities], dtype=np.int64)


def split_train_validation(
    identities: Sequence[str], *, seed: int = 0, strata: NDArray[np.bool_] | None = None,
    validation_share: float = 0.2,
) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """Indices of the training and validation images (identity-disjoint)."""
    k = max(2, round(1.0 / validation_share))
    folds = identity_folds(identities, k, seed=seed, strata=strata)
    return np.flatnonzero(folds != 0), np.flatnonzero(folds == 0)
