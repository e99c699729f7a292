"""The greedy search shared by MinPlus removal (S0-, S1-) and aggregation (S0+, S1+)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float32]
Grid = NDArray[np.float64]


@dataclass
class Search:
    """The outcome of one greedy strategy: first-pass values (S0) and step values (S1)."""

    first: Grid
    greedy: Grid
    steps: int


def greedy_search(
    image: FloatArray,
    score: float,
    candidates: Callable[[FloatArray, NDArray[np.intp]], FloatArray],
    scorer: Callable[[FloatArray], NDArray[np.float64]],
    *,
    lower: bool,
    keep_going: Callable[[float], bool],
    points: int,
    tmax: int,
    on_pass: Callable[[], None],
) -> Search:
    """Greedy blob selection. Each pass scores every remaining grid point at once and keeps the
    one that lowers (``lower``) or raises the score most; the first pass always runs."""
    first, greedy = np.zeros(points), np.zeros(points)
    remaining = np.arange(points)
    steps = 0
    while steps < min(tmax, points) and (steps == 0 or keep_going(score)):
        batch = candidates(image, remaining)
        s = scorer(batch)
        gain = score - s if lower else s - score
        if steps == 0:
            first[remaining] = gain
        best = int(np.argmin(s) if lower else np.argmax(s))
        greedy[remaining[best]] = gain[best]
        image, score = batch[best].copy(), float(s[best])
        remaining = np.delete(remaining, best)
        steps += 1
        on_pass()
    return Search(first, greedy, steps)
