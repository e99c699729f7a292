"""The explainability table (Table 1 of "From Pixels to Words"): a 1..5 level per facial region
and saliency method, then "Mean" and "Ratio of 1s".

Region names use the subject's own left/right: the person's left eye appears on the VIEWER'S
RIGHT of the image (see ``core.regions``).

Levels. Each map's own range [min, max] is cut into five equal intervals; a pixel in the top
fifth is level 1 (most important) and one in the bottom fifth level 5 (least important); a
value on a boundary, and the maximum itself, takes the more important level. A constant map ranks nothing, so all its pixels get the middle level
3. A region's level for a method is the level most of its pixels have (the majority); when two
levels have equally many pixels, the more important level (the smaller number) wins.

Columns. One per method in ``METHODS``, then "Mean" (the mean of the five levels) and
"Ratio of 1s" (the share of the five methods that rate the region 1, from 0.0 to 1.0).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from numpy.typing import NDArray

from core.comparison import METHODS, REGIONS

Table = dict[str, dict[str, float]]
MEAN, RATIO = "Mean", "Ratio of 1s"
COLUMNS: tuple[str, ...] = (*METHODS, MEAN, RATIO)
LEVELS = 5


def level_map(saliency: NDArray[np.floating]) -> NDArray[np.int8]:
    """Per-pixel levels 1 (top fifth of the map's range) .. 5 (bottom fifth)."""
    m = np.asarray(saliency, dtype=np.float64)
    if not np.isfinite(m).all():
        raise ValueError("the saliency map contains NaN or infinite values")
    lo, hi = float(m.min()), float(m.max())
    if hi - lo <= 1e-12:
        return np.full(m.shape, (LEVELS + 1) // 2, dtype=np.int8)
    # The 1e-9 keeps float noise from pushing a value that sits on a boundary down a level.
    fifth = np.minimum(np.floor((m - lo) / (hi - lo) * LEVELS + 1e-9), LEVELS - 1)
    return (LEVELS - fifth).astype(np.int8)


def region_level(levels: NDArray[np.int8], mask: NDArray[np.bool_]) -> int:
    """The level most of the region's pixels have; a tie goes to the more important level."""
    counts = np.bincount(levels[mask].astype(np.int64), minlength=LEVELS + 1)[1:]
    return int(np.argmax(counts)) + 1  # argmax returns the first (smallest) level of a tie


def face_table(maps: Mapping[str, NDArray[np.floating]], masks: Mapping[str, NDArray[np.bool_]]) -> Table:
    """The table of one face from its five maps (keyed by ``METHODS``) and the region masks."""
    _check(maps, masks)
    levels = {method: level_map(maps[method]) for method in METHODS}
    table: Table = {}
    for region in REGIONS:
        row: dict[str, float] = {m: float(region_level(levels[m], masks[region])) for m in METHODS}
        values = [row[m] for m in METHODS]
        row[MEAN] = float(np.mean(values))
        row[RATIO] = sum(v == 1.0 for v in values) / len(values)
        table[region] = row
    return table


def pair_table(
    maps_a: Mapping[str, NDArray[np.floating]],
    maps_b: Mapping[str, NDArray[np.floating]],
    masks: Mapping[str, NDArray[np.bool_]],
) -> Table:
    """The pair's table: for each method, the level of the pixel-wise mean of the two faces' maps.

    Both crops are aligned to the same template, so a pixel means the same place on both faces
    and the mean map says where the pair's score came from. Averaging before cutting into levels
    keeps every entry a true level (an integer 1..5, so "Ratio of 1s" keeps its meaning) and
    needs no rounding rule; averaging two tables' levels would need one. Pass the canonical
    masks (``core.regions.canonical_region_masks``): one set of masks serves both faces.
    """
    _check(maps_a, masks)
    _check(maps_b, masks)
    mean_maps = {
        m: (np.asarray(maps_a[m], dtype=np.float64) + np.asarray(maps_b[m], dtype=np.float64)) / 2
        for m in METHODS
    }
    return face_table(mean_maps, masks)


def comparison_tables(
    maps_a: Mapping[str, NDArray[np.floating]],
    maps_b: Mapping[str, NDArray[np.floating]],
    masks: Mapping[str, NDArray[np.bool_]],
    *,
    masks_a: Mapping[str, NDArray[np.bool_]] | None = None,
    masks_b: Mapping[str, NDArray[np.bool_]] | None = None,
) -> dict[str, Table]:
    """``Comparison.tables``: {"A": face A's table, "B": face B's, "pair": the pair's}.

    ``masks`` (the canonical map) serves the pair, and each face unless ``masks_a``/``masks_b``
    (e.g. per-face regions from dense landmarks) are given.
    """
    return {
        "A": face_table(maps_a, masks if masks_a is None else masks_a),
        "B": face_table(maps_b, masks if masks_b is None else masks_b),
        "pair": pair_table(maps_a, maps_b, masks),
    }


def ranked(table: Table) -> list[str]:
    """Regions from most to least important: by Mean (lower first), then Ratio of 1s (higher first)."""
    return sorted(table, key=lambda region: _rank_key(table[region]))


def most_important(table: Table) -> list[str]:
    """Every region tied for most important (same Mean and Ratio of 1s as the best), in table order."""
    best = min(_rank_key(row) for row in table.values())
    return [region for region, row in table.items() if _rank_key(row) == best]


def least_important(table: Table) -> list[str]:
    """Every region tied for least important (same Mean and Ratio of 1s as the worst), in table order."""
    worst = max(_rank_key(row) for row in table.values())
    return [region for region, row in table.items() if _rank_key(row) == worst]


def _rank_key(row: Mapping[str, float]) -> tuple[float, float]:
    # Rounded so that float noise cannot break a real tie.
    return (round(row[MEAN], 9), -round(row[RATIO], 9))


def _check(maps: Mapping[str, NDArray[np.floating]], masks: Mapping[str, NDArray[np.bool_]]) -> None:
    missing = [m for m in METHODS if m not in maps] + [r for r in REGIONS if r not in masks]
    if missing:
        raise ValueError(f"missing maps or region masks: {', '.join(missing)}")
    for region in REGIONS:
        if not masks[region].any():
            raise ValueError(f"the region mask for {region!r} is empty")
    shapes = {np.shape(maps[m]) for m in METHODS} | {masks[r].shape for r in REGIONS}
    if len(shapes) != 1:
        raise ValueError(f"maps and masks must all have one shape, got {sorted(shapes)}")
