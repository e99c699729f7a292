"""Box arithmetic for the MTCNN cascade (numpy; boxes are x1, y1, x2, y2 in image pixels)."""

from __future__ import annotations

import math

import cv2
import numpy as np
from numpy.typing import NDArray

Boxes = NDArray[np.float32]  # N x 4

CELL = 12  # P-Net sees 12 x 12 windows ...
STRIDE = 2  # ... every 2 pixels of the scaled image


def pyramid_sizes(height: int, width: int, min_face_size: float, factor: float) -> list[tuple[int, int]]:
    """Scaled image sizes (h, w) at which a face of min_face_size .. image size fills 12 px."""
    scale = CELL / min_face_size
    sizes: list[tuple[int, int]] = []
    while min(height, width) * scale >= CELL:
        sizes.append((math.ceil(height * scale), math.ceil(width * scale)))
        scale *= factor
    return sizes


def proposals(
    prob: NDArray[np.float32], reg: NDArray[np.float32], scale_yx: tuple[float, float], threshold: float
) -> tuple[Boxes, NDArray[np.float32], Boxes]:
    """P-Net maps (h x w face probability, 4 x h x w regression) -> windows, scores, regressions."""
    rows, cols = np.nonzero(prob >= threshold)
    sy, sx = scale_yx
    x1, y1 = cols * STRIDE / sx, rows * STRIDE / sy
    x2, y2 = (cols * STRIDE + CELL) / sx, (rows * STRIDE + CELL) / sy
    boxes = np.stack([x1, y1, x2, y2], axis=1).astype(np.float32)
    return boxes, prob[rows, cols].astype(np.float32), reg[:, rows, cols].T.astype(np.float32)


def regress(boxes: Boxes, reg: Boxes) -> Boxes:
    """Move each side by its regression, a fraction of the box width or height."""
    size = np.tile(boxes[:, 2:4] - boxes[:, 0:2], 2)
    return (boxes + reg * size).astype(np.float32)


def square(boxes: Boxes) -> Boxes:
    """The square around each box's centre with the longer side, on whole pixels."""
    side = np.maximum(boxes[:, 2] - boxes[:, 0], boxes[:, 3] - boxes[:, 1])
    side = np.maximum(np.round(side), 1.0)
    x1 = np.round((boxes[:, 0] + boxes[:, 2] - side) / 2)
    y1 = np.round((boxes[:, 1] + boxes[:, 3] - side) / 2)
    return np.stack([x1, y1, x1 + side, y1 + side], axis=1).astype(np.float32)


def crops(image: NDArray[np.uint8], boxes: Boxes, size: int) -> NDArray[np.uint8]:
    """N x size x size x 3: each whole-pixel box cut out (zero outside the image) and resized."""
    height, width = image.shape[:2]
    out = np.zeros((len(boxes), size, size, 3), dtype=np.uint8)
    for i, (x1, y1, x2, y2) in enumerate(boxes.astype(np.int64)):
        patch = np.zeros((y2 - y1, x2 - x1, 3), dtype=np.uint8)
        ix1, iy1, ix2, iy2 = max(x1, 0), max(y1, 0), min(x2, width), min(y2, height)
        if ix2 > ix1 and iy2 > iy1:
            patch[iy1 - y1 : iy2 - y1, ix1 - x1 : ix2 - x1] = image[iy1:iy2, ix1:ix2]
        out[i] = cv2.resize(patch, (size, size), interpolation=cv2.INTER_AREA)
    return out


def drop_nested(boxes: Boxes, scores: NDArray[np.float32], threshold: float) -> list[int]:
    """MTCNN's last suppression ("Min" overlap), best score first: drop a box when its overlap
    with a better kept box exceeds ``threshold`` of the smaller of the two areas."""
    low = np.maximum(boxes[:, None, :2], boxes[None, :, :2])
    high = np.minimum(boxes[:, None, 2:], boxes[None, :, 2:])
    inter = np.prod(np.clip(high - low, 0.0, None), axis=2)
    area = np.prod(boxes[:, 2:] - boxes[:, :2], axis=1)
    overlap = inter / np.maximum(np.minimum(area[:, None], area[None, :]), 1e-9)
    keep: list[int] = []
    for i in np.argsort(-scores).tolist():
        if not keep or overlap[i, keep].max() <= threshold:
            keep.append(i)
    return keep
