"""Deletion and insertion curves on a recognizer that sees only known pixels; AUC arithmetic;
explanation statistics (region levels, method agreement)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from numpy.typing import NDArray

from core.comparison import METHODS, REGIONS
from core.eval.faithfulness import (
    RANDOM,
    FaithfulnessParams,
    anchored,
    auc,
    curve_summary,
    face_curves,
    method_agreement,
    normalised,
    pixel_ranks,
    region_level_stats,
    spread,
    top_region,
)
from core.recognizer import l2_normalise
from core.table import MEAN, RATIO

ROWS, COLS = slice(46, 58), slice(32, 44)  # the only pixels the recognizer looks at


class PatchRecognizer:
    """The embedding is the (centred) patch itself: replacing any patch pixel lowers the
    score against the original, and nothing outside the patch matters. Records its calls."""

    name, sha256, batch_size = "patch", "0" * 64, 64

    def __init__(self) -> None:
        self.calls: list[int] = []

    def embed(self, crops: NDArray[Any]) -> NDArray[np.float32]:
        x = np.asarray(crops, dtype=np.float64)
        self.calls.append(len(x))
        return l2_normalise(x[:, ROWS, COLS, :].reshape(len(x), -1) / 255.0 - 0.5)


def textured_face(seed: int = 0) -> NDArray[np.float32]:
    import cv2

    noise = np.random.default_rng(seed).uniform(0, 255, (112, 112, 3))
    smooth = cv2.GaussianBlur(noise, (0, 0), 1.5)
    return np.asarray((smooth - smooth.min()) / np.ptp(smooth) * 255, dtype=np.float32)


def patch_map(inverted: bool = False) -> NDArray[np.float32]:
    """A smooth map peaking on the patch (or its inverse: the patch least important)."""
    rr, cc = np.mgrid[0:112, 0:112]
    m = np.exp(-((rr - 51.5) ** 2 + (cc - 37.5) ** 2) / (2 * 10.0**2)).astype(np.float32)
    return 1.0 - m if inverted else m


def curves_for(recognizer: PatchRecognizer, face: NDArray[np.float32], params: FaithfulnessParams, seed: int = 0):  # type: ignore[no-untyped-def]
    maps = {m: patch_map() for m in METHODS if m != "S1+"} | {"S1+": patch_map(inverted=True)}
    return face_curves(recognizer, face, recognizer.embed(face[None])[0], maps, params, seed=seed)


@pytest.mark.parametrize("baseline", ["blur", "grey"])
def test_a_map_on_the_pixels_that_matter_deletes_faster_and_inserts_faster_than_random(baseline: str) -> None:
    recognizer, face = PatchRecognizer(), textured_face()
    params = FaithfulnessParams(baseline=baseline)  # type: ignore[arg-type]
    c = curves_for(recognizer, face, params)
    x = c.fractions
    assert len(x) == 21 and x[1] == pytest.approx(0.05)
    assert c.full == pytest.approx(1.0, abs=1e-5) and c.empty < 0.9
    good, bad, rand = "S0-", "S1+", RANDOM
    # The patch (144 of 12,544 pixels) is gone after the first 5% step when the map points at it.
    assert c.deletion[good][1] == pytest.approx(c.empty, abs=1e-5)
    assert c.insertion[good][1] == pytest.approx(c.full, abs=1e-5)
    d = {k: auc(x, normalised(c.deletion[k], c.full)) for k in (good, bad, rand)}
    i = {k: auc(x, normalised(c.insertion[k], c.full)) for k in (good, bad, rand)}
    assert d[good] < d[rand] < d[bad]  # inverted map: the patch goes last
    assert i[good] > i[rand] > i[bad]
    # Curves start and end at the unperturbed and neutral scores, every order alike.
    for k in (*METHODS, RANDOM):
        assert c.deletion[k][0] == c.full and c.deletion[k][-1] == c.empty
        assert c.insertion[k][0] == c.empty and c.insertion[k][-1] == c.full


def test_curves_survive_a_round_trip_through_json() -> None:
    import json

    from core.eval.faithfulness import FaceCurves

    c = curves_for(PatchRecognizer(), textured_face(), FaithfulnessParams(step=0.25, random_orders=1))
    back = FaceCurves.from_dict(json.loads(json.dumps(c.to_dict())))
    assert (back.full, back.empty, back.evaluations) == (c.full, c.empty, c.evaluations)
    np.testing.assert_array_equal(back.fractions, c.fractions)
    for k in (*METHODS, RANDOM):
        np.testing.assert_array_equal(back.deletion[k], c.deletion[k])
        np.testing.assert_array_equal(back.insertion[k], c.insertion[k])


def test_every_curve_of_a_face_goes_to_the_recognizer_in_one_call() -> None:
    recognizer, face = PatchRecognizer(), textured_face()
    recognizer.calls.clear()
    c = face_curves(recognizer, face, np.ones(432), {m: patch_map() for m in METHODS},
                    FaithfulnessParams(step=0.1, random_orders=2))
    # original + neutral + (5 maps + 2 random orders) x 2 curves x 9 inner points
    assert recognizer.calls == [2 + 7 * 2 * 9] and c.evaluations == 128


def test_curves_are_reproducible_with_a_seed_and_random_orders_differ_between_seeds() -> None:
    recognizer, face = PatchRecognizer(), textured_face()
    params = FaithfulnessParams(random_orders=1)
    a, b, other = (curves_for(recognizer, face, params, seed=s) for s in (7, 7, 8))
    np.testing.assert_array_equal(a.deletion[RANDOM], b.deletion[RANDOM])
    assert not np.array_equal(a.deletion[RANDOM], other.deletion[RANDOM])


def test_auc_by_the_trapezoidal_rule_on_hand_computed_curves() -> None:
    assert auc([0, 0.5, 1], [1, 0.5, 0]) == pytest.approx(0.5)
    # (1 + 0.2) / 2 * 0.5 + (0.2 + 0.1) / 2 * 0.5 = 0.3 + 0.075
    assert auc([0, 0.5, 1], [1, 0.2, 0.1]) == pytest.approx(0.375)
    # uneven steps: 0.25 * 1 + 0.75 * (1 + 0) / 2
    assert auc([0, 0.25, 1], [1, 1, 0]) == pytest.approx(0.625)
    curve = np.array([0.8, 0.4, 0.2])
    np.testing.assert_allclose(normalised(curve, 0.8), [1.0, 0.5, 0.25])
    np.testing.assert_allclose(anchored(curve, 0.2), [0.6, 0.2, 0.0])


def test_steps_and_bad_parameters() -> None:
    assert len(FaithfulnessParams(step=0.1).fractions()) == 11
    assert len(FaithfulnessParams(step=0.3).fractions()) == 5  # ceil(1 / 0.3) = 4 equal steps
    for bad in ({"step": 0.0}, {"step": 0.6}, {"random_orders": 0}, {"blur_sigma": 0.0}):
        with pytest.raises(ValueError):
            FaithfulnessParams(**bad)  # type: ignore[arg-type]


def test_pixel_order_puts_the_most_salient_first_and_breaks_ties_at_random() -> None:
    saliency = np.zeros((4, 4))
    saliency[1, 2], saliency[3, 0] = 1.0, 0.5
    ranks = pixel_ranks(saliency, (4, 4), np.random.default_rng(0))
    assert ranks[1, 2] == 0 and ranks[3, 0] == 1
    assert sorted(ranks.ravel().tolist()) == list(range(16))
    other = pixel_ranks(saliency, (4, 4), np.random.default_rng(1))
    assert other[1, 2] == 0 and not np.array_equal(ranks, other)  # the 14 ties shuffle


def test_summary_says_the_patch_map_beats_random_on_every_face() -> None:
    recognizer = PatchRecognizer()
    params = FaithfulnessParams(step=0.1, random_orders=2)
    pairs = [(curves_for(recognizer, textured_face(s), params, seed=s),
              curves_for(recognizer, textured_face(s + 10), params, seed=s)) for s in range(3)]
    summary = curve_summary(pairs, "normalised")
    assert summary["faces"] == 6 and len(summary["fractions"]) == 11
    assert summary["deletion"]["S0-"]["beats_random_share"] == 1.0
    assert summary["insertion"]["AVG"]["beats_random_share"] == 1.0
    assert summary["deletion"]["S1+"]["beats_random_share"] == 0.0  # the inverted map
    diff = summary["deletion"]["S0-"]["minus_random"]
    assert diff["ci95_high"] < 0 and diff["pairs"] == 3
    assert summary["deletion"][RANDOM]["mean_curve"][0] == pytest.approx(1.0)


def test_spread_bootstraps_whole_pairs() -> None:
    s = spread(np.array([[1.0, 3.0], [2.0, 2.0], [5.0, 5.0]]))
    assert s["mean"] == pytest.approx(3.0) and s["std"] == pytest.approx(np.std([1, 3, 2, 2, 5, 5]))
    assert s["pairs"] == 3 and 2.0 <= s["ci95_low"] <= 3.0 <= s["ci95_high"] <= 5.0


def table(levels: dict[str, list[float]]) -> dict[str, dict[str, float]]:
    rows = {}
    for region, values in levels.items():
        row = dict(zip(METHODS, values, strict=True))
        row[MEAN] = float(np.mean(values))
        row[RATIO] = sum(v == 1 for v in values) / len(values)
        rows[region] = row
    return rows


def test_region_level_distribution_over_faces() -> None:
    base = {r: [3.0] * 5 for r in REGIONS}
    faces = [table(base | {"nose": [1, 1, 1, 2, 1]}), table(base | {"nose": [1, 3, 1, 4, 1]})]
    stats = region_level_stats(faces)
    nose = stats["nose"]
    assert nose["S0-"]["mean"] == 1.0 and nose["S0-"]["level_counts"] == [2, 0, 0, 0, 0]
    assert nose["S1+"]["mean"] == 3.0 and nose["S1+"]["std"] == 1.0
    assert nose["S1+"]["q25"] == 2.5 and nose["S1+"]["median"] == 3.0 and nose["S1+"]["q75"] == 3.5
    assert nose[RATIO]["mean"] == pytest.approx(0.7)  # (4/5 + 3/5) / 2
    assert stats["chin"][MEAN]["mean"] == 3.0 and "level_counts" not in stats["chin"][MEAN]


def test_methods_that_rank_regions_alike_agree_and_reversed_ones_anti_correlate() -> None:
    ascending = list(np.linspace(0.1, 0.9, len(REGIONS)))
    faces = [{"S0-": ascending, "S1-": ascending, "S0+": ascending[::-1], "S1+": [0.0] * 9,
              "AVG": ascending} for _ in range(3)]
    agreement = method_agreement(faces)
    i = {m: k for k, m in enumerate(METHODS)}
    same, rho = agreement["same_top_region"], agreement["spearman"]
    assert same[i["S0-"]][i["S1-"]] == 1.0 and same[i["S0-"]][i["S0+"]] == 0.0
    assert rho[i["S0-"]][i["S1-"]] == pytest.approx(1.0) and rho[i["S0-"]][i["S0+"]] == pytest.approx(-1.0)
    assert same[i["S0-"]][i["S1+"]] is None and rho[i["S1+"]][i["AVG"]] is None  # a flat map ranks nothing
    assert agreement["top_region_share"]["S0-"]["lips"] == 1.0  # the last region has the largest value
    assert top_region([0.2] * 9) is None



def test_spearman_on_a_hand_computed_example_with_ties() -> None:
    from core.eval.faithfulness import spearman

    # ranks (ties share their mean): x -> 0, 1.5, 1.5, 3 and y -> 0, 2, 1, 3;
    # Pearson of the ranks = 4.5 / sqrt(4.5 * 5)
    assert spearman([1, 2, 2, 3], [1, 3, 2, 4]) == pytest.approx(4.5 / np.sqrt(22.5))
    assert spearman([1, 2, 3, 4], [9, 7, 5, 0]) == pytest.approx(-1.0)
    assert np.isnan(spearman([1.0] * 9, list(range(9))))
