"""A picture of the region outlines on a face, each region tinted and labelled."""

from __future__ import annotations

from collections.abc import Mapping

import cv2
import numpy as np
from numpy.typing import NDArray

from core.render._figure import add_axes_px, figure_png, new_figure
from core.render.colors import upscale

SIZE = 448  # the crop is shown at four times 112 px
# One colour per region (RGB); left and right partners share a hue family.
_COLOURS: dict[str, tuple[int, int, int]] = {
    "left eyebrow": (140, 86, 75), "right eyebrow": (196, 156, 148),
    "left eye": (31, 119, 180), "right eye": (120, 180, 230),
    "nose": (44, 160, 44), "left cheek": (255, 127, 14), "right cheek": (255, 200, 80),
    "chin": (148, 103, 189), "lips": (214, 39, 40),
}
_NOTE = "Left/right are the person's own: their left eye is on your right."


def render_regions(crop: NDArray[np.uint8], masks: Mapping[str, NDArray[np.bool_]]) -> bytes:
    """PNG bytes (448 x 490 px): the crop with each region tinted, outlined and named."""
    image = upscale(crop, SIZE).astype(np.float32)
    outlines = np.zeros((SIZE, SIZE, 3), dtype=np.uint8)
    for name, mask in masks.items():
        colour = np.array(_COLOURS.get(name, (255, 255, 255)), dtype=np.float32)
        # Upscale, blur by about one crop pixel, cut at 0.5: the same mask without stepped edges.
        soft = cv2.resize(mask.astype(np.float32), (SIZE, SIZE), interpolation=cv2.INTER_NEAREST)
        soft = cv2.GaussianBlur(soft, (0, 0), sigmaX=SIZE / mask.shape[1])
        big = (soft > 0.5).astype(np.uint8)
        image[big > 0] = 0.65 * image[big > 0] + 0.35 * colour
        contours, _ = cv2.findContours(big, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
        cv2.drawContours(outlines, contours, -1, tuple(int(c) for c in colour), 2, cv2.LINE_AA)
    drawn = outlines.any(axis=2)
    image[drawn] = outlines[drawn]
    figure = new_figure(SIZE, SIZE + 42)
    axes = add_axes_px(figure, 0, 0, SIZE, SIZE)
    axes.imshow(np.clip(image, 0, 255).astype(np.uint8), interpolation="nearest")
    from matplotlib import patheffects

    halo = [patheffects.withStroke(linewidth=3, foreground="white")]
    for name, mask in masks.items():
        ys, xs = np.nonzero(mask)
        if len(xs):
            scale = SIZE / mask.shape[1]
            axes.text((xs.mean() + 0.5) * scale - 0.5, (ys.mean() + 0.5) * scale - 0.5, name,
                      ha="center", va="center", fontsize=9, weight="bold", path_effects=halo)
    figure.text(0.5, 21 / (SIZE + 42), _NOTE, ha="center", va="center", fontsize=9.5)
    return figure_png(figure)
