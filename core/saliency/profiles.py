"""MinPlus parameters and their named profiles.

Mery & Morris (WACV 2022) work on 256x256 faces with a 161-pixel Gaussian window, a grid step
of 16 pixels, at most 20 greedy steps and a score threshold of 0.01. Faces here are 112x112
(the ArcFace template), so ``paper`` is that setting scaled to the working resolution: nh = 71
(odd, so the window has a centre pixel), d = 7 — the same 15 x 15 = 225 grid points.
``interactive`` keeps the paper's blob but uses a 7 x 7 grid (d = 14) and 5 greedy steps: at most
944 evaluations per pair instead of 17,244. ``fast`` (the chat default) keeps the paper's grid
and blob with lazy greedy passes and a bf16 removal first pass (docs/performance.md has its
agreement with ``paper``). ``paper-lazy`` is ``paper`` with lazy greedy passes
(S0 maps the same, S1 maps close; agreement below) and the seed-stability figure. ``benchmarks/bench_saliency.py`` measures how closely
its maps agree with ``paper`` (6 LFW pairs: AVG maps Pearson 0.96, Spearman 0.95; 79% of the
explainability-table cells equal; the same most important region on 11 of 12 faces).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

WORKING_SIZE = 112
FIRST_PASSES = ("f32", "bf16", "bf16-removal")


@dataclass(frozen=True)
class SaliencyParams:
    """One MinPlus setting, in pixels of a ``size`` x ``size`` crop.

    nh: side of the Gaussian window (odd); sigma = nh / 8.5, as in Mery's code.
    d: grid step; blobs are centred on range(d, size, d) in both axes.
    tmax: most greedy steps per strategy (S1- and S1+).
    th: S1- stops when the score falls to th or below; S1+ when it is within th of the
        full-image score.
    lazy: 0 for the exhaustive greedy passes (the paper's); n > 0 re-scores candidates n at a
        time in order of their last gain (lazy greedy: fewer evaluations, not the same maps).
    stability: also run the aggregation (S0+, S1+) from a second noise canvas, to report how
        much those maps depend on the noise.
    first_pass: "f32"; "bf16" to score the first (exhaustive) pass of both strategies with a
        bfloat16 copy of the recognizer when one is given (about 3x cheaper on CPUs with bf16
        units; the picks are still made in f32, lazily from those gains, so it needs lazy > 0);
        "bf16-removal" for the removal strategy only (the aggregation's first-pass gains are
        small next to bf16's round-off).
    """

    nh: int
    d: int
    tmax: int
    th: float
    size: int = WORKING_SIZE
    profile: str = "custom"
    lazy: int = 0
    stability: bool = False
    first_pass: str = "f32"

    def __post_init__(self) -> None:
        if self.size < 8:
            raise ValueError(f"size must be at least 8 pixels, got {self.size}")
        if self.nh < 3 or self.nh % 2 == 0:
            raise ValueError(f"nh must be an odd window side >= 3, got {self.nh}")
        if self.nh >= 2 * self.size:
            raise ValueError(f"nh must be smaller than twice the crop size, got {self.nh}")
        if not 1 <= self.d < self.size:
            raise ValueError(f"d must be in 1..{self.size - 1}, got {self.d}")
        if self.tmax < 1:
            raise ValueError(f"tmax must be at least 1, got {self.tmax}")
        if not (np.isfinite(self.th) and self.th >= 0):
            raise ValueError(f"th must be a finite number >= 0, got {self.th}")
        if self.lazy < 0:
            raise ValueError(f"lazy must be 0 (exhaustive) or a batch size, got {self.lazy}")
        if self.first_pass not in FIRST_PASSES:
            raise ValueError(f"first_pass must be one of {FIRST_PASSES}, got {self.first_pass!r}")
        if self.first_pass != "f32" and not self.lazy:
            raise ValueError("a bf16 first pass needs lazy re-scoring (lazy > 0)")

    @property
    def sigma(self) -> float:
        return self.nh / 8.5

    def grid(self) -> NDArray[np.int64]:
        """The blob centres as (row, column) pairs, row-major: K x 2."""
        axis = np.arange(self.d, self.size, self.d, dtype=np.int64)
        rows, cols = np.meshgrid(axis, axis, indexing="ij")
        return np.stack([rows.ravel(), cols.ravel()], axis=1)

    @property
    def grid_points(self) -> int:
        return len(range(self.d, self.size, self.d)) ** 2

    def max_evaluations(self) -> int:
        """Recognizer evaluations for one face when no stopping rule fires early."""
        k, t = self.grid_points, min(self.tmax, self.grid_points)
        per_strategy = t * k - t * (t - 1) // 2
        strategies = 3 if self.stability else 2  # the aggregation again from a second canvas
        return strategies * per_strategy + strategies  # + the original and the noise canvases

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _odd(value: float) -> int:
    n = max(3, round(value))
    return n if n % 2 else n + 1


@dataclass(frozen=True)
class _Definition:
    nh: int
    d: int
    tmax: int
    th: float
    at_size: int  # the resolution nh and d are given for
    lazy: int = 0
    stability: bool = False
    first_pass: str = "f32"


_DEFINITIONS: dict[str, _Definition] = {
    "paper": _Definition(nh=161, d=16, tmax=20, th=0.01, at_size=256),
    "interactive": _Definition(nh=71, d=14, tmax=5, th=0.01, at_size=WORKING_SIZE),
    # the paper's grid and blob, lazy greedy re-scoring 8 candidates at a time, plus the S0+ and
    # S1+ maps from a second noise seed (seed_stability). Measured against `paper` on 20 LFW
    # faces (bench_saliency.py --pairs 10): 95.7% of table cells equal, the same most important
    # region on 20 of 20 faces, S0 maps identical, S1- Pearson 0.976, S1+ 0.900; 1,249
    # evaluations per pair instead of 5,839 (without the second seed).
    "paper-lazy": _Definition(nh=161, d=16, tmax=20, th=0.01, at_size=256, lazy=8, stability=True),
    # the paper's grid and blob, lazy greedy re-scoring 1 at a time, at most 4 greedy steps,
    # and the removal's first pass scored by a bf16 copy of the recognizer (OpenVINO; f32 where
    # it is missing). Figures against `paper` in docs/performance.md ("The fast profile").
    "fast": _Definition(nh=161, d=16, tmax=4, th=0.01, at_size=256, lazy=1,
                        first_pass="bf16-removal"),
}


def params_for(profile: str, size: int = WORKING_SIZE) -> SaliencyParams:
    """The named profile with nh and d scaled to ``size`` pixels (nh kept odd)."""
    try:
        spec = _DEFINITIONS[profile]
    except KeyError:
        known = ", ".join(sorted(_DEFINITIONS))
        raise ValueError(f"unknown saliency profile {profile!r}; known profiles: {known}") from None
    scale = size / spec.at_size
    d = max(1, round(spec.d * scale))
    return SaliencyParams(
        nh=_odd(spec.nh * scale), d=d, tmax=spec.tmax, th=spec.th, size=size, profile=profile,
        lazy=spec.lazy, stability=spec.stability, first_pass=spec.first_pass,
    )


PROFILES: dict[str, SaliencyParams] = {name: params_for(name) for name in _DEFINITIONS}


def with_changes(params: SaliencyParams, **changes: Any) -> SaliencyParams:
    """A copy with some fields changed; the profile name becomes "custom" unless given."""
    changes.setdefault("profile", "custom")
    return replace(params, **changes)
