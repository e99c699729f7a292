"""A plain MinPlus: one image per recognizer call, masks built one at a time, explicit loops.

It exists to check the batched implementation (core/saliency/minplus.py) against the
algorithm as written (near-ties broken by the same rule, ``greedy.pick``), and as the baseline
of ``benchmarks/bench_saliency.py --baseline``; it is far too slow for the product.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from core.recognizer import Recognizer
from core.saliency.greedy import pick
from core.saliency.maps import SaliencyMaps, Scorer, assemble, check_crop
from core.saliency.masks import gaussian_mask, noise_canvas, paint
from core.saliency.profiles import SaliencyParams

FloatArray = NDArray[np.float32]


def _remove(image: FloatArray, mask: FloatArray) -> FloatArray:
    return (image * mask[:, :, None]).astype(np.float32)


def explain_face_plain(
    recognizer: Recognizer,
    crop: NDArray[Any],
    other_embedding: NDArray[Any],
    params: SaliencyParams,
    *,
    seed: int = 0,
) -> SaliencyMaps:
    """The same maps as ``explain_face``, computed the slow, obvious way."""
    original = check_crop(crop, params)
    scorer = Scorer(recognizer, other_embedding)

    def score(image: FloatArray) -> float:
        return float(scorer(image[None])[0])

    grid = [(int(r), int(c)) for r, c in params.grid()]
    tmax = min(params.tmax, len(grid))
    full = score(original)
    canvas = noise_canvas(params.size, seed)
    values: dict[str, NDArray[np.float64]] = {
        m: np.zeros(len(grid)) for m in ("S0-", "S1-", "S0+", "S1+")
    }
    steps: dict[str, int] = {}

    # removal: S0- is the first pass, S1- the greedy steps
    current, current_score, taken = original, full, set()
    for step in range(tmax):
        if step > 0 and current_score <= params.th:
            break
        tried: list[tuple[int, float, FloatArray]] = []
        for k, (row, col) in enumerate(grid):
            if k in taken:
                continue
            candidate = _remove(current, gaussian_mask(row, col, params))
            s = score(candidate)
            if step == 0:
                values["S0-"][k] = full - s
            tried.append((k, s, candidate))
        best = tried[pick(np.array([t[1] for t in tried]), lower=True)]
        values["S1-"][best[0]] = current_score - best[1]
        taken.add(best[0])
        current, current_score = best[2], best[1]
        steps["S1-"] = step + 1

    # aggregation: S0+ is the first pass, S1+ the greedy steps
    current, current_score, taken = canvas, score(canvas), set()
    start = current_score
    for step in range(tmax):
        if step > 0 and full - current_score <= params.th:
            break
        tried = []
        for k, (row, col) in enumerate(grid):
            if k in taken:
                continue
            candidate = paint(current, original, gaussian_mask(row, col, params))
            s = score(candidate)
            if step == 0:
                values["S0+"][k] = s - start
            tried.append((k, s, candidate))
        best = tried[pick(np.array([t[1] for t in tried]), lower=False)]
        values["S1+"][best[0]] = best[1] - current_score
        taken.add(best[0])
        current, current_score = best[2], best[1]
        steps["S1+"] = step + 1

    return SaliencyMaps(
        maps=assemble(values, params),
        evaluations=scorer.evaluations,
        score=full,
        grid_values=values,
        steps=steps,
    )
