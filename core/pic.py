"""PIC-score (Probabilistic Interpretable Comparison, Neto et al. 2023).

Gaussian kernel density estimates (``scipy.stats.gaussian_kde``, Scott's bandwidth) of genuine
and impostor scores from a development set give PIC(s) = p_gen(s) / (p_gen(s) + p_imp(s)). Densities are kept in log space (no 0/0 = NaN).
Two guards keep the tails sensible: a kernel estimate's far tails are decided by whichever
class has the wider kernel (so a very low score could look genuine), hence scores outside the
development data are clamped to its range; and inside it, PIC is made non-decreasing in the
score (a higher similarity never lowers the probability of the same person).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
from numpy.typing import NDArray
from scipy.special import expit
from scipy.stats import gaussian_kde, norm

MIN_BANDWIDTH = 1e-3  # floor on the kernel width, so a near-constant sample still gives a density


def scott_bandwidth(samples: NDArray[np.floating]) -> float:
    """Scott's rule (as scipy's ``gaussian_kde`` applies it), floored so a degenerate sample
    still gives a usable kernel."""
    n = max(len(samples), 1)
    return float(max(np.std(samples, ddof=1) if n > 1 else 0.0, MIN_BANDWIDTH) * n ** (-1.0 / 5.0))


@dataclass(frozen=True)
class KernelDensity:
    """A 1-D Gaussian kernel density: ``scipy.stats.gaussian_kde`` with Scott's bandwidth
    (floored); a sample without spread (one score, or all equal) is a single Gaussian."""

    samples: NDArray[np.float64]
    bandwidth: float

    @classmethod
    def fit(cls, samples: NDArray[np.floating], bandwidth: float | None = None) -> KernelDensity:
        data = np.asarray(samples, dtype=np.float64).ravel()
        if data.size == 0:
            raise ValueError("a density needs at least one score")
        return cls(data, bandwidth if bandwidth is not None else scott_bandwidth(data))

    @cached_property
    def _kde(self) -> gaussian_kde | None:
        spread = float(np.std(self.samples, ddof=1)) if self.samples.size > 1 else 0.0
        if spread < 1e-9:  # no spread to scale: scipy's kernel covariance would be singular
            return None
        return gaussian_kde(self.samples, bw_method=self.bandwidth / spread)

    def log_pdf(self, scores: NDArray[np.floating] | float) -> NDArray[np.float64]:
        s = np.atleast_1d(np.asarray(scores, dtype=np.float64))
        if self._kde is None:
            return np.asarray(norm.logpdf(s, loc=float(self.samples.mean()), scale=self.bandwidth), dtype=np.float64)
        return np.asarray(self._kde.logpdf(s), dtype=np.float64)


GRID_POINTS = 2001


@dataclass(frozen=True)
class PicModel:
    genuine: KernelDensity
    impostor: KernelDensity

    @classmethod
    def fit(cls, genuine: NDArray[np.floating], impostor: NDArray[np.floating]) -> PicModel:
        return cls(KernelDensity.fit(genuine), KernelDensity.fit(impostor))

    def raw_pic(self, scores: NDArray[np.floating] | float) -> NDArray[np.float64]:
        """The plain density ratio, p_gen / (p_gen + p_imp), as a logistic of the log ratio."""
        log_ratio = self.genuine.log_pdf(scores) - self.impostor.log_pdf(scores)
        return np.asarray(expit(log_ratio), dtype=np.float64)

    @cached_property
    def _grid(self) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        lo = float(min(self.genuine.samples.min(), self.impostor.samples.min()))
        hi = float(max(self.genuine.samples.max(), self.impostor.samples.max()))
        grid = np.linspace(lo, hi, GRID_POINTS)
        raw = self.raw_pic(grid)
        # Mean of the upper and lower monotone envelopes: removes kernel wiggles symmetrically.
        up = np.maximum.accumulate(raw)
        down = np.minimum.accumulate(raw[::-1])[::-1]
        return grid, (up + down) / 2.0

    def pic(self, scores: NDArray[np.floating] | float) -> NDArray[np.float64]:
        """P(same person | score) with equal priors (monotone, clamped to the data's range)."""
        grid, values = self._grid
        s = np.atleast_1d(np.asarray(scores, dtype=np.float64))
        return np.asarray(np.interp(s, grid, values), dtype=np.float64)

    def pic_one(self, score: float) -> float:
        return float(self.pic(score)[0])


def decision_confidence(pic: float, same_person: bool) -> float:
    """Confidence in the decision made: PIC for a match, 1 - PIC for a non-match."""
    return pic if same_person else 1.0 - pic


def percent(probability: float) -> str:
    """A probability as a percentage that never claims certainty: 0.9996 -> "over 99%"."""
    if probability >= 0.995:
        return "over 99%"
    if probability < 0.005:
        return "under 1%"
    return f"{probability:.0%}"


def confidence_sentence(score: float, threshold: float, pic: float, same_person: bool, dataset: str) -> str:
    """One plain sentence that says what the confidence is and where it comes from."""
    conf = decision_confidence(pic, same_person)
    verdict = "the same person" if same_person else "different people"
    return (
        f"I am {percent(conf)} confident the photos show {verdict}: on {dataset}, comparisons "
        f"scoring about {score:.2f} (threshold {threshold:.2f}) came from the same person "
        f"{percent(pic)} of the time (PIC-score)."
    )
