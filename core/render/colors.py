"""Colours shared by every picture: OpenCV's JET map (red = most important, blue = least)."""

from __future__ import annotations

import cv2
import numpy as np
from numpy.typing import NDArray

from core.table import LEVELS

RGB = NDArray[np.uint8]


def jet_rgb(values: NDArray[np.floating]) -> RGB:
    """JET colours (RGB uint8, shape ``values.shape + (3,)``) for values in [0, 1]."""
    v = np.clip(np.nan_to_num(np.asarray(values, dtype=np.float64)), 0.0, 1.0)
    grey = np.round(v * 255.0).astype(np.uint8).reshape(-1, 1)
    bgr = cv2.applyColorMap(grey, cv2.COLORMAP_JET).reshape(*v.shape, 3)
    return np.ascontiguousarray(bgr[..., ::-1])


def level_value(level: float) -> float:
    """Where a level sits on the JET scale: the centre of its fifth (1 -> 0.9, 5 -> 0.1)."""
    return (LEVELS - float(level) + 0.5) / LEVELS


def level_rgb(level: float, *, lighten: float = 0.0) -> tuple[float, float, float]:
    """The JET colour of a level (fractional levels such as a Mean fall in between), 0..1 floats,
    mixed with white by ``lighten`` so that black text on it stays readable."""
    rgb = jet_rgb(np.array([level_value(level)]))[0].astype(np.float64) / 255.0
    mixed = rgb * (1.0 - lighten) + lighten
    return (float(mixed[0]), float(mixed[1]), float(mixed[2]))


def overlay(crop: NDArray[np.uint8], saliency: NDArray[np.floating], alpha: float = 0.5) -> RGB:
    """Blend a JET heatmap with the face (as Mery's MinPlus code does): ``alpha`` heat + rest face.

    ``crop`` is H x W x 3 RGB uint8; ``saliency`` is any size in [0, 1] with 1 = most important
    (red); it is resized to the crop.
    """
    h, w = crop.shape[:2]
    sal = np.asarray(saliency, dtype=np.float32)
    if sal.shape != (h, w):
        sal = np.asarray(cv2.resize(sal, (w, h), interpolation=cv2.INTER_LINEAR), dtype=np.float32)
    heat = jet_rgb(sal).astype(np.float32)
    blended = alpha * heat + (1.0 - alpha) * crop.astype(np.float32)
    return np.clip(np.round(blended), 0, 255).astype(np.uint8)


def upscale(image: NDArray[np.uint8], size: int) -> RGB:
    """Resize a square crop to ``size`` pixels for display (bicubic, clipped to uint8)."""
    if image.shape[0] == size:
        return image
    return np.asarray(cv2.resize(image, (size, size), interpolation=cv2.INTER_CUBIC), dtype=np.uint8)
