"""The greedy search shared by MinPlus removal (S0-, S1-) and aggregation (S0+, S1+)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float32]
Grid = NDArray[np.float64]

# Scores closer than this to the best are a tie (float32 round-off in a 128-d dot product is
# ~1e-7; real gains are 1e-3 and up): the lowest grid index wins, so the greedy path does not
# depend on batch composition, thread count or provider.
TIE = 1e-5


def pick(scores: NDArray[np.float64], *, lower: bool) -> int:
    """The position of the best score (lowest when ``lower``); near-ties go to the first."""
    best = float(np.min(scores) if lower else np.max(scores))
    near = scores <= best + TIE if lower else scores >= best - TIE
    return int(np.argmax(near))


@dataclass
class Search:
    """The outcome of one greedy strategy: first-pass values (S0) and step values (S1)."""

    first: Grid
    greedy: Grid
    steps: int
    evaluations: int = 0  # recognizer evaluations spent by the passes
    skipped: int = 0  # candidates not evaluated because their blob changes no pixel


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
    touches: Callable[[FloatArray, NDArray[np.intp]], NDArray[np.bool_]] | None = None,
    lazy: int = 0,
    rough: Callable[[FloatArray], NDArray[np.float64]] | None = None,
) -> Search:
    """Greedy blob selection. Each pass scores the remaining grid points and keeps the one that
    lowers (``lower``) or raises the score most; the first pass (S0) scores them all.

    ``touches(image, idx)`` says which candidates change the image at all: the others keep its
    score exactly and are not evaluated. ``lazy`` > 0 is lazy greedy (not exact): after the
    first pass, candidates are re-scored in batches of ``lazy`` in order of their last gain,
    until the best fresh gain is at least the last gain of every candidate not re-scored.
    ``rough`` (a faster, approximate scorer; needs ``lazy``) scores the first pass instead: its
    gains are the S0 values and the bounds from which the first pick is made lazily by
    ``scorer`` (whose gains replace the rough ones for the candidates it re-scored)."""
    first, greedy = np.zeros(points), np.zeros(points)
    remaining = np.arange(points)
    bound = np.full(points, np.inf)  # last measured gain per grid point (lazy greedy)
    steps = evaluations = skipped = 0
    if rough is not None and lazy <= 0:
        raise ValueError("a rough first pass needs lazy re-scoring (lazy > 0)")
    while steps < min(tmax, points) and (steps == 0 or keep_going(score)):
        if steps == 0 and rough is not None:
            bound[:] = first[:] = _rough_gains(image, candidates, rough, touches, points, lower)
        exhaustive = lazy <= 0 or (steps == 0 and rough is None)
        order = remaining if exhaustive else remaining[np.argsort(-bound[remaining], kind="stable")]
        size = len(order) if exhaustive else lazy
        chunks: list[FloatArray] = []
        scores: list[NDArray[np.float64]] = []
        for begin in range(0, len(order), size):
            idx = order[begin : begin + size]
            chunk = candidates(image, idx)
            live = np.ones(len(idx), bool) if touches is None else touches(image, idx)
            got = np.full(len(idx), score)  # a blob that changes no pixel keeps the score
            if live.any():
                got[live] = scorer(chunk if live.all() else chunk[live])
            evaluations, skipped = evaluations + int(live.sum()), skipped + int((~live).sum())
            bound[idx] = score - got if lower else got - score
            chunks.append(chunk)
            scores.append(got)
            rest = begin + size
            if rest >= len(order) or bound[order[:rest]].max() >= bound[order[rest]]:
                break
        s = np.concatenate(scores)
        gain = score - s if lower else s - score
        if steps == 0:
            first[order[: len(gain)]] = gain
        best = pick(s, lower=lower)
        greedy[order[best]] = gain[best]
        image, score = chunks[best // size][best % size].copy(), float(s[best])
        remaining = remaining[remaining != order[best]]
        steps += 1
        on_pass()
    return Search(first, greedy, steps, evaluations, skipped)


def _rough_gains(
    image: FloatArray,
    candidates: Callable[[FloatArray, NDArray[np.intp]], FloatArray],
    rough: Callable[[FloatArray], NDArray[np.float64]],
    touches: Callable[[FloatArray, NDArray[np.intp]], NDArray[np.bool_]] | None,
    points: int,
    lower: bool,
) -> NDArray[np.float64]:
    """Every grid point's first-pass gain by the rough scorer, against its own score of
    ``image`` (so a constant offset between the two scorers cancels)."""
    idx = np.arange(points)
    chunk = candidates(image, idx)
    live = np.ones(points, bool) if touches is None else touches(image, idx)
    scored = rough(np.concatenate([image[None], chunk[live]]))
    got = np.full(points, scored[0])
    got[live] = scored[1:]
    return np.asarray(scored[0] - got if lower else got - scored[0], dtype=np.float64)
