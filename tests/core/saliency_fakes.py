"""A synthetic recognizer that sees only an eye patch, a textured stand-in face, and a tiny
MinPlus grid: what the saliency tests run on (no models)."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from core.recognizer import l2_normalise
from core.saliency import SaliencyParams

# A patch around the subject's right eye (the eye on the image's left in the ArcFace template).
ROWS, COLS = slice(46, 58), slice(32, 44)
TINY = SaliencyParams(nh=31, d=14, tmax=3, th=0.01)  # 7 x 7 = 49 grid points


class PatchRecognizer:
    """Sees only the eye patch: a fixed random projection of its pixels. Records its calls."""

    name, sha256, batch_size = "patch", "0" * 64, 4

    def __init__(self) -> None:
        rng = np.random.default_rng(1)
        self.weights = rng.normal(size=(12 * 12 * 3, 16))
        self.bias = 3.0 * rng.normal(size=16)
        self.calls: list[int] = []

    def embed(self, crops: NDArray[Any]) -> NDArray[np.float32]:
        x = np.asarray(crops, dtype=np.float64)
        self.calls.append(len(x))
        patch = x[:, ROWS, COLS, :].reshape(len(x), -1) / 255.0
        return l2_normalise(patch @ self.weights + self.bias)


def textured_face(seed: int = 0) -> NDArray[np.float32]:
    import cv2

    noise = np.random.default_rng(seed).uniform(0, 255, (112, 112, 3))
    smooth = cv2.GaussianBlur(noise, (0, 0), 2)
    return np.asarray((smooth - smooth.min()) / np.ptp(smooth) * 255, dtype=np.float32)
