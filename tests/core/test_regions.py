"""The canonical facial regions on the ArcFace 112x112 template.

Left/right are the subject's own: the person's left eye appears on the viewer's right.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from core.align import ARCFACE_TEMPLATE
from core.comparison import REGIONS
from core.errors import ModelNotFound
from core.regions import (
    MEAN_SHAPE_68,
    CanonicalRegions,
    canonical_region_masks,
    masks_from_landmarks68,
)
from core.regions_dense import DenseLandmarkRegions, DlibLandmarks


def _contains(mask: np.ndarray, point: np.ndarray) -> bool:
    x, y = (int(round(v)) for v in point)
    return bool(mask[y, x])


def test_the_nine_regions_are_non_empty_disjoint_and_fill_the_crop_grid() -> None:
    masks = canonical_region_masks()
    assert list(masks) == list(REGIONS)
    for name, mask in masks.items():
        assert mask.shape == (112, 112) and mask.dtype == bool
        assert mask.sum() > 100, f"{name} has only {mask.sum()} pixels"
    for a, b in itertools.combinations(REGIONS, 2):
        assert not (masks[a] & masks[b]).any(), f"{a} overlaps {b}"
    covered = np.logical_or.reduce(list(masks.values()))
    # The regions cover the inner face, roughly a third of the crop, not the background corners.
    assert 0.25 < covered.mean() < 0.6
    assert not covered[:20, :].any() and not covered[:, :10].any() and not covered[:, -10:].any()


def test_the_subjects_left_eye_is_on_the_viewers_right() -> None:
    # The template's points in image order: image-left eye (the subject's RIGHT eye), image-right
    # eye (the subject's LEFT eye), nose tip, image-left and image-right mouth corners.
    masks = canonical_region_masks()
    image_left_eye, image_right_eye, nose_tip, mouth_left, mouth_right = ARCFACE_TEMPLATE.astype(float)
    assert _contains(masks["left eye"], image_right_eye)
    assert _contains(masks["right eye"], image_left_eye)
    assert _contains(masks["nose"], nose_tip)
    assert _contains(masks["lips"], (mouth_left + mouth_right) / 2)
    for side, image_half in (("left", slice(56, None)), ("right", slice(None, 56))):
        for part in ("eyebrow", "eye", "cheek"):
            mask = masks[f"{side} {part}"]
            assert mask[:, image_half].sum() > 0.95 * mask.sum(), f"{side} {part} is on the wrong side"


def test_regions_sit_in_anatomical_order_from_top_to_bottom() -> None:
    masks = canonical_region_masks()
    row = {name: float(np.nonzero(mask)[0].mean()) for name, mask in masks.items()}
    assert row["left eyebrow"] < row["left eye"] < row["nose"] < row["lips"] < row["chin"]
    assert row["left eye"] < row["left cheek"] < row["chin"]


def test_the_canonical_source_gives_the_template_map_for_any_crop() -> None:
    masks = CanonicalRegions().masks(np.zeros((112, 112, 3), np.uint8))
    assert all((masks[r] == canonical_region_masks()[r]).all() for r in REGIONS)


def test_masks_scale_with_the_crop_size() -> None:
    small, large = canonical_region_masks(112), canonical_region_masks(224)
    for name in REGIONS:
        assert large[name].shape == (224, 224)
        assert large[name].sum() / small[name].sum() == pytest.approx(4.0, rel=0.1)


def test_landmarks_partly_outside_the_crop_give_clipped_disjoint_masks() -> None:
    shifted = MEAN_SHAPE_68 + np.array([0.0, 25.0])  # the chin and jaw fall below the crop
    masks = masks_from_landmarks68(shifted)
    assert all(mask.shape == (112, 112) for mask in masks.values())
    assert sum(int(m.sum()) for m in masks.values()) == int(np.logical_or.reduce(list(masks.values())).sum())
    assert masks["chin"].sum() < canonical_region_masks()["chin"].sum()


def test_bad_landmarks_are_rejected() -> None:
    with pytest.raises(ValueError, match="68 finite"):
        masks_from_landmarks68(np.zeros((5, 2)))
    with pytest.raises(ValueError, match="68 finite"):
        masks_from_landmarks68(np.full((68, 2), np.nan))


class _FixedLandmarks:
    """A landmark model that always answers the same 68 points (for the fallback rule)."""

    name = "fixed"

    def __init__(self, points: np.ndarray) -> None:
        self.points = points

    def landmarks68(self, crop: np.ndarray) -> np.ndarray:
        return self.points


def test_dense_regions_from_the_mean_shape_are_the_canonical_map() -> None:
    fit = DenseLandmarkRegions(_FixedLandmarks(MEAN_SHAPE_68)).fit(np.zeros((112, 112, 3), np.uint8))
    assert not fit.used_canonical
    assert all((fit.masks[r] == canonical_region_masks()[r]).all() for r in REGIONS)


def test_a_collapsed_landmark_fit_falls_back_to_the_canonical_map() -> None:
    squashed = MEAN_SHAPE_68.mean(axis=0) + 0.2 * (MEAN_SHAPE_68 - MEAN_SHAPE_68.mean(axis=0))
    fit = DenseLandmarkRegions(_FixedLandmarks(squashed)).fit(np.zeros((112, 112, 3), np.uint8))
    assert fit.used_canonical
    assert all((fit.masks[r] == canonical_region_masks()[r]).all() for r in REGIONS)


@pytest.fixture(scope="module")
def dlib_regions() -> DenseLandmarkRegions:
    pytest.importorskip("dlib", reason="dlib is not installed (optional: pip install dlib-bin)")
    try:
        return DenseLandmarkRegions(DlibLandmarks())
    except ModelNotFound as exc:
        pytest.skip(f"the 68-point model is not available: {exc}")


def _aligned_crops(lfw_dir: Path, stems: list[str]) -> list[np.ndarray]:
    paths = [lfw_dir / "aligned-112" / s.rsplit("_", 1)[0] / f"{s}.jpg" for s in stems]
    if not all(p.is_file() for p in paths):
        pytest.skip("../shared/data/lfw/aligned-112 is not present")
    return [np.asarray(Image.open(p).convert("RGB")) for p in paths]


# Near-frontal crops (nose tip within 0.08 inter-ocular distances of the eye midpoint).
FRONTAL = ["Aaron_Eckhart_0001", "Gwyneth_Paltrow_0001", "Serena_Williams_0001",
           "Colin_Powell_0040", "Tony_Blair_0018", "Laura_Bush_0021"]


def test_dlib_landmarks_land_on_the_template_and_agree_with_the_canonical_map(
    dlib_regions: DenseLandmarkRegions, lfw_dir: Path
) -> None:
    canonical = canonical_region_masks()
    ious = []
    for crop in _aligned_crops(lfw_dir, FRONTAL):
        fit = dlib_regions.fit(crop)
        assert fit.landmarks.shape == (68, 2) and not fit.used_canonical
        eyes = np.array([fit.landmarks[36:42].mean(axis=0), fit.landmarks[42:48].mean(axis=0)])
        assert np.linalg.norm(eyes - ARCFACE_TEMPLATE[:2], axis=1).max() < 6.0
        assert _contains(fit.masks["left eye"], eyes[1]) and _contains(fit.masks["right eye"], eyes[0])
        for a, b in itertools.combinations(REGIONS, 2):
            assert not (fit.masks[a] & fit.masks[b]).any()
        ious.append([(fit.masks[r] & canonical[r]).sum() / (fit.masks[r] | canonical[r]).sum()
                     for r in REGIONS])
    per_region = np.mean(ious, axis=0)
    print(dict(zip(REGIONS, per_region.round(2), strict=True)))
    assert per_region.min() > 0.4 and per_region.mean() > 0.6


def test_mirroring_the_face_swaps_the_subjects_left_and_right(
    dlib_regions: DenseLandmarkRegions, lfw_dir: Path
) -> None:
    (crop,) = _aligned_crops(lfw_dir, FRONTAL[:1])
    masks, mirrored = dlib_regions.masks(crop), dlib_regions.masks(crop[:, ::-1].copy())
    for part in ("eyebrow", "eye", "cheek"):
        a, b = masks[f"left {part}"], mirrored[f"right {part}"][:, ::-1]
        assert (a & b).sum() / (a | b).sum() > 0.6, part


def test_a_missing_model_file_is_named_in_the_error(tmp_path: Path) -> None:
    pytest.importorskip("dlib", reason="dlib is not installed (optional: pip install dlib-bin)")
    with pytest.raises(ModelNotFound, match="shape_predictor_68_face_landmarks.dat was not found"):
        DlibLandmarks(tmp_path / "shape_predictor_68_face_landmarks.dat")
