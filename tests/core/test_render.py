"""Rendering: valid PNGs of the planned size whose pixels say what the data says."""

from __future__ import annotations

import csv
import io
import json

import cv2
import numpy as np
import pytest

from core.comparison import METHODS, REGIONS
from core.regions import canonical_region_masks
from core.render import (
    overlay,
    render_collage,
    render_regions,
    render_table_png,
    table_csv,
    table_json,
    table_text,
)
from core.render.table_text import WIDTH
from core.table import face_table

MASKS = canonical_region_masks()
YY, XX = np.mgrid[0:112, 0:112]


def _crop() -> np.ndarray:
    """A grey face-sized test card (no real face is needed to check the drawing)."""
    grey = (90 + XX // 2).astype(np.uint8)
    return np.dstack([grey, grey, grey])


def _maps(cx: float, cy: float) -> dict[str, np.ndarray]:
    blob = np.exp(-((XX - cx) ** 2 + (YY - cy) ** 2) / (2 * 10.0**2)).astype(np.float32)
    return {m: blob for m in METHODS}


def _decode(png: bytes) -> np.ndarray:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    image = cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_COLOR)
    assert image is not None
    return np.asarray(image[..., ::-1])  # RGB


def _is_red(rgb: np.ndarray) -> bool:
    r, g, b = (int(v) for v in rgb)
    return r > g + 50 and r > b + 50


def _is_blue(rgb: np.ndarray) -> bool:
    r, g, b = (int(v) for v in rgb)
    return b > r + 40 and b > g + 20


def test_overlay_is_red_where_the_map_is_1_and_blue_where_it_is_0() -> None:
    saliency = np.zeros((112, 112), dtype=np.float32)
    saliency[40:60, 40:60] = 1.0
    blended = overlay(_crop(), saliency)
    assert blended.shape == (112, 112, 3) and blended.dtype == np.uint8
    assert _is_red(blended[50, 50]) and _is_blue(blended[5, 5])


def test_the_collage_shows_both_faces_and_every_method_in_a_png_of_the_planned_size() -> None:
    image = _decode(render_collage(_crop(), _crop(), _maps(38, 52), _maps(73, 52), title="A vs B"))
    assert image.shape == (604, 1710, 3)
    # Panels are 224 px with 12 px gaps from x=64, rows start at y=92 and y=328.
    for col in range(1, 6):
        x0 = 64 + col * (224 + 12)
        assert _is_red(image[92 + 104, x0 + 76]), f"face A, {METHODS[col - 1]}: no red at the eye"
        assert _is_red(image[328 + 104, x0 + 146]), f"face B, {METHODS[col - 1]}: no red at the eye"
        assert _is_blue(image[92 + 10, x0 + 10])
    plain = image[92 + 104, 64 + 76]
    assert abs(int(plain[0]) - int(plain[2])) < 10  # the first column is the face alone


def test_the_table_png_colours_level_1_red_and_level_5_blue() -> None:
    maps = {m: MASKS["nose"].astype(np.float32) for m in METHODS}
    image = _decode(render_table_png(face_table(maps, MASKS), title="Face A"))
    assert image.shape == (512, 704, 3)
    nose_row = 1 + REGIONS.index("nose")
    y_nose, y_chin = 60 + nose_row * 34 + 6, 60 + (1 + REGIONS.index("chin")) * 34 + 6
    for col in range(5):
        x = 20 + 150 + col * 66 + 8
        assert _is_red(image[y_nose, x]) and _is_blue(image[y_chin, x])


def test_the_region_picture_tints_each_region() -> None:
    crop = _crop()
    image = _decode(render_regions(crop, MASKS))
    assert image.shape == (490, 448, 3)
    x, y = (int(v) for v in np.argwhere(MASKS["lips"]).mean(axis=0)[::-1] * 4)
    r, g, b = (int(v) for v in image[y + 12, x])  # under the label: the lips' red tint
    assert r > g + 30 and r > b + 30


@pytest.fixture(scope="module")
def table() -> dict[str, dict[str, float]]:
    maps = {m: np.logical_or(MASKS["left eye"], MASKS["right eye"]).astype(np.float32) for m in METHODS}
    return face_table(maps, MASKS)


def test_the_text_table_fits_a_chat_and_states_the_tie(table: dict[str, dict[str, float]]) -> None:
    text = table_text(table)
    print(text)
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= WIDTH <= 60
    assert lines[0].split() == ["Region", *METHODS, "Mean", "1s"]
    assert lines[2 + REGIONS.index("left eye")].split() == ["L", "eye", "1", "1", "1", "1", "1", "1.0", "100%"]
    assert "Most important: left eye, right eye (tie)" in text
    assert "L/R = the person's own left/right." in text


def test_csv_and_json_carry_the_table_exactly(table: dict[str, dict[str, float]]) -> None:
    rows = list(csv.DictReader(io.StringIO(table_csv(table))))
    assert [row["region"] for row in rows] == list(REGIONS)
    for row in rows:
        assert {k: float(v) for k, v in row.items() if k != "region"} == table[row["region"]]
    assert json.loads(table_json(table)) == table


def test_importing_the_render_package_does_not_import_matplotlib() -> None:
    import subprocess
    import sys

    code = "import sys, core.render, core.regions_dense; print('matplotlib' in sys.modules, 'dlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
