"""MinPlus saliency with synthetic recognizers: where the maps point, what they cost, bad inputs."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from numpy.typing import NDArray

from core.comparison import METHODS
from core.recognizer import l2_normalise
from core.saliency import (
    PROFILES,
    SaliencyError,
    SaliencyParams,
    explain_face,
    explain_pair,
    params_for,
    saliency_record,
)
from core.saliency.masks import blob_stack, dense_map, gaussian_mask, minmax
from tests.core.saliency_fakes import COLS, ROWS, TINY, PatchRecognizer, textured_face


class BlindRecognizer:
    """Returns the same embedding whatever the image: nothing in the image matters."""

    name, sha256, batch_size = "blind", "0" * 64, 8

    def embed(self, crops: NDArray[Any]) -> NDArray[np.float32]:
        return np.tile(np.array([0.6, 0.8], dtype=np.float32), (len(crops), 1)).astype(np.float32)


class BrokenRecognizer(BlindRecognizer):
    def embed(self, crops: NDArray[Any]) -> NDArray[np.float32]:
        return np.full((len(crops), 2), np.nan, dtype=np.float32)


def test_paper_profile_is_meryss_setting_scaled_to_112_pixels() -> None:
    paper = PROFILES["paper"]
    assert (paper.nh, paper.d, paper.tmax, paper.th) == (71, 7, 20, 0.01)
    assert paper.grid_points == 225  # 15 x 15, as 161 / 16 on 256 px faces
    at_256 = params_for("paper", size=256)
    assert (at_256.nh, at_256.d) == (161, 16) and at_256.grid_points == 225
    interactive = PROFILES["interactive"]
    assert interactive.max_evaluations() < paper.max_evaluations() / 8
    assert set(PROFILES) >= {"paper", "interactive"}


def test_bad_parameters_and_unknown_profiles_are_refused_with_a_reason() -> None:
    with pytest.raises(ValueError, match="odd"):
        SaliencyParams(nh=70, d=7, tmax=20, th=0.01)
    with pytest.raises(ValueError, match="tmax"):
        SaliencyParams(nh=71, d=7, tmax=0, th=0.01)
    with pytest.raises(ValueError, match="interactive, paper"):
        params_for("fastest")


def test_masks_remove_one_gaussian_blob_centred_on_its_grid_point() -> None:
    grid = TINY.grid()
    assert grid[:3].tolist() == [[14, 14], [14, 28], [14, 42]]
    blobs = blob_stack(TINY)
    assert blobs.shape == (49, 112, 112)
    for k in (0, 24, 48):
        row, col = grid[k]
        mask = gaussian_mask(int(row), int(col), TINY)
        np.testing.assert_allclose(1.0 - blobs[k], mask, atol=1e-6)
        assert mask[row, col] == 0.0 and mask.max() == 1.0
        assert np.all(mask[row + 16 :, :] == 1.0)  # outside the 31-pixel window nothing changes


def test_minmax_of_a_constant_map_is_zeros_not_nan() -> None:
    assert not minmax(np.full((5, 5), 0.3)).any()
    assert not dense_map(np.zeros(49), TINY).any()
    assert not dense_map(np.full(49, 1e-9), TINY).any()  # round-off is not evidence
    m = dense_map(np.arange(49.0), TINY)
    assert m.min() == 0.0 and m.max() == 1.0


def test_every_map_points_at_the_only_pixels_the_recognizer_sees() -> None:
    recognizer, face = PatchRecognizer(), textured_face()
    for other in (face, textured_face(seed=5)):  # the same image, and another one
        maps = explain_face(recognizer, face, recognizer.embed(other[None])[0], TINY)
        assert list(maps.maps) == list(METHODS)
        for method, m in maps.maps.items():
            assert m.shape == (112, 112) and m.dtype == np.float32
            row, col = np.unravel_index(int(np.argmax(m)), m.shape)
            assert ROWS.start - 3 <= row < ROWS.stop + 3, (method, row, col)
            assert COLS.start - 3 <= col < COLS.stop + 3, (method, row, col)
            assert m[ROWS, COLS].mean() > 2 * m[90:, :].mean(), method


def test_each_pass_is_one_recognizer_call_and_positions_taken_are_not_tried_again() -> None:
    recognizer, face = PatchRecognizer(), textured_face()
    maps = explain_face(recognizer, face, recognizer.embed(textured_face(3)[None])[0], TINY)
    calls = recognizer.calls[1:]  # the first call was the test's own embedding of the other face
    # original + canvas together, then S1- passes (49, 48, ...), then S1+ passes (49, 48, ...)
    removal, aggregation = maps.steps["S1-"], maps.steps["S1+"]
    assert calls == [2, *range(49, 49 - removal, -1), *range(49, 49 - aggregation, -1)]
    assert maps.evaluations == sum(calls)
    assert maps.evaluations <= TINY.max_evaluations()
    # S0 maps come from the first greedy pass, S1 values only where a step took a blob
    assert np.count_nonzero(maps.grid_values["S1-"]) == removal
    # a blob changes the score exactly when its 31-pixel window overlaps the patch
    grid = TINY.grid()
    overlaps = (np.abs(grid[:, 0] - 51.5) <= 15 + 5.5) & (np.abs(grid[:, 1] - 37.5) <= 15 + 5.5)
    for method in ("S0-", "S0+"):
        np.testing.assert_array_equal(maps.grid_values[method] != 0, overlaps)


def test_removal_stops_once_the_score_is_at_th_or_below() -> None:
    recognizer, face = PatchRecognizer(), textured_face()
    other = recognizer.embed(textured_face(7)[None])[0]
    high = explain_face(recognizer, face, other, TINY)
    stop_at_once = SaliencyParams(nh=31, d=14, tmax=3, th=high.score + 0.5)
    early = explain_face(recognizer, face, other, stop_at_once)
    assert early.steps == {"S1-": 1, "S1+": 1}  # both strategies are satisfied after S0
    np.testing.assert_array_equal(early.grid_values["S0-"], high.grid_values["S0-"])


def test_progress_is_reported_after_every_pass_and_ends_at_the_total() -> None:
    recognizer, face = PatchRecognizer(), textured_face()
    calls: list[tuple[str, int, int]] = []
    a, b = explain_pair(
        recognizer, face, textured_face(2), TINY, progress=lambda s, d, t: calls.append((s, d, t))
    )
    assert {s for s, _, _ in calls} == {"saliency"}
    assert all(t == 12 for _, _, t in calls)  # 2 faces x 2 strategies x tmax 3
    done = [d for _, d, _ in calls]
    assert done == sorted(done) and done[0] == 0 and done[-1] == 12
    passes = sum(m.steps["S1-"] + m.steps["S1+"] for m in (a, b))
    assert len(set(done)) >= passes
    record = saliency_record(TINY, (a, b))
    assert record["nh"] == 31 and record["evaluations"] == {"A": a.evaluations, "B": b.evaluations}


def test_the_seed_fixes_the_noise_canvas_and_so_the_maps() -> None:
    recognizer, face = PatchRecognizer(), textured_face()
    other = recognizer.embed(textured_face(4)[None])[0]
    first, again = (explain_face(recognizer, face, other, TINY, seed=11) for _ in range(2))
    other_seed = explain_face(recognizer, face, other, TINY, seed=12)
    for method in METHODS:
        np.testing.assert_array_equal(first.maps[method], again.maps[method])
    assert not np.array_equal(first.grid_values["S0+"], other_seed.grid_values["S0+"])
    np.testing.assert_array_equal(first.grid_values["S0-"], other_seed.grid_values["S0-"])


def test_a_recognizer_that_ignores_the_image_gives_all_zero_maps() -> None:
    maps = explain_face(
        BlindRecognizer(), textured_face(), np.array([0.6, 0.8], dtype=np.float32), TINY
    )
    for m in maps.maps.values():
        assert np.isfinite(m).all() and not m.any()


def test_bad_crops_and_broken_recognizers_raise_a_friendly_error() -> None:
    with pytest.raises(SaliencyError, match="112x112x3"):
        explain_face(
            BlindRecognizer(), np.zeros((100, 100, 3)), np.array([0.6, 0.8], dtype=np.float32), TINY
        )
    with pytest.raises(SaliencyError) as caught:
        explain_face(
            BrokenRecognizer(), textured_face(), np.array([0.6, 0.8], dtype=np.float32), TINY
        )
    assert "heatmaps" in caught.value.user_message



class RightEyeRecognizer(PatchRecognizer):
    """Sees only the bounding box of the canonical "right eye" region."""

    def __init__(self) -> None:
        from core.regions import canonical_region_masks

        rows, cols = np.nonzero(canonical_region_masks()["right eye"])
        self.box = (slice(rows.min(), rows.max() + 1), slice(cols.min(), cols.max() + 1))
        rng = np.random.default_rng(1)
        pixels = (self.box[0].stop - self.box[0].start) * (self.box[1].stop - self.box[1].start)
        self.weights = rng.normal(size=(pixels * 3, 16))
        self.bias = 3.0 * rng.normal(size=16)
        self.calls = []

    def embed(self, crops: NDArray[Any]) -> NDArray[np.float32]:
        x = np.asarray(crops, dtype=np.float64)
        patch = x[:, self.box[0], self.box[1], :].reshape(len(x), -1) / 255.0
        return l2_normalise(patch @ self.weights + self.bias)


def test_the_table_rates_the_region_holding_the_only_seen_pixels_1_in_every_method() -> None:
    """With the chat's profile; a region's level is the level most of its pixels have, so the
    maps must cover the region, not a few pixels of it."""
    from core.regions import canonical_region_masks
    from core.table import face_table

    recognizer, face = RightEyeRecognizer(), textured_face()
    target = recognizer.embed(textured_face(seed=5)[None])[0]
    maps = explain_face(recognizer, face, target, PROFILES["interactive"])
    table = face_table(maps.maps, canonical_region_masks())
    assert all(table["right eye"][method] == 1 for method in METHODS), table["right eye"]
    far = ("left eye", "left cheek", "chin", "lips")
    assert all(table[region][method] == 5 for region in far for method in METHODS)
