"""Faithfulness of saliency maps (deletion and insertion curves) and statistics of explanations.

Deletion: replace the most salient pixels of the probe face first, ``step`` of the pixels at a
time, with a neutral image, and track score(X) = <embed(X), y> (y the other face's embedding);
a faithful map makes the score fall fast (low area under the curve). Insertion: start from the
neutral image and put back the most salient pixels first; a faithful map makes the score rise
fast (high area). The neutral image is the face blurred with a Gaussian (sigma ``blur_sigma``
pixels; "grey" = every pixel 127.5). Ties in a map are broken in a seeded random order; the
random baseline ranks the pixels in ``random_orders`` seeded random orders and averages them.
All images of one face (every curve, every order) go to the recognizer in one call.

Curves are kept as raw scores. ``normalised`` divides by the unperturbed score (for pairs with a
clearly positive score: genuine ones); ``anchored`` subtracts the neutral image's score, which
stays meaningful when the unperturbed score is near zero or negative (impostors).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from core.comparison import METHODS, REGIONS
from core.recognizer import Recognizer
from core.table import COLUMNS, Table

FloatArray = NDArray[np.float32]
Curve = NDArray[np.float64]
RANDOM = "random"


@dataclass(frozen=True)
class FaithfulnessParams:
    step: float = 0.05  # share of the pixels removed (or added) per step
    random_orders: int = 3
    baseline: Literal["blur", "grey"] = "blur"
    blur_sigma: float = 5.0  # pixels, on the 112 x 112 crop

    def __post_init__(self) -> None:
        if not 0.0 < self.step <= 0.5:
            raise ValueError(f"step must be in (0, 0.5], got {self.step}")
        if self.random_orders < 1:
            raise ValueError(f"random_orders must be at least 1, got {self.random_orders}")
        if self.baseline == "blur" and not self.blur_sigma > 0:
            raise ValueError(f"blur_sigma must be positive, got {self.blur_sigma}")

    def fractions(self) -> NDArray[np.float64]:
        """Share of pixels replaced at each point of a curve: 0, step, ..., 1."""
        return np.linspace(0.0, 1.0, int(np.ceil(1.0 / self.step - 1e-9)) + 1)


@dataclass(frozen=True)
class FaceCurves:
    """Raw scores along the curves of one face; keys are METHODS and "random"."""

    fractions: NDArray[np.float64]
    deletion: dict[str, Curve]  # deletion[k][0] = full, deletion[k][-1] = empty
    insertion: dict[str, Curve]  # insertion[k][0] = empty, insertion[k][-1] = full
    full: float  # score of the unperturbed face
    empty: float  # score of the neutral image
    evaluations: int

    def to_dict(self) -> dict[str, Any]:
        return {"full": self.full, "empty": self.empty, "evaluations": self.evaluations,
                "fractions": self.fractions.tolist(),
                "deletion": {k: v.tolist() for k, v in self.deletion.items()},
                "insertion": {k: v.tolist() for k, v in self.insertion.items()}}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FaceCurves:
        def arrays(curves: Mapping[str, Any]) -> dict[str, Curve]:
            return {k: np.asarray(v, dtype=np.float64) for k, v in curves.items()}

        return cls(np.asarray(data["fractions"], dtype=np.float64), arrays(data["deletion"]),
                   arrays(data["insertion"]), float(data["full"]), float(data["empty"]),
                   int(data["evaluations"]))


def neutral_image(crop: NDArray[Any], params: FaithfulnessParams) -> FloatArray:
    image = np.asarray(crop, dtype=np.float32)
    if params.baseline == "grey":
        return np.full(image.shape, 127.5, dtype=np.float32)
    import cv2

    return np.asarray(cv2.GaussianBlur(image, (0, 0), params.blur_sigma), dtype=np.float32)


def pixel_ranks(saliency: NDArray[Any] | None, shape: tuple[int, int], rng: np.random.Generator) -> NDArray[np.int64]:
    """Each pixel's place in the order (0 = first to go): most salient first, ties (and a
    ``None`` map, the random order) in random order."""
    tiebreak = rng.random(shape[0] * shape[1])
    if saliency is None:
        order = np.argsort(tiebreak, kind="stable")
    else:
        order = np.lexsort((tiebreak, -np.asarray(saliency, dtype=np.float64).ravel()))
    ranks = np.empty(order.size, dtype=np.int64)
    ranks[order] = np.arange(order.size)
    return ranks.reshape(shape)


def face_curves(recognizer: Recognizer, crop: NDArray[Any], other_embedding: NDArray[Any],
                maps: Mapping[str, NDArray[Any]], params: FaithfulnessParams = FaithfulnessParams(),
                *, seed: int | Sequence[int] = 0) -> FaceCurves:
    """Deletion and insertion curves of every map in ``maps`` and of the random baseline."""
    original = np.asarray(crop, dtype=np.float32)
    neutral = neutral_image(original, params)
    shape = (original.shape[0], original.shape[1])
    fractions = params.fractions()
    counts = np.rint(fractions[1:-1] * shape[0] * shape[1]).astype(np.int64)
    rng = np.random.default_rng(seed)
    orders = [(name, pixel_ranks(maps[name], shape, rng)) for name in maps]
    orders += [(f"{RANDOM}{i}", pixel_ranks(None, shape, rng)) for i in range(params.random_orders)]
    images = [original[None], neutral[None]]
    for _, ranks in orders:
        gone = (ranks[None] < counts[:, None, None])[..., None]
        images += [np.where(gone, neutral, original), np.where(gone, original, neutral)]
    batch = np.concatenate(images).astype(np.float32, copy=False)
    other = np.asarray(other_embedding, dtype=np.float64).ravel()
    scores = np.asarray(recognizer.embed(batch), dtype=np.float64) @ other
    full, empty, inner = float(scores[0]), float(scores[1]), scores[2:].reshape(len(orders), 2, -1)
    deletion = {name: np.concatenate([[full], inner[i, 0], [empty]]) for i, (name, _) in enumerate(orders)}
    insertion = {name: np.concatenate([[empty], inner[i, 1], [full]]) for i, (name, _) in enumerate(orders)}
    for curves in (deletion, insertion):
        randoms = [curves.pop(f"{RANDOM}{i}") for i in range(params.random_orders)]
        curves[RANDOM] = np.mean(randoms, axis=0)
    return FaceCurves(fractions, deletion, insertion, full, empty, len(batch))


def auc(fractions: NDArray[Any], values: NDArray[Any]) -> float:
    """Area under a curve sampled at ``fractions`` (0..1), by the trapezoidal rule."""
    x, y = np.asarray(fractions, dtype=np.float64), np.asarray(values, dtype=np.float64)
    return float(np.sum((y[1:] + y[:-1]) * np.diff(x)) / 2.0)


def normalised(curve: Curve, full: float) -> Curve:
    """score / unperturbed score (1 at the unperturbed face); needs ``full`` clearly above 0."""
    return np.asarray(curve, dtype=np.float64) / full


def anchored(curve: Curve, empty: float) -> Curve:
    """score - neutral image's score (0 at the fully replaced face), in score units."""
    return np.asarray(curve, dtype=np.float64) - empty


def spread(per_pair: NDArray[Any], *, seed: int = 0, resamples: int = 2000) -> dict[str, float]:
    """Mean and std over all values, and a 95% bootstrap CI of the mean resampling whole pairs
    (rows; a row holds the values of a pair's faces, which are not independent)."""
    values = np.asarray(per_pair, dtype=np.float64).reshape(len(per_pair), -1)
    rows = values.mean(axis=1)
    rng = np.random.default_rng(seed)
    boot = rows[rng.integers(0, len(rows), size=(resamples, len(rows)))].mean(axis=1)
    low, high = np.percentile(boot, [2.5, 97.5])
    return {"mean": float(values.mean()), "std": float(values.std()), "ci95_low": float(low),
            "ci95_high": float(high), "pairs": len(rows)}


def curve_summary(pairs: Sequence[tuple[FaceCurves, FaceCurves]], kind: Literal["normalised", "anchored"],
                  *, seed: int = 0) -> dict[str, Any]:
    """Per method and the random baseline, for deletion and insertion: the AUC's spread, the
    mean curve, and the paired difference from the random baseline (method - random) with the
    share of faces on which the method beats random (lower deletion, higher insertion AUC)."""
    def scaled(face: FaceCurves, curve: Curve) -> Curve:
        return normalised(curve, face.full) if kind == "normalised" else anchored(curve, face.empty)

    fractions = pairs[0][0].fractions
    out: dict[str, Any] = {"kind": kind, "fractions": fractions.tolist(), "faces": 2 * len(pairs)}
    for direction in ("deletion", "insertion"):
        curves = {name: np.array([[scaled(f, getattr(f, direction)[name]) for f in pair] for pair in pairs])
                  for name in (*METHODS, RANDOM)}  # pairs x 2 faces x points
        aucs = {name: np.array([[auc(fractions, c) for c in pair] for pair in cs]) for name, cs in curves.items()}
        rows: dict[str, Any] = {}
        for name, values in aucs.items():
            row = {"auc": spread(values, seed=seed), "mean_curve": curves[name].mean(axis=(0, 1)).tolist()}
            if name != RANDOM:
                diff = values - aucs[RANDOM]
                better = diff < 0 if direction == "deletion" else diff > 0
                row.update(minus_random=spread(diff, seed=seed), beats_random_share=float(better.mean()))
            rows[name] = row
        out[direction] = rows
    return out


def region_level_stats(tables: Sequence[Table]) -> dict[str, dict[str, dict[str, Any]]]:
    """Per region and column (the methods, Mean, Ratio of 1s): the distribution over faces."""
    stats: dict[str, dict[str, dict[str, Any]]] = {}
    for region in REGIONS:
        stats[region] = {}
        for column in COLUMNS:
            v = np.array([t[region][column] for t in tables], dtype=np.float64)
            q1, q2, q3 = np.percentile(v, [25, 50, 75])
            entry: dict[str, Any] = {"mean": float(v.mean()), "std": float(v.std()),
                                     "q25": float(q1), "median": float(q2), "q75": float(q3)}
            if column in METHODS:
                entry["level_counts"] = [int(np.sum(v == level)) for level in range(1, 6)]
            stats[region][column] = entry
    return stats


def region_saliency(maps: Mapping[str, NDArray[Any]], masks: Mapping[str, NDArray[np.bool_]]) -> dict[str, list[float]]:
    """Each method's mean saliency in each region (REGIONS order)."""
    return {m: [float(np.asarray(maps[m])[masks[r]].mean()) for r in REGIONS] for m in METHODS}


def top_region(values: Sequence[float]) -> int | None:
    """The index of the region with the highest mean saliency; None when the map ranks nothing."""
    v = np.asarray(values, dtype=np.float64)
    return None if np.ptp(v) <= 1e-9 else int(np.argmax(v))


def method_agreement(faces: Sequence[Mapping[str, Sequence[float]]]) -> dict[str, Any]:
    """For each pair of methods, over faces: the share where both pick the same top region
    (by region mean saliency; faces where either map is flat are left out) and the mean
    Spearman rank correlation of their region mean saliencies."""
    same = np.full((len(METHODS), len(METHODS)), np.nan)
    rho = np.full_like(same, np.nan)
    for i, a in enumerate(METHODS):
        for j, b in enumerate(METHODS):
            tops = [(top_region(f[a]), top_region(f[b])) for f in faces]
            both = [(x, y) for x, y in tops if x is not None and y is not None]
            if both:
                same[i, j] = float(np.mean([x == y for x, y in both]))
            flat = [np.ptp(f[a]) <= 1e-9 or np.ptp(f[b]) <= 1e-9 for f in faces]
            rs = [spearman(f[a], f[b]) for f, skip in zip(faces, flat, strict=True) if not skip]
            if rs:
                rho[i, j] = float(np.mean(rs))
    tops_by_method = {m: [top_region(f[m]) for f in faces] for m in METHODS}
    top_share = {m: {r: sum(t == k for t in tops) / len(faces) for k, r in enumerate(REGIONS)}
                 for m, tops in tops_by_method.items()}
    return {"methods": list(METHODS), "same_top_region": _nan_to_none(same),
            "spearman": _nan_to_none(rho), "top_region_share": top_share}


def spearman(x: Sequence[float], y: Sequence[float]) -> float:
    """Spearman's rank correlation (ties get their mean rank); NaN when either is constant."""
    rx, ry = _ranks(x), _ranks(y)
    if np.ptp(rx) == 0 or np.ptp(ry) == 0:
        return float("nan")
    return float(np.corrcoef(rx, ry)[0, 1])


def _ranks(values: Sequence[float]) -> NDArray[np.float64]:
    v = np.asarray(values, dtype=np.float64)
    _, inverse, counts = np.unique(v, return_inverse=True, return_counts=True)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    return (starts + (counts - 1) / 2.0)[inverse]


def _nan_to_none(matrix: NDArray[np.float64]) -> list[list[float | None]]:
    return [[None if np.isnan(x) else float(x) for x in row] for row in matrix]
