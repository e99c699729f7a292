"""Two photos in, a decision with a calibrated confidence out (real models from ../shared)."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from bot.composition import build_verifier
from bot.settings import Settings
from core.errors import NoFaceFound, UnsupportedImageType
from core.image_input import decode_image
from core.verify import Verifier
from tests.conftest import lfw_image
from tests.core.image_fixtures import exif_rotated_jpeg


@pytest.fixture(scope="module")
def verifier(calibrated_settings: Settings) -> Verifier:
    return build_verifier(calibrated_settings)


def jpeg(name: str, number: int) -> bytes:
    return lfw_image(name, number).read_bytes()


def test_two_photos_of_one_person_are_a_confident_match(verifier: Verifier) -> None:
    result = verifier.compare(jpeg("George_W_Bush", 1), jpeg("George_W_Bush", 2))
    c = result.comparison
    assert c.same_person and c.score > c.threshold
    assert 0.5 < c.confidence <= 1.0 and c.confidence == c.pic
    assert c.faces["A"].faces_found >= 1 and c.faces["B"].faces_found >= 1
    assert "same person" in c.confidence_sentence
    assert result.face_a.crop.shape == (112, 112, 3)


def test_two_different_people_are_a_confident_non_match(verifier: Verifier) -> None:
    c = verifier.compare(jpeg("George_W_Bush", 1), jpeg("Serena_Williams", 1)).comparison
    assert not c.same_person and c.score < c.threshold
    assert c.confidence == pytest.approx(1 - c.pic) and c.confidence > 0.5
    assert "different people" in c.confidence_sentence


def test_an_exif_rotated_copy_gives_the_same_decision(verifier: Verifier) -> None:
    original = jpeg("Colin_Powell", 1)
    rgb = decode_image(original)
    rotated = exif_rotated_jpeg(rgb, 6, quality=95)
    plain = exif_rotated_jpeg(rgb, 1, quality=95)
    other = jpeg("Colin_Powell", 2)
    a = verifier.compare(plain, other).comparison
    b = verifier.compare(rotated, other).comparison
    assert a.same_person == b.same_person
    assert abs(a.score - b.score) < 0.01


def test_a_photo_without_a_face_is_rejected_and_says_which_photo(verifier: Verifier) -> None:
    buf = io.BytesIO()
    Image.fromarray(np.full((300, 400, 3), (90, 140, 200), np.uint8)).save(buf, "JPEG")
    with pytest.raises(NoFaceFound) as err:
        verifier.compare(jpeg("George_W_Bush", 1), buf.getvalue())
    assert err.value.photo == 2
    assert "could not find a face" in err.value.user_message


def test_a_pdf_named_jpg_is_rejected_before_any_model_runs(verifier: Verifier) -> None:
    with pytest.raises(UnsupportedImageType) as err:
        verifier.compare(b"%PDF-1.7\n1 0 obj << >> endobj\n", jpeg("George_W_Bush", 1))
    assert err.value.photo == 1


def test_a_group_photo_uses_the_largest_face_and_reports_the_count(verifier: Verifier) -> None:
    import cv2

    big = decode_image(jpeg("George_W_Bush", 1))
    small = cv2.resize(decode_image(jpeg("Serena_Williams", 1)), (150, 150))
    canvas = np.zeros((250, 420, 3), np.uint8)
    canvas[:, :250] = big
    canvas[50:200, 260:410] = small
    buf = io.BytesIO()
    Image.fromarray(canvas).save(buf, "PNG")
    c = verifier.compare(buf.getvalue(), jpeg("George_W_Bush", 2)).comparison
    assert c.faces["A"].faces_found == 2
    assert c.same_person


def test_a_tight_face_crop_is_still_found(verifier: Verifier) -> None:
    rgb = decode_image(jpeg("George_W_Bush", 1))[70:190, 75:175]
    buf = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(rgb)).save(buf, "PNG")
    c = verifier.compare(buf.getvalue(), jpeg("George_W_Bush", 2)).comparison
    assert c.same_person


def test_both_photos_at_once_give_exactly_the_serial_templates(calibrated_settings: Settings) -> None:
    """The default prepares the two photos side by side on single-thread sessions; the
    templates and the whole decision are bit-identical to one photo after the other on the
    runtime's default threads."""
    serial = build_verifier(calibrated_settings.model_copy(update={"verify_workers": 1}))
    side_by_side = build_verifier(calibrated_settings)
    assert side_by_side.workers == 2 and serial.workers == 1
    for a, b in ((("George_W_Bush", 1), ("George_W_Bush", 2)), (("Colin_Powell", 1), ("Serena_Williams", 1))):
        one, two = serial.compare(jpeg(*a), jpeg(*b)), side_by_side.compare(jpeg(*a), jpeg(*b))
        assert np.array_equal(one.face_a.embedding, two.face_a.embedding)
        assert np.array_equal(one.face_b.embedding, two.face_b.embedding)
        assert one.comparison.score == two.comparison.score


def test_side_by_side_reports_photo_1_when_both_photos_are_bad(verifier: Verifier) -> None:
    assert verifier.workers == 2
    with pytest.raises(UnsupportedImageType) as err:
        verifier.compare(b"%PDF-1.7 one", b"%PDF-1.7 two")
    assert err.value.photo == 1
