"""MTCNN on real LFW photos: the centred face, its landmarks, blanks, two faces, missing weights."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest
from numpy.typing import NDArray

from core.errors import ModelNotFound
from core.faces import Face, pick_face
from core.mtcnn import MtcnnDetector
from core.mtcnn.boxes import drop_nested, pyramid_sizes, square
from tests.conftest import MODELS, lfw_image

needs_mtcnn = pytest.mark.skipif(
    not (MODELS / "mtcnn" / "onet.pt").is_file(),
    reason="../shared/models/mtcnn (P/R/O-Net weights) is not present next to the checkout",
)
PEOPLE = [("Aaron_Eckhart", 1), ("Serena_Williams", 1), ("Colin_Powell", 1), ("George_W_Bush", 434)]


def load_rgb(path: Path) -> NDArray[np.uint8]:
    bgr = cv2.imread(str(path))
    if bgr is None:
        pytest.skip(f"{path} is not present")
    return np.asarray(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB), dtype=np.uint8)


@pytest.fixture(scope="module")
def mtcnn() -> MtcnnDetector:
    if not (MODELS / "mtcnn" / "onet.pt").is_file():
        pytest.skip("../shared/models/mtcnn is not present next to the checkout")
    return MtcnnDetector.from_dir(MODELS / "mtcnn")


def assert_plausible_face(face: Face) -> None:
    (lex, ley), (rex, rey), (nx, ny), (lmx, lmy), (rmx, rmy) = face.landmarks.tolist()
    x1, y1, x2, y2 = face.box
    assert lex < nx < rex and lmx < rmx, "image-left eye and mouth corner come first"
    assert max(ley, rey) < ny < min(lmy, rmy), "eyes above the nose above the mouth"
    for x, y in ((lex, ley), (rex, rey)):
        assert x1 < x < x2 and y1 < y < y2, "eyes inside the box"
    assert face.landmarks.shape == (5, 2) and face.landmarks.dtype == np.float32


@needs_mtcnn
@pytest.mark.parametrize(("person", "number"), PEOPLE)
def test_finds_the_centred_lfw_face_with_plausible_landmarks(
    mtcnn: MtcnnDetector, person: str, number: int
) -> None:
    image = load_rgb(lfw_image(person, number))
    faces = mtcnn.detect(image)
    face = pick_face(faces, image.shape, "centre").face
    cx, cy = face.centre
    assert abs(cx - 125) < 25 and abs(cy - 125) < 30, "LFW centres the labelled face"
    assert 60 < face.box[2] - face.box[0] < 160, "a face fills a good part of the 250 px frame"
    assert face.score > 0.95
    assert_plausible_face(face)
    assert faces == sorted(faces, key=lambda f: -f.score)


@needs_mtcnn
@pytest.mark.skipif(importlib.util.find_spec("core.scrfd") is None, reason="core/scrfd.py not written yet")
def test_landmarks_agree_with_scrfd_within_a_few_pixels(mtcnn: MtcnnDetector) -> None:
    from core.scrfd import ScrfdDetector

    scrfd = ScrfdDetector.from_file(MODELS / "scrfd" / "det_500m.onnx", max_size=320)
    distances = []
    for person, number in PEOPLE:
        image = load_rgb(lfw_image(person, number))
        ours = pick_face(mtcnn.detect(image), image.shape, "centre").face.landmarks
        theirs = pick_face(scrfd.detect(image), image.shape, "centre").face.landmarks
        distances.append(float(np.linalg.norm(ours - theirs, axis=1).mean()))
    assert max(distances) < 5.0, distances  # measured about 2 px on 300 LFW images


@needs_mtcnn
@pytest.mark.parametrize("value", [0, 128, 255])
def test_a_uniform_image_has_no_face(mtcnn: MtcnnDetector, value: int) -> None:
    assert mtcnn.detect(np.full((250, 250, 3), value, dtype=np.uint8)) == []


@needs_mtcnn
def test_too_small_an_image_has_no_face(mtcnn: MtcnnDetector) -> None:
    assert mtcnn.detect(np.zeros((15, 40, 3), dtype=np.uint8)) == []


@needs_mtcnn
def test_two_lfw_faces_side_by_side_give_two_faces(mtcnn: MtcnnDetector) -> None:
    image = np.hstack([load_rgb(lfw_image("Aaron_Eckhart", 1)), load_rgb(lfw_image("Serena_Williams", 1))])
    faces = sorted(mtcnn.detect(image), key=lambda f: f.centre[0])
    assert len(faces) == 2
    assert faces[0].centre[0] < 250 < faces[1].centre[0]
    for face in faces:
        assert_plausible_face(face)


@needs_mtcnn
def test_a_face_cut_by_the_image_border_is_still_found(mtcnn: MtcnnDetector) -> None:
    image = np.ascontiguousarray(load_rgb(lfw_image("Colin_Powell", 1))[:, 100:])
    faces = mtcnn.detect(image)
    assert len(faces) == 1 and faces[0].box[0] == 0.0 and faces[0].score > 0.9


@needs_mtcnn
def test_max_size_bounds_the_pyramid_on_a_large_photo_and_keeps_the_landmarks(mtcnn: MtcnnDetector) -> None:
    image = load_rgb(lfw_image("Colin_Powell", 1))
    large = np.asarray(cv2.resize(image, (1000, 1000), interpolation=cv2.INTER_CUBIC), dtype=np.uint8)
    bounded = MtcnnDetector(*mtcnn.nets, max_size=250)
    face = pick_face(bounded.detect(large), large.shape, "centre").face
    assert_plausible_face(face)
    reference = pick_face(mtcnn.detect(image), image.shape, "centre").face.landmarks * 4
    assert np.linalg.norm(face.landmarks - reference, axis=1).mean() < 12.0  # 3 px at 250 px


@pytest.mark.parametrize("kwargs", [{"factor": 1.0}, {"min_face_size": 0}, {"max_size": 8}])
def test_nonsense_parameters_are_refused(kwargs: dict[str, Any]) -> None:
    from core.mtcnn.nets import ONet, PNet, RNet

    with pytest.raises(ValueError):
        MtcnnDetector(PNet(), RNet(), ONet(), **kwargs)


@needs_mtcnn
def test_a_missing_weight_file_is_named_with_its_folder(tmp_path: Path) -> None:
    for name in ("pnet.pt", "rnet.pt"):
        shutil.copy(MODELS / "mtcnn" / name, tmp_path / name)
    with pytest.raises(ModelNotFound) as error:
        MtcnnDetector.from_dir(tmp_path)
    assert "onet.pt" in str(error.value) and str(tmp_path.resolve()) in str(error.value)
    assert error.value.user_message == ModelNotFound.user_message


def test_an_empty_model_folder_names_the_first_file(tmp_path: Path) -> None:
    with pytest.raises(ModelNotFound, match=r"pnet\.pt not found in .*" + tmp_path.name):
        MtcnnDetector.from_dir(tmp_path)


def test_importing_the_detector_does_not_import_torch() -> None:
    code = "import sys, core.mtcnn; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_pyramid_goes_from_min_face_size_to_the_whole_image() -> None:
    sizes = pyramid_sizes(250, 250, 20, 0.709)
    assert sizes[0] == (150, 150) and min(sizes[-1]) >= 12 and len(sizes) == 8


def test_square_keeps_the_centre_and_takes_the_longer_side() -> None:
    boxes = square(np.array([[10, 20, 30, 60]], dtype=np.float32))
    assert boxes.tolist() == [[0.0, 20.0, 40.0, 60.0]]


def test_drop_nested_keeps_the_better_box_and_separate_faces() -> None:
    boxes = np.array([[0, 0, 100, 100], [10, 10, 40, 40], [200, 0, 260, 60]], dtype=np.float32)
    scores = np.array([0.99, 0.8, 0.9], dtype=np.float32)
    assert drop_nested(boxes, scores, 0.7) == [0, 2]
