"""Template averaging over a face and its mirror image (a standard, cheap accuracy gain)."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from core.recognizer import FloatArray, Recognizer, l2_normalise


class FlipAveraged:
    """A Recognizer whose template is the normalised sum of embed(crop) and embed(mirror)."""

    def __init__(self, inner: Recognizer) -> None:
        self.inner = inner
        self.name = f"{inner.name} (+mirror)"
        self.sha256 = inner.sha256
        self.batch_size = inner.batch_size

    def embed(self, crops: NDArray[Any]) -> FloatArray:
        x = np.asarray(crops)
        if x.ndim == 3:
            x = x[None]
        both = self.inner.embed(np.concatenate([x, x[:, :, ::-1]], axis=0))
        n = len(x)
        return l2_normalise(both[:n] + both[n:])
