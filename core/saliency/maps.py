"""The result type of MinPlus, how raw grid values become maps, and the scoring wrapper."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from core.comparison import METHODS
from core.errors import FacexplainError
from core.recognizer import Recognizer
from core.saliency.masks import dense_map, scores_of
from core.saliency.profiles import SaliencyParams

FloatArray = NDArray[np.float32]
Grid = NDArray[np.float64]


class SaliencyError(FacexplainError):
    code = "saliency_failed"
    user_message = (
        "I could not compute the heatmaps for this pair of faces. The decision above still "
        "stands; please try another photo if you need the explanation."
    )


@dataclass(frozen=True)
class SaliencyMaps:
    """The five heatmaps of one face and what they cost."""

    maps: dict[str, FloatArray]  # METHODS -> size x size in [0, 1], 1 = most important
    evaluations: int  # recognizer evaluations spent on this face
    score: float  # <embed(crop), other embedding>
    grid_values: dict[str, Grid] = field(default_factory=dict)  # raw values per grid point
    steps: dict[str, int] = field(default_factory=dict)  # greedy steps taken by S1- and S1+
    skipped: int = 0  # candidates not evaluated: their blob changed no pixel
    rough_evaluations: int = 0  # of which by the bf16 copy (SaliencyParams.first_pass)
    # the five maps with S0+, S1+ (and so AVG) from another noise canvas (params.stability)
    alternate: dict[str, FloatArray] = field(default_factory=dict)


def assemble(grid_values: dict[str, Grid], params: SaliencyParams) -> dict[str, FloatArray]:
    """Dense maps for S0-, S1-, S0+, S1+ and AVG (the mean of the four raw maps, normalised once)."""
    raw = {m: np.asarray(grid_values[m], dtype=np.float64) for m in METHODS if m != "AVG"}
    raw["AVG"] = np.mean(np.stack(list(raw.values())), axis=0)
    return {m: dense_map(raw[m], params) for m in METHODS}


class Scorer:
    """score(batch) = <embed(batch), y>, counting evaluations and refusing non-finite output."""

    def __init__(self, recognizer: Recognizer, other: NDArray[Any]) -> None:
        self.recognizer = recognizer
        self.other = np.asarray(other, dtype=np.float32).ravel()
        self.evaluations = 0

    def __call__(self, batch: NDArray[np.float32]) -> NDArray[np.float64]:
        emb = np.asarray(self.recognizer.embed(batch), dtype=np.float32)
        self.evaluations += len(batch)
        if emb.ndim != 2 or emb.shape != (len(batch), self.other.size):
            raise SaliencyError(
                detail=f"recognizer returned shape {emb.shape} for {len(batch)} crops "
                f"and a {self.other.size}-d reference embedding"
            )
        scores = scores_of(emb, self.other)
        if not np.all(np.isfinite(scores)):
            raise SaliencyError(detail="the recognizer returned a non-finite embedding")
        return scores


def check_crop(crop: NDArray[Any], params: SaliencyParams) -> FloatArray:
    image = np.asarray(crop, dtype=np.float32)
    if image.shape != (params.size, params.size, 3):
        raise SaliencyError(
            detail=f"expected a {params.size}x{params.size}x3 RGB crop, got {image.shape}"
        )
    if not np.all(np.isfinite(image)):
        raise SaliencyError(detail="the crop has non-finite pixels")
    return image


def saliency_record(
    params: SaliencyParams,
    maps: tuple[SaliencyMaps, SaliencyMaps],
    masks: tuple[Mapping[str, NDArray[np.bool_]], Mapping[str, NDArray[np.bool_]]] | None = None,
    seed: int = 0,
) -> dict[str, Any]:
    """The ``Comparison.saliency`` section: parameters, evaluations and greedy steps, and, when
    the maps were also made from a second noise seed and region ``masks`` are given,
    ``seed_stability`` (see ``core.saliency.stability.pair_stability``)."""
    from core.saliency.stability import pair_stability

    record = params.to_dict()
    record["evaluations"] = {"A": maps[0].evaluations, "B": maps[1].evaluations}
    record["steps"] = {"A": maps[0].steps, "B": maps[1].steps}
    if masks is not None:
        stability = pair_stability(maps, masks, (seed, seed + 1))
        if stability is not None:
            record["seed_stability"] = stability
    return record
