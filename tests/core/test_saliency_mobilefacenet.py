"""MinPlus on real LFW faces with the shared MobileFaceNet (skipped without ../shared)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from numpy.typing import NDArray
from PIL import Image

from core.comparison import METHODS
from core.recognizer import OnnxRecognizer
from core.saliency import PROFILES, SaliencyMaps, explain_face, explain_pair, with_changes
from core.saliency.reference import explain_face_plain

# the paper's blob (nh = 71 at 112 px) on a 3 x 3 grid, three greedy steps: quick but complete
SMALL = with_changes(PROFILES["paper"], d=28, tmax=3)


@pytest.fixture(scope="module")
def recognizer(shared_models: Path) -> OnnxRecognizer:
    return OnnxRecognizer.from_file(
        shared_models / "mobilefacenet" / "mobilefacenet_128d.onnx", batch_size=1
    )


@pytest.fixture(scope="module")
def face(lfw_dir: Path) -> dict[str, NDArray[np.uint8]]:
    def crop(name: str, number: int) -> NDArray[np.uint8]:
        path = lfw_dir / "aligned-112" / name / f"{name}_{number:04d}.jpg"
        return np.asarray(Image.open(path).convert("RGB"), dtype=np.uint8)

    return {
        "abel 1": crop("Abel_Pacheco", 1),
        "abel 4": crop("Abel_Pacheco", 4),
        "akhmed 1": crop("Akhmed_Zakayev", 1),
    }


def assert_valid(maps: SaliencyMaps) -> None:
    assert list(maps.maps) == list(METHODS)
    for m in maps.maps.values():
        assert m.shape == (112, 112) and np.isfinite(m).all()
        assert m.min() >= 0.0 and m.max() <= 1.0


@pytest.mark.parametrize("probe, other", [("abel 1", "abel 4"), ("abel 4", "akhmed 1")])
def test_batched_maps_equal_the_plain_one_image_at_a_time_maps(
    recognizer: OnnxRecognizer, face: dict[str, NDArray[np.uint8]], probe: str, other: str
) -> None:
    y = recognizer.embed(face[other][None])[0]
    batched = explain_face(recognizer, face[probe], y, SMALL, seed=3)
    plain = explain_face_plain(recognizer, face[probe], y, SMALL, seed=3)
    assert batched.steps == plain.steps
    assert batched.evaluations == plain.evaluations
    assert batched.score == pytest.approx(plain.score, abs=1e-6)
    for method in ("S0-", "S1-", "S0+", "S1+"):
        np.testing.assert_allclose(
            batched.grid_values[method], plain.grid_values[method], atol=1e-5
        )
    for method in METHODS:
        np.testing.assert_allclose(batched.maps[method], plain.maps[method], atol=1e-4)
    assert_valid(batched)


def test_a_genuine_pair_gets_five_maps_per_face(
    recognizer: OnnxRecognizer, face: dict[str, NDArray[np.uint8]]
) -> None:
    a, b = explain_pair(recognizer, face["abel 1"], face["abel 4"], SMALL)
    assert a.score == pytest.approx(b.score, abs=1e-5) and a.score > 0.3
    for maps in (a, b):
        assert_valid(maps)
        assert maps.maps["AVG"].max() == 1.0  # a real face always has something that matters
    assert not np.allclose(a.maps["AVG"], b.maps["AVG"])  # each face's own map


def test_grey_tiny_and_identical_faces_give_finite_maps(
    recognizer: OnnxRecognizer, face: dict[str, NDArray[np.uint8]]
) -> None:
    grey = np.full((112, 112, 3), 128, dtype=np.uint8)
    tiny = np.asarray(
        Image.fromarray(face["abel 1"])
        .resize((12, 12))
        .resize((112, 112), Image.Resampling.BILINEAR)
    )
    same = face["akhmed 1"]
    for crop_a, crop_b in ((grey, face["abel 1"]), (grey, grey), (tiny, face["abel 4"])):
        for maps in explain_pair(recognizer, crop_a, crop_b, SMALL):
            assert_valid(maps)
    identical = explain_face(recognizer, same, recognizer.embed(same[None])[0], SMALL)
    assert identical.score == pytest.approx(1.0, abs=1e-5)
    assert_valid(identical)
