"""Nine facial regions on the aligned 112x112 crop (ArcFace template), as boolean masks.

Left and right are the subject's own: the person's left eye, eyebrow and cheek appear on the
VIEWER'S RIGHT of the image (anatomy's and forensic reports' convention, as in
``core.comparison.REGIONS``).

Every region is a polygon built from the 68 iBUG/300-W landmarks (index 36-41 = the eye on the
image's left = the subject's right eye). The *canonical* map applies that construction to
``MEAN_SHAPE_68``, the mean 68-point shape on the template (dlib's 68-point predictor on 600
LFW aligned-112 crops); ``core.regions_dense`` applies it to each face's own landmarks. Regions
never overlap: they are filled in ``_PRIORITY`` order and each takes only pixels still free.
"""

from __future__ import annotations

from typing import Protocol

import cv2
import numpy as np
from numpy.typing import NDArray

from core.align import CROP_SIZE
from core.comparison import REGIONS

Mask = NDArray[np.bool_]
Points = NDArray[np.float64]

TEMPLATE_SIZE = CROP_SIZE
MEAN_SHAPE_68: Points = np.array([
    [15.3, 54.9], [15.7, 65.2], [16.8, 75.4], [18.7, 85.5], [22.1, 95.0], [27.9, 103.2],
    [35.7, 109.2], [45.1, 113.0], [55.9, 113.6], [66.8, 112.9], [76.1, 109.0], [83.9, 103.0],
    [89.6, 94.7], [93.0, 85.2], [94.8, 75.0], [95.7, 64.7], [96.0, 54.4], [23.6, 46.3],
    [28.4, 41.9], [35.2, 40.4], [42.3, 41.1], [48.8, 43.8], [61.6, 43.5], [68.3, 40.9],
    [75.4, 39.9], [82.3, 41.4], [87.2, 45.8], [55.4, 51.5], [55.4, 58.3], [55.4, 65.0],
    [55.4, 71.9], [47.6, 76.7], [51.4, 78.2], [55.5, 79.4], [59.7, 78.1], [63.4, 76.7],
    [31.4, 53.4], [35.6, 50.9], [40.6, 50.9], [45.1, 53.9], [40.4, 54.8], [35.5, 54.9],
    [65.7, 53.7], [70.2, 50.6], [75.2, 50.6], [79.3, 53.0], [75.4, 54.5], [70.5, 54.6],
    [40.1, 90.6], [45.6, 87.8], [51.3, 86.4], [55.5, 87.4], [59.9, 86.4], [65.7, 87.7],
    [71.4, 90.5], [66.1, 95.7], [60.3, 98.0], [55.6, 98.5], [51.1, 98.1], [45.4, 95.9],
    [42.3, 90.8], [51.3, 89.6], [55.6, 90.0], [59.9, 89.6], [69.2, 90.6], [60.0, 93.2],
    [55.6, 93.7], [51.3, 93.2],
])
_PRIORITY = ("left eye", "right eye", "left eyebrow", "right eyebrow", "nose", "lips", "chin",
             "left cheek", "right cheek")
_SHIFT = 4  # sub-pixel polygon filling: coordinates in 1/16 px


class RegionSource(Protocol):
    """Gives the region masks for one aligned crop (H x W x 3 RGB uint8), keyed by ``REGIONS``."""

    def masks(self, crop: NDArray[np.uint8]) -> dict[str, Mask]: ...


class CanonicalRegions:
    """The same template map for every face (no landmark model needed); the default source."""

    name = "canonical"

    def masks(self, crop: NDArray[np.uint8]) -> dict[str, Mask]:
        return canonical_region_masks(crop.shape[0])


def canonical_region_masks(size: int = TEMPLATE_SIZE) -> dict[str, Mask]:
    """The nine region masks on the template, ``size`` x ``size``, in ``REGIONS`` order."""
    return masks_from_landmarks68(MEAN_SHAPE_68 * (size / TEMPLATE_SIZE), size)


def masks_from_landmarks68(points: NDArray[np.floating], size: int = TEMPLATE_SIZE) -> dict[str, Mask]:
    """Disjoint region masks from 68 landmarks (x, y in crop pixels), clipped to the crop."""
    p = np.asarray(points, dtype=np.float64)
    if p.shape != (68, 2) or not np.isfinite(p).all():
        raise ValueError(f"expected 68 finite (x, y) landmarks, got an array of shape {p.shape}")
    shapes = _region_polygons(p)
    free = np.ones((size, size), dtype=bool)
    masks: dict[str, Mask] = {}
    for name in _PRIORITY:
        canvas = np.zeros((size, size), dtype=np.uint8)
        cv2.fillPoly(canvas, [np.round(shapes[name] * (1 << _SHIFT)).astype(np.int32)], 1,
                     lineType=cv2.LINE_8, shift=_SHIFT)
        masks[name] = canvas.astype(bool) & free
        free &= ~masks[name]
    return {name: masks[name] for name in REGIONS}


def _region_polygons(p: Points) -> dict[str, Points]:
    eye_r, eye_l = p[36:42].mean(axis=0), p[42:48].mean(axis=0)  # subject's right = image left
    u = float(np.linalg.norm(eye_l - eye_r))  # inter-ocular distance: the unit of every offset
    d = (eye_l - eye_r) / max(u, 1e-6)  # along the eye line, towards the image right
    n = np.array([-d[1], d[0]])  # perpendicular, towards the chin

    def eyebrow(b: Points) -> Points:
        b = np.vstack([b[0] - 0.06 * u * d, b, b[-1] + 0.06 * u * d])
        return np.vstack([b - 0.10 * u * n, (b + 0.16 * u * n)[::-1]])

    def eye(e: Points) -> Points:
        centre, half_w = e.mean(axis=0), 0.7 * float(np.linalg.norm(e[3] - e[0]))
        t = np.linspace(0.0, 2.0 * np.pi, 48, endpoint=False)[:, None]
        ellipse: Points = centre + half_w * np.cos(t) * d + 0.17 * u * np.sin(t) * n
        return ellipse

    def cheek(jaw: Points, mouth: Points, ala: Points, under_eye: Points) -> Points:
        return np.vstack([jaw, mouth, ala, under_eye + 0.2 * u * n])

    outer_lip = p[48:60]
    lip_centre = outer_lip.mean(axis=0)
    nose = np.vstack([p[27] - 0.12 * u * d, p[29] - 0.14 * u * d, p[31] - 0.08 * u * d, p[32],
                      p[33] + 0.05 * u * n, p[34], p[35] + 0.08 * u * d, p[29] + 0.14 * u * d,
                      p[27] + 0.12 * u * d])
    return {
        "left eyebrow": eyebrow(p[22:27]),
        "right eyebrow": eyebrow(p[17:22]),
        "left eye": eye(p[42:48]),
        "right eye": eye(p[36:42]),
        "nose": nose,
        "lips": lip_centre + 1.12 * (outer_lip - lip_centre),
        "chin": np.vstack([p[[48, 59, 58, 57, 56, 55, 54]], p[10:5:-1]]),
        "left cheek": cheek(p[15:9:-1], p[54:55], p[35:36] + 0.08 * u * d,
                            np.vstack([p[[42, 47, 46]], p[45] + 0.1 * u * d])),
        "right cheek": cheek(p[1:7], p[48:49], p[31:32] - 0.08 * u * d,
                             np.vstack([p[[39, 40, 41]], p[36] - 0.1 * u * d])),
    }
