"""The explainability table on synthetic maps whose answer is known by construction."""

from __future__ import annotations

import numpy as np
import pytest

from core.comparison import METHODS, REGIONS
from core.regions import canonical_region_masks
from core.table import (
    MEAN,
    RATIO,
    comparison_tables,
    face_table,
    least_important,
    level_map,
    most_important,
    pair_table,
    ranked,
    region_level,
)

MASKS = canonical_region_masks()


def _lit(*regions: str) -> np.ndarray:
    """A map that is 1 on the given regions' pixels and 0 elsewhere."""
    return np.logical_or.reduce([MASKS[r] for r in regions]).astype(np.float32)


def test_a_map_lit_on_one_region_rates_it_1_and_every_other_region_5() -> None:
    maps = {m: _lit("nose") for m in METHODS}
    maps["S0-"] = _lit("left eye")
    table = face_table(maps, MASKS)
    assert table["left eye"]["S0-"] == 1 and table["nose"]["S0-"] == 5
    assert all(table[r]["S0-"] == 5 for r in REGIONS if r != "left eye")
    assert all(table["nose"][m] == 1 for m in METHODS if m != "S0-")


def test_mean_and_ratio_of_1s_follow_from_the_levels() -> None:
    maps = {"S0-": _lit("lips"), "S1-": _lit("lips"), "S0+": _lit("lips"),
            "S1+": _lit("chin"), "AVG": _lit("chin")}
    table = face_table(maps, MASKS)
    assert [table["lips"][m] for m in METHODS] == [1, 1, 1, 5, 5]
    assert table["lips"][MEAN] == pytest.approx(2.6)
    assert table["lips"][RATIO] == pytest.approx(0.6)
    assert table["chin"][MEAN] == pytest.approx(3.4) and table["chin"][RATIO] == pytest.approx(0.4)
    assert table["nose"][MEAN] == 5 and table["nose"][RATIO] == 0
    assert most_important(table) == ["lips"]
    assert ranked(table)[:2] == ["lips", "chin"]


def test_ties_are_reported_not_hidden() -> None:
    table = face_table({m: _lit("left eye", "right eye") for m in METHODS}, MASKS)
    assert most_important(table) == ["left eye", "right eye"]
    assert least_important(table) == [r for r in REGIONS if r not in ("left eye", "right eye")]


def test_ratio_of_1s_breaks_a_tie_in_mean() -> None:
    # Both have Mean 3.0: nose = 1,1,5,5,3 (two 1s); lips = 3,3,3,3,3 (no 1s).
    table = {r: {m: 5.0 for m in METHODS} | {MEAN: 5.0, RATIO: 0.0} for r in REGIONS}
    table["nose"] = dict(zip(METHODS, [1.0, 1.0, 5.0, 5.0, 3.0], strict=True)) | {MEAN: 3.0, RATIO: 0.4}
    table["lips"] = {m: 3.0 for m in METHODS} | {MEAN: 3.0, RATIO: 0.0}
    assert most_important(table) == ["nose"]
    assert ranked(table)[:2] == ["nose", "lips"]


def test_levels_cut_the_maps_range_into_fifths_with_the_maximum_at_level_1() -> None:
    saliency = np.array([0.0, 0.19, 0.2, 0.5, 0.79, 0.8, 1.0])
    assert level_map(saliency).tolist() == [5, 5, 4, 3, 2, 1, 1]
    # The map's own range counts, not [0, 1]: 0.3..0.5 is cut into fifths too.
    assert level_map(0.3 + 0.2 * saliency).tolist() == [5, 5, 4, 3, 2, 1, 1]


def test_a_majority_tie_goes_to_the_more_important_level() -> None:
    levels = np.array([[1, 1, 5, 5], [3, 3, 3, 2]], dtype=np.int8)
    assert region_level(levels, np.array([[True] * 4, [False] * 4])) == 1
    assert region_level(levels, np.array([[False] * 4, [True] * 4])) == 3
    assert region_level(levels, np.array([[False, True, True, False], [False] * 4])) == 1


def test_a_constant_map_gives_the_middle_level_and_no_nan() -> None:
    maps = {m: np.full((112, 112), 0.7, dtype=np.float32) for m in METHODS}
    table = face_table(maps, MASKS)
    for row in table.values():
        assert all(np.isfinite(v) for v in row.values())
        assert [row[m] for m in METHODS] == [3] * 5 and row[MEAN] == 3 and row[RATIO] == 0
    assert most_important(table) == list(REGIONS) == least_important(table)


def test_the_pair_table_levels_the_mean_of_the_two_maps() -> None:
    maps_a = {m: _lit("left eye") for m in METHODS}
    maps_b = {m: _lit("lips") for m in METHODS}
    maps_b["AVG"] = _lit("left eye")
    pair = pair_table(maps_a, maps_b, MASKS)
    # The mean map is 0.5 on the eye and on the lips (their top fifth) for the first four methods.
    assert [pair["left eye"][m] for m in METHODS] == [1] * 5
    assert [pair["lips"][m] for m in METHODS] == [1, 1, 1, 1, 5]
    assert pair["lips"][RATIO] == pytest.approx(0.8)
    assert most_important(pair) == ["left eye"]


def test_bad_inputs_are_rejected_with_a_reason() -> None:
    maps = {m: _lit("nose") for m in METHODS}
    with pytest.raises(ValueError, match="missing"):
        face_table({k: v for k, v in maps.items() if k != "AVG"}, MASKS)
    with pytest.raises(ValueError, match="NaN"):
        face_table(maps | {"AVG": np.full((112, 112), np.nan)}, MASKS)
    with pytest.raises(ValueError, match="one shape"):
        face_table(maps | {"AVG": np.zeros((56, 56))}, MASKS)
    with pytest.raises(ValueError, match="empty"):
        face_table(maps, MASKS | {"chin": np.zeros((112, 112), dtype=bool)})


def test_comparison_tables_has_a_b_and_pair_and_uses_each_faces_own_masks() -> None:
    maps_a = {m: _lit("left eye") for m in METHODS}
    maps_b = {m: _lit("right eye") for m in METHODS}
    swapped = MASKS | {"left eye": MASKS["right eye"], "right eye": MASKS["left eye"]}
    tables = comparison_tables(maps_a, maps_b, MASKS, masks_b=swapped)
    assert list(tables) == ["A", "B", "pair"]
    assert most_important(tables["A"]) == ["left eye"]
    assert most_important(tables["B"]) == ["left eye"]  # B's masks name the image-left eye "left"
    assert most_important(tables["pair"]) == ["left eye", "right eye"]
