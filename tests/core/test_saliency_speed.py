"""MinPlus made cheaper without changing its maps: near-ties, skipped blobs, two faces at once;
and what is not exact (lazy greedy) or extra (a second noise seed) is visible in the result."""

from __future__ import annotations

import threading
from typing import Any

import numpy as np
from numpy.typing import NDArray

from core.regions import canonical_region_masks
from core.saliency import explain_face, explain_pair, saliency_record, with_changes
from core.saliency.greedy import TIE, pick
from core.saliency.reference import explain_face_plain
from tests.core.saliency_fakes import COLS, ROWS, TINY, PatchRecognizer, textured_face


def test_near_ties_go_to_the_lowest_grid_index_and_real_gaps_to_the_best() -> None:
    tied = np.array([0.5, 0.3 + TIE / 10, 0.3, 0.7])
    assert pick(tied, lower=True) == 1  # 0.3 + 1e-6 and 0.3 are a tie: the first of them
    assert pick(-tied, lower=False) == 1
    assert pick(np.array([0.5, 0.301, 0.3]), lower=True) == 2  # 1e-3 is a real difference


def test_blobs_that_change_no_pixel_are_not_evaluated_and_the_maps_are_the_plain_ones() -> None:
    recognizer = PatchRecognizer()
    face = np.zeros((112, 112, 3), np.float32)
    face[ROWS, COLS] = textured_face()[ROWS, COLS]  # black everywhere but the eye patch
    other = recognizer.embed(textured_face(3)[None])[0]
    fast = explain_face(recognizer, face, other, TINY)
    plain = explain_face_plain(recognizer, face, other, TINY)
    assert fast.skipped > 0 and fast.evaluations == plain.evaluations - fast.skipped
    assert fast.steps == plain.steps
    for method, values in plain.grid_values.items():
        np.testing.assert_allclose(fast.grid_values[method], values, atol=1e-6)


class ThreadNoting(PatchRecognizer):
    concurrency = 2

    def __init__(self) -> None:
        super().__init__()
        self.threads: set[str] = set()

    def embed(self, crops: NDArray[Any]) -> NDArray[np.float32]:
        self.threads.add(threading.current_thread().name)
        return super().embed(crops)


def test_the_two_faces_run_on_two_threads_and_give_the_maps_of_one_after_the_other() -> None:
    a, b = textured_face(1), textured_face(2)
    together = ThreadNoting()
    progress: list[int] = []
    at_once = explain_pair(together, a, b, TINY, progress=lambda s, d, t: progress.append(d))
    in_turn = explain_pair(PatchRecognizer(), a, b, TINY, parallel=1)
    assert len({t for t in together.threads if t.startswith("saliency")}) == 2
    assert progress == sorted(progress) and progress[-1] == 12
    for fast, slow in zip(at_once, in_turn, strict=True):
        assert fast.evaluations == slow.evaluations and fast.steps == slow.steps
        for method, m in slow.maps.items():
            np.testing.assert_array_equal(fast.maps[method], m)


def test_lazy_greedy_keeps_the_single_blob_maps_and_spends_fewer_evaluations() -> None:
    recognizer, face = PatchRecognizer(), textured_face()
    other = recognizer.embed(textured_face(3)[None])[0]
    longer = with_changes(TINY, tmax=6, th=0.0)
    exhaustive = explain_face(recognizer, face, other, longer)
    lazy = explain_face(recognizer, face, other, with_changes(longer, lazy=4))
    assert lazy.evaluations < exhaustive.evaluations / 2
    for method in ("S0-", "S0+"):
        np.testing.assert_array_equal(lazy.grid_values[method], exhaustive.grid_values[method])


def test_a_second_noise_seed_gives_a_stability_figure_per_map_that_the_qa_engine_can_read() -> None:
    recognizer, a, b = PatchRecognizer(), textured_face(1), textured_face(2)
    params = with_changes(TINY, stability=True)
    maps = explain_pair(recognizer, a, b, params, seed=4)
    plain = explain_pair(recognizer, a, b, TINY, seed=4)
    assert maps[0].evaluations > plain[0].evaluations  # the aggregation ran twice
    masks = canonical_region_masks()
    record = saliency_record(params, maps, (masks, masks), seed=4)
    stability = record["seed_stability"]
    assert stability["seeds"] == [4, 5]
    assert set(stability["A"]) == {"S0+", "S1+", "AVG"}  # S0-, S1- never see the noise
    for side in "AB":
        for method, figure in stability[side].items():
            assert figure["top_region"] in masks and figure["top_region_other_seed"] in masks
            assert figure["same_top_region"] == (figure["top_region"] == figure["top_region_other_seed"])
            assert figure["pearson"] is None or -1.0 <= figure["pearson"] <= 1.0
            assert (f"{side} {method}" in stability["unstable"]) != figure["same_top_region"]
    # the patch is the right eye: with either seed the S0+ map puts it first
    assert stability["A"]["S0+"]["same_top_region"]
    assert "seed_stability" not in saliency_record(TINY, plain, (masks, masks))


def test_paper_lazy_is_the_paper_grid_and_blob_with_lazy_passes_and_the_seed_figure() -> None:
    from core.saliency import PROFILES

    paper, lazy = PROFILES["paper"], PROFILES["paper-lazy"]
    assert (lazy.nh, lazy.d, lazy.tmax, lazy.th) == (paper.nh, paper.d, paper.tmax, paper.th)
    assert lazy.lazy == 8 and lazy.stability and not paper.lazy and not paper.stability
    assert lazy.max_evaluations() > paper.max_evaluations()  # the bound counts the second seed
