"""Matplotlib figures drawn on the Agg canvas only.

Matplotlib is imported inside these functions (never at import time). The figure is attached to
``FigureCanvasAgg`` directly, so rendering always uses Agg whatever the process's pyplot backend
is, without touching global state.
"""

from __future__ import annotations

import io
from typing import Any


def new_figure(width_px: int, height_px: int, dpi: int = 100) -> Any:
    """A matplotlib ``Figure`` of exactly ``width_px`` x ``height_px`` on an Agg canvas."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width_px / dpi, height_px / dpi), dpi=dpi, facecolor="white")
    FigureCanvasAgg(figure)
    return figure


def add_axes_px(figure: Any, left: float, top: float, width: float, height: float) -> Any:
    """Axes placed in pixels measured from the figure's top-left corner, with no frame or ticks."""
    fw, fh = figure.get_size_inches() * figure.dpi
    axes = figure.add_axes((left / fw, 1.0 - (top + height) / fh, width / fw, height / fh))
    axes.set_axis_off()
    return axes


def figure_png(figure: Any) -> bytes:
    """The figure as PNG bytes at its own size."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=figure.dpi, facecolor="white")
    return buffer.getvalue()
