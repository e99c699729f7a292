"""The heatmap collage: rows face A and face B; columns the aligned face and the five methods."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from numpy.typing import NDArray

from core.comparison import METHODS
from core.render._figure import add_axes_px, figure_png, new_figure
from core.render.colors import jet_rgb, overlay, upscale
from core.table import LEVELS

PANEL = 224  # the 112 px crops are shown at twice their size
_GAP, _LEFT, _TOP, _BOTTOM, _BAR = 12, 64, 92, 52, 22


def render_collage(
    crop_a: NDArray[np.uint8],
    crop_b: NDArray[np.uint8],
    maps_a: Mapping[str, NDArray[np.floating]],
    maps_b: Mapping[str, NDArray[np.floating]],
    *,
    title: str,
) -> bytes:
    """PNG bytes: each face and its five heatmaps (JET blended 50/50 with the face), with a
    colour legend that reads red = most important, blue = least important."""
    columns = ("Aligned face", *METHODS)
    grid_w = len(columns) * PANEL + (len(columns) - 1) * _GAP
    width = _LEFT + grid_w + 30 + _BAR + 190
    height = _TOP + 2 * PANEL + _GAP + _BOTTOM
    figure = new_figure(width, height)
    figure.text(0.5, 1 - 24 / height, title, ha="center", va="center", fontsize=17, weight="bold")
    for row, (label, crop, maps) in enumerate((("Face A", crop_a, maps_a), ("Face B", crop_b, maps_b))):
        top = _TOP + row * (PANEL + _GAP)
        figure.text(_LEFT / 2 / width, 1 - (top + PANEL / 2) / height, label, rotation=90,
                    ha="center", va="center", fontsize=14, weight="bold")
        for col, name in enumerate(columns):
            image = crop if col == 0 else overlay(crop, maps[name])
            axes = add_axes_px(figure, _LEFT + col * (PANEL + _GAP), top, PANEL, PANEL)
            axes.imshow(upscale(image, PANEL), interpolation="nearest")
            if row == 0:
                axes.set_title(name, fontsize=14, pad=8)
    _legend(figure, _LEFT + grid_w + 30, _TOP, 2 * PANEL + _GAP)
    figure.text(
        _LEFT / width, 22 / height,
        "Each heatmap shows how much each part of the face drove the similarity score "
        "(red = most important, blue = least).",
        ha="left", va="center", fontsize=11, color="#333333",
    )
    return figure_png(figure)


def _legend(figure: object, left: float, top: float, height: float) -> None:
    """A vertical JET bar from red (top, most important) to blue (bottom, least important),
    marked with the table's levels 1..5."""
    bar = jet_rgb(np.linspace(1.0, 0.0, 256))[:, None, :].repeat(8, axis=1)
    axes = add_axes_px(figure, left, top, _BAR, height)
    axes.imshow(bar, aspect="auto", extent=(0, 1, 0, 1))
    axes.text(0.0, 1.03, "level", va="bottom", ha="left", fontsize=11, weight="bold",
              transform=axes.transAxes)
    words = {1: ("most important", "#b00000"), LEVELS: ("least important", "#0000a0")}
    for level in range(1, LEVELS + 1):
        word, colour = words.get(level, ("", "black"))
        axes.text(1.3, (LEVELS - level + 0.5) / LEVELS, f"{level}  {word}".rstrip(), va="center",
                  ha="left", fontsize=11, color=colour, weight="bold" if word else "normal",
                  transform=axes.transAxes)
