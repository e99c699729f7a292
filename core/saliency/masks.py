"""Gaussian blob masks, the noise canvas, scores, and sparse-to-dense heatmaps.

A mask is h = 1 - G, where G is an nh x nh Gaussian (sigma = nh / 8.5, peak 1) centred on a
grid point and zero outside its window; multiplying an image by h removes one blob.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from numpy.typing import NDArray

from core.saliency.profiles import SaliencyParams

FloatArray = NDArray[np.float32]

# Score differences below this are float32 round-off, not evidence: a map made only of them is
# "nothing here" (all zeros), never noise stretched to full range by min-max.
NOISE_FLOOR = 1e-6


def gaussian_kernel(nh: int, sigma: float, *, peak_one: bool = True) -> NDArray[np.float64]:
    """An nh x nh (odd) Gaussian centred on the middle pixel, peak 1 or sum 1."""
    half = nh // 2
    offsets = np.arange(-half, half + 1, dtype=np.float64)
    g = np.exp(-(offsets[:, None] ** 2 + offsets[None, :] ** 2) / (2.0 * sigma * sigma))
    return g if peak_one else g / g.sum()


def gaussian_mask(row: int, col: int, params: SaliencyParams) -> FloatArray:
    """The removal mask h = 1 - G for one blob centred at (row, col), computed directly."""
    half = params.nh // 2
    rr = np.arange(params.size, dtype=np.float64)[:, None] - row
    cc = np.arange(params.size, dtype=np.float64)[None, :] - col
    g = np.exp(-(rr**2 + cc**2) / (2.0 * params.sigma * params.sigma))
    g[(np.abs(rr) > half) | (np.abs(cc) > half)] = 0.0
    return (1.0 - g).astype(np.float32)


@lru_cache(maxsize=8)
def _blob_stack(params: SaliencyParams) -> FloatArray:
    """G for every grid point: K x size x size, pasted from one kernel into a padded frame."""
    size, nh, half = params.size, params.nh, params.nh // 2
    kernel = gaussian_kernel(nh, params.sigma)
    grid = params.grid()
    stack = np.zeros((len(grid), size + 2 * half, size + 2 * half), dtype=np.float64)
    for k, (row, col) in enumerate(grid):
        stack[k, row : row + nh, col : col + nh] = kernel
    out = np.ascontiguousarray(stack[:, half : half + size, half : half + size], dtype=np.float32)
    out.setflags(write=False)
    return out


def blob_stack(params: SaliencyParams) -> FloatArray:
    """G (the Gaussian, not the mask) for every grid point, K x size x size; cached, read-only."""
    return _blob_stack(params)


def noise_canvas(size: int, seed: int) -> FloatArray:
    """The near-black starting image of the aggregation strategies: pixels 0 or 1, seeded."""
    rng = np.random.default_rng(seed)
    return rng.integers(0, 2, size=(size, size, 3)).astype(np.float32)


def paint(
    canvas: NDArray[np.float32], original: NDArray[np.float32], mask: NDArray[np.float32]
) -> FloatArray:
    """Screen-blend the original under one blob onto the canvas (Mery's aggregation step):
    canvas' = 255 - (255 - canvas)(255 - original(1 - mask)) / 255."""
    blob = original * (1.0 - mask)[:, :, None]
    return (255.0 - (255.0 - canvas) * (255.0 - blob) / 255.0).astype(np.float32)


def scores_of(embeddings: NDArray[np.float32], other: NDArray[np.float32]) -> NDArray[np.float64]:
    """<embedding, other> per row, summed the same way for one row or many."""
    return np.asarray(
        (embeddings.astype(np.float64) * other.astype(np.float64)[None, :]).sum(axis=1)
    )


def minmax(values: NDArray[np.float64]) -> FloatArray:
    """Scale to [0, 1]; a constant (or round-off-only) map gives zeros, never NaN."""
    low, high = float(values.min()), float(values.max())
    if not high - low > 1e-9 * max(abs(low), abs(high)):
        return np.zeros(values.shape, dtype=np.float32)
    return ((values - low) / (high - low)).astype(np.float32)


def dense_map(grid_values: NDArray[np.floating], params: SaliencyParams) -> FloatArray:
    """Place the K grid values on the image, smooth with an nh x nh Gaussian (sigma nh / 8.5)
    and min-max normalise to [0, 1] (1 = most important)."""
    import cv2

    values = np.asarray(grid_values, dtype=np.float64)
    if not np.all(np.isfinite(values)):
        raise ValueError("saliency grid values must be finite")
    if values.size == 0 or float(np.max(np.abs(values))) <= NOISE_FLOOR:
        return np.zeros((params.size, params.size), dtype=np.float32)
    sparse = np.zeros((params.size, params.size), dtype=np.float64)
    grid = params.grid()
    sparse[grid[:, 0], grid[:, 1]] = values
    kernel = gaussian_kernel(params.nh, params.sigma, peak_one=False)
    smooth = cv2.filter2D(sparse, cv2.CV_64F, kernel, borderType=cv2.BORDER_REFLECT_101)
    return minmax(np.asarray(smooth, dtype=np.float64))
