"""How much the aggregation maps (S0+, S1+ and so AVG) depend on the noise canvas: the same
face explained from a second seed, compared map by map.

For each map: the most important region under each seed (the region with the highest mean
saliency), whether it is the same, and the Pearson correlation of the two maps. A map whose top
region moves is *unstable* for this pair: the QA engine can say so.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray

from core.saliency.maps import SaliencyMaps

NOISE_DEPENDENT = ("S0+", "S1+", "AVG")  # S0- and S1- never see the noise canvas


def top_region(saliency: NDArray[np.floating], masks: Mapping[str, NDArray[np.bool_]]) -> str:
    """The region with the highest mean saliency; ties go to the first region."""
    means = {name: float(saliency[mask].mean()) if mask.any() else -np.inf for name, mask in masks.items()}
    return max(means, key=lambda name: means[name])


def pearson(a: NDArray[np.floating], b: NDArray[np.floating]) -> float | None:
    if np.ptp(a) == 0 or np.ptp(b) == 0:
        return None
    return float(np.corrcoef(a.ravel(), b.ravel())[0, 1])


def face_stability(maps: SaliencyMaps, masks: Mapping[str, NDArray[np.bool_]]) -> dict[str, Any] | None:
    """Per noise-dependent map: top regions under both seeds, same or not, Pearson; None when
    the second seed was not run."""
    if not maps.alternate:
        return None
    out: dict[str, Any] = {}
    for method in NOISE_DEPENDENT:
        first, second = maps.maps[method], maps.alternate[method]
        a, b = top_region(first, masks), top_region(second, masks)
        out[method] = {"top_region": a, "top_region_other_seed": b, "same_top_region": a == b,
                       "pearson": pearson(first, second)}
    return out


def pair_stability(maps: tuple[SaliencyMaps, SaliencyMaps], masks: tuple[Mapping[str, NDArray[np.bool_]], Mapping[str, NDArray[np.bool_]]],
                   seeds: tuple[int, int]) -> dict[str, Any] | None:
    """The ``Comparison.saliency["seed_stability"]`` section: per face (A, B) and map, and the list
    ``unstable`` of "A S1+"-style names whose top region changed with the seed."""
    faces = {side: face_stability(m, k) for side, m, k in zip("AB", maps, masks, strict=True)}
    if any(f is None for f in faces.values()):
        return None
    unstable = [f"{side} {method}" for side, f in faces.items() if f
                for method, figure in f.items() if not figure["same_top_region"]]
    return {"seeds": list(seeds), **faces, "unstable": unstable}
