"""The checklist cases of an outside attack and of odd but honest photos, end to end through
the conversation service: a JPEG+ZIP polyglot is used only as re-encoded pixels, GPS EXIF is
never stored, EXIF orientation 8 gives the upright decision, the same photo twice is answered
sensibly, multipage TIFF / EPS / PSD are refused by name, and a drawn face is answered, not
crashed on. (A Telegram message from a bot: tests/adapters/test_telegram_webhook_guard.py.)

The fake face models of ``tests/fakes.py`` stand in where the case is about the bytes; the
drawn face needs the real detector (../shared)."""

from __future__ import annotations

import io
import math
import zipfile
from collections.abc import AsyncIterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from bot.composition import Service
from bot.dialogue import Dialogue, texts
from bot.messages import ButtonPress, ImageReply, Photo, TableReply, VerificationReply
from core.errors import UnsupportedImageType
from core.image_input import decode_image
from tests.bot.dialogue_helpers import Chat, only, texts_of
from tests.conftest import needs_shared
from tests.core.image_fixtures import exif_rotated_jpeg
from tests.fakes import fake_service, person_photo

MARKER = b"POLYGLOT-MARKER-7f3a9c"
GPS_MARKER = "GPS-AREA-MARKER-51N0W"


@pytest.fixture
async def service(tmp_path: Path) -> AsyncIterator[Service]:
    talk = fake_service(tmp_path, consent="ask")
    await talk.start()
    yield talk
    await talk.close()


async def agreed(service: Service, user: str) -> Chat:
    chat = Chat(service.dialogue, user)
    await chat.say("/start")
    assert texts_of(await chat.send(ButtonPress(chat.key, "consent", "yes"))) == [
        texts.CONSENT_THANKS]
    return chat


def stored_bytes(folder: Path) -> bytes:
    """Everything the service wrote under ``folder``: the SQLite store (and its WAL), keys,
    caches."""
    return b"".join(p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file())


def zip_bytes() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("payload.txt", MARKER * 10)
    return out.getvalue()


async def test_a_jpeg_zip_polyglot_is_used_only_as_reencoded_pixels(
        service: Service, tmp_path: Path) -> None:
    photo = person_photo(3, 1)
    polyglot = photo + zip_bytes()
    assert zipfile.ZipFile(io.BytesIO(polyglot)).read("payload.txt").startswith(MARKER)
    np.testing.assert_array_equal(decode_image(polyglot), decode_image(photo))

    chat = await agreed(service, "pat")
    await chat.photos(Photo(polyglot, "holiday.jpg", "image/jpeg"))
    replies = await chat.photos(Photo(person_photo(3, 2), "second.jpg", "image/jpeg"))
    assert only(replies, VerificationReply).same_person
    collage = only(replies, ImageReply).png
    await service.close()
    for where, data in (("the store and data folder", stored_bytes(tmp_path)),
                        ("the heatmaps sent back", collage)):
        assert MARKER not in data and b"PK\x03\x04" not in data, where
        assert photo[600:640] not in data, where  # nor any stretch of the original file


def gps_photo() -> bytes:
    image = Image.open(io.BytesIO(person_photo(6, 1)))
    exif = Image.Exif()
    exif[0x010F] = "SpyPhone"
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (51.0, 30.0, 26.46), 3: "W", 4: (0.0, 7.0, 39.93),
                27: GPS_MARKER})
    out = io.BytesIO()
    image.save(out, "JPEG", quality=92, exif=exif.tobytes())
    return out.getvalue()


async def test_gps_exif_is_never_stored_nor_sent_back(service: Service, tmp_path: Path,
                                                     caplog: pytest.LogCaptureFixture) -> None:
    located = gps_photo()
    assert GPS_MARKER.encode() in located and b"SpyPhone" in located
    chat = await agreed(service, "gus")
    await chat.photos(Photo(located, "where.jpg", "image/jpeg"))
    replies = await chat.photos(Photo(person_photo(6, 2), "b.jpg", "image/jpeg"))
    collage = only(replies, ImageReply).png
    assert not Image.open(io.BytesIO(collage)).getexif()
    await service.close()
    for data in (stored_bytes(tmp_path), collage, caplog.text.encode()):
        assert GPS_MARKER.encode() not in data and b"SpyPhone" not in data


async def test_exif_orientation_8_gives_the_same_decision_as_upright(service: Service) -> None:
    first, second = person_photo(9, 1), person_photo(9, 2)
    upright_chat, turned_chat = await agreed(service, "uma"), await agreed(service, "tom")
    await upright_chat.photos(Photo(first, "1.jpg", "image/jpeg"))
    upright = only(await upright_chat.photos(Photo(second, "2.jpg", "image/jpeg")),
                   VerificationReply)
    pixels = decode_image(second)
    turned_file = exif_rotated_jpeg(pixels, 8)
    assert Image.open(io.BytesIO(turned_file)).size == (pixels.shape[0], pixels.shape[1])
    await turned_chat.photos(Photo(first, "1.jpg", "image/jpeg"))
    turned = only(await turned_chat.photos(Photo(turned_file, "2.jpg", "image/jpeg")),
                  VerificationReply)
    assert turned.same_person == upright.same_person is True
    assert abs(turned.score - upright.score) < 0.02  # only the JPEG re-encoding differs

    sideways = np.ascontiguousarray(np.rot90(pixels))  # the same file without the tag
    ignored = Chat(service.dialogue, "tom")
    await ignored.photos(Photo(first, "1.jpg", "image/jpeg"))
    without_tag = only(await ignored.photos(Photo(jpeg_of(sideways), "2.jpg", "image/jpeg")),
                       VerificationReply)
    assert without_tag.score < upright.score - 0.1  # the tag is what turned it upright


def jpeg_of(rgb: np.ndarray) -> bytes:
    out = io.BytesIO()
    Image.fromarray(rgb).save(out, "JPEG", quality=95)
    return out.getvalue()


async def test_the_same_photo_twice_is_answered_sensibly(service: Service) -> None:
    chat = await agreed(service, "sam")
    photo = Photo(person_photo(11, 1), "me.jpg", "image/jpeg")
    await chat.photos(photo)
    replies = await chat.photos(photo)
    result = only(replies, VerificationReply)
    assert result.same_person and result.score == pytest.approx(1.0, abs=1e-5)
    assert math.isfinite(result.pic) and 0.0 <= result.pic <= 1.0
    assert "Decision: SAME PERSON" in result.text
    assert "nan" not in result.text.lower() and "inf" not in result.text.lower()
    table = only(replies, TableReply)
    assert table.rows and all(str(cell).lower() != "nan" for row in table.rows for cell in row)
    answer = texts_of(await chat.ask("How sure are you?"), "answer")
    assert len(answer) == 1 and "nan" not in answer[0].lower()


def multipage_tiff() -> bytes:
    pages = [Image.new("RGB", (32, 32), colour) for colour in ("red", "green", "blue")]
    out = io.BytesIO()
    pages[0].save(out, "TIFF", save_all=True, append_images=pages[1:])
    return out.getvalue()


def eps() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (32, 32), "white").save(out, "EPS")
    return out.getvalue()


PSD = b"8BPS\x00\x01" + b"\x00" * 6 + b"\x00\x03" + (32).to_bytes(4, "big") * 2 + b"\x00\x08\x00\x03"


@pytest.mark.parametrize(("make", "named"), [
    (multipage_tiff, "a TIFF image"), (eps, "a PostScript (EPS) file"),
    (lambda: PSD, "a Photoshop file"),
])
async def test_multipage_tiff_eps_and_psd_are_refused_naming_what_they_are(
        service: Service, make: object, named: str) -> None:
    data = make()  # type: ignore[operator]
    with pytest.raises(UnsupportedImageType) as refused:
        decode_image(data)
    assert refused.value.user_message == (
        f"That file is {named}, not a photo I can read. Please send a JPEG, PNG or WEBP photo.")
    chat = await agreed(service, f"user-{named[2:6]}")
    replies = await chat.photos(Photo(data, "scan.tif", "image/tiff"))
    assert any(named in text for text in texts_of(replies))


def cartoon_face() -> bytes:
    """A drawn face: an oval head, two eyes with pupils, eyebrows, a nose and a smile."""
    image = Image.new("RGB", (400, 400), (250, 245, 230))
    draw = ImageDraw.Draw(image)
    draw.ellipse((90, 60, 310, 340), fill=(255, 214, 170), outline=(60, 40, 20), width=4)
    for x in (150, 250):
        draw.ellipse((x - 25, 150, x + 25, 185), fill="white", outline="black", width=3)
        draw.ellipse((x - 9, 158, x + 9, 177), fill=(40, 30, 20))
        draw.line((x - 30, 135, x + 25, 128), fill=(70, 40, 20), width=6)
    draw.polygon([(200, 190), (185, 245), (215, 245)], fill=(235, 180, 140), outline="black")
    draw.arc((140, 230, 260, 300), start=20, end=160, fill=(150, 30, 40), width=6)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


@needs_shared
async def test_a_drawn_cartoon_face_is_answered_not_crashed(dialogue: Dialogue) -> None:
    chat = Chat(dialogue, "cara")
    await chat.say("/start")
    await chat.send(ButtonPress(chat.key, "consent", "yes"))
    first = texts_of(await chat.photos(Photo(cartoon_face(), "drawn.png", "image/png")))
    assert first, "no answer at all"
    assert not any("went wrong" in text for text in first)  # no internal failure
    if first[0].startswith("Got it"):  # the detector took it for a face: explain it
        replies = await chat.photos(Photo(cartoon_face(), "drawn.png", "image/png"))
        result = only(replies, VerificationReply)
        assert math.isfinite(result.score) and "Decision:" in result.text
        assert not any("went wrong" in text for text in texts_of(replies))
        print("drawn face: detected and explained;", result.text.splitlines()[0])
    else:  # or it says plainly that it found none
        assert "I could not find a face" in first[-1]
        print("drawn face: no face found, said so")
