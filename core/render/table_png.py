"""The explainability table as a picture: cells coloured by level on the JET scale of the
heatmaps (1 = red = most important ... 5 = blue = least important).

Left/right in region names are the subject's own: the person's left eye appears on the
VIEWER'S RIGHT of the image.
"""

from __future__ import annotations

from typing import Any

from core.comparison import METHODS
from core.render._figure import add_axes_px, figure_png, new_figure
from core.render.colors import level_rgb
from core.table import COLUMNS, LEVELS, MEAN, RATIO, Table, least_important, most_important

_WIDTHS = {"Region": 150, **{m: 66 for m in METHODS}, MEAN: 72, RATIO: 112}
_ROW, _TOP, _PAD = 34, 60, 20
_LIGHTEN = 0.45  # mix the cell colours with white so that black text stays readable


def render_table_png(table: Table, *, title: str) -> bytes:
    """PNG bytes of the table with coloured cells, a level legend and the most/least important."""
    headers = ("Region", *COLUMNS)
    grid_w = sum(_WIDTHS[h] for h in headers)
    width = grid_w + 2 * _PAD
    height = _TOP + (len(table) + 1) * _ROW + 112
    figure = new_figure(width, height)
    figure.text(0.5, 1 - 26 / height, title, ha="center", va="center", fontsize=15, weight="bold")
    axes = add_axes_px(figure, _PAD, _TOP, grid_w, (len(table) + 1) * _ROW)
    axes.set_xlim(0, grid_w)
    axes.set_ylim((len(table) + 1) * _ROW, 0)
    best, worst = set(most_important(table)), set(least_important(table))
    rows: list[tuple[str, list[tuple[str, tuple[float, float, float]]]]] = [
        ("header", [(h, (0.93, 0.93, 0.93)) for h in headers])
    ]
    for region, row in table.items():
        cells = [(region, (1.0, 1.0, 1.0))]
        cells += [(str(int(row[m])), level_rgb(row[m], lighten=_LIGHTEN)) for m in METHODS]
        cells.append((f"{row[MEAN]:.1f}", level_rgb(row[MEAN], lighten=_LIGHTEN)))
        red = level_rgb(1, lighten=1.0 - 0.55 * row[RATIO])
        cells.append((f"{row[RATIO]:.0%}", red))
        rows.append((region, cells))
    for r, (key, cells) in enumerate(rows):
        _draw_row(axes, r * _ROW, cells, bold=(key == "header" or key in best), italic=key in worst)
    lines = [
        f"Level 1 = most important (red) ... {LEVELS} = least important (blue); each is a fifth of "
        "the heatmap's range.",
        "Mean = mean level of the five methods; Ratio of 1s = share of methods that rate it 1.",
        f"Most important (bold): {_names(best, table)}.   "
        f"Least important (italic): {_names(worst, table)}.",
        "Left/right are the person's own: their left eye is on your right.",
    ]
    for i, line in enumerate(lines):
        figure.text(_PAD / width, (112 - 16 - 24 * i) / height, line, ha="left", va="center",
                    fontsize=9.5, color="#222222")
    return figure_png(figure)


def _draw_row(axes: Any, y: float, cells: list[tuple[str, tuple[float, float, float]]], *,
              bold: bool, italic: bool) -> None:
    from matplotlib.patches import Rectangle

    x = 0.0
    for col, (text, colour) in enumerate(cells):
        w = list(_WIDTHS.values())[col]
        axes.add_patch(Rectangle((x, y), w, _ROW, facecolor=colour, edgecolor="#777777", lw=0.8,
                               clip_on=False))
        left = col == 0
        axes.text(x + (10 if left else w / 2), y + _ROW / 2, text, ha="left" if left else "center",
                  va="center", fontsize=11.5, weight="bold" if bold else "normal",
                  style="italic" if italic and left else "normal")
        x += w


def _names(regions: set[str], table: Table) -> str:
    ordered = [r for r in table if r in regions]
    return ", ".join(ordered) + (" (tie)" if len(ordered) > 1 else "")
