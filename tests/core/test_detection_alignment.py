"""SCRFD detection and ArcFace alignment on real LFW photos."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from core.align import ARCFACE_TEMPLATE, align_face, similarity_transform
from core.errors import NoFaceFound
from core.faces import pick_face
from core.image_input import decode_image
from core.scrfd import ScrfdDetector
from tests.conftest import lfw_image


@pytest.fixture(scope="module")
def scrfd(shared_models: Path) -> ScrfdDetector:
    return ScrfdDetector.from_file(shared_models / "scrfd" / "det_500m.onnx")


def photo(name: str, number: int) -> np.ndarray:
    return decode_image(lfw_image(name, number).read_bytes())


def test_one_centred_face_with_ordered_landmarks(scrfd: ScrfdDetector, lfw_dir: Path) -> None:
    faces = scrfd.detect(photo("Aaron_Eckhart", 1))
    assert len(faces) >= 1
    face = pick_face(faces, (250, 250, 3), "centre").face
    x1, y1, x2, y2 = face.box
    assert 60 < (x1 + x2) / 2 < 190 and 60 < (y1 + y2) / 2 < 190
    left_eye, right_eye, nose, mouth_l, mouth_r = face.landmarks
    assert left_eye[0] < right_eye[0] and mouth_l[0] < mouth_r[0]
    assert left_eye[1] < nose[1] < mouth_l[1]
    assert face.score > 0.5


def test_a_large_photo_is_detected_at_a_fitting_input_size(scrfd: ScrfdDetector, lfw_dir: Path) -> None:
    import cv2

    small = photo("Aaron_Eckhart", 1)
    big = cv2.resize(small, (1500, 1500), interpolation=cv2.INTER_CUBIC)
    f_small = pick_face(scrfd.detect(small), small.shape).face
    f_big = pick_face(scrfd.detect(big), big.shape).face
    assert np.abs(f_big.landmarks / 6.0 - f_small.landmarks).max() < 4.0


def test_two_faces_side_by_side_are_both_found_and_the_largest_is_picked(scrfd: ScrfdDetector, lfw_dir: Path) -> None:
    import cv2

    left = photo("Aaron_Eckhart", 1)
    right = cv2.resize(photo("Colin_Powell", 1), (180, 180))
    canvas = np.zeros((250, 450, 3), np.uint8)
    canvas[:, :250] = left
    canvas[35:215, 260:440] = right
    faces = scrfd.detect(canvas)
    picked = pick_face(faces, canvas.shape, "largest")
    assert picked.faces_found == 2
    assert picked.face.centre[0] < 250


def test_a_blank_image_has_no_face(scrfd: ScrfdDetector) -> None:
    blank = np.full((300, 300, 3), 128, np.uint8)
    assert scrfd.detect(blank) == []
    with pytest.raises(NoFaceFound) as err:
        pick_face([], blank.shape)
    assert "could not find a face" in err.value.user_message


def test_similarity_transform_recovers_a_known_rotation_scale_and_shift() -> None:
    angle, scale, shift = 0.3, 1.7, np.array([12.0, -4.0])
    rot = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    src = ARCFACE_TEMPLATE.astype(np.float64)
    dst = (scale * rot @ src.T).T + shift
    matrix = similarity_transform(src, dst)
    assert np.allclose(matrix[:, :2], scale * rot, atol=1e-9)
    assert np.allclose(matrix[:, 2], shift, atol=1e-9)


def test_alignment_puts_the_detected_landmarks_on_the_template(scrfd: ScrfdDetector, lfw_dir: Path) -> None:
    image = photo("Colin_Powell", 2)
    face = pick_face(scrfd.detect(image), image.shape, "centre").face
    crop = align_face(image, face.landmarks)
    assert crop.shape == (112, 112, 3) and crop.dtype == np.uint8
    again = pick_face(scrfd.detect(np.pad(crop, ((40, 40), (40, 40), (0, 0)))), (192, 192)).face
    assert np.abs(again.landmarks - 40 - ARCFACE_TEMPLATE).mean() < 3.0
