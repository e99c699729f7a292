"""The work of a decode is bounded, not only its pixels: scan, chunk and segment counts are
read from the bytes first, each decode runs under a CPU-time budget, and metadata is dropped
by one policy for every format (kept: the first EXIF block up to 64 KB, for the orientation)."""

from __future__ import annotations

import io
import os
import signal
import struct
import time
import zlib

import numpy as np
import pytest
from PIL import Image

from core.decode_budget import can_isolate, run_bounded
from core.errors import CorruptImage, DecodeTooSlow, ImageRejected, ImageTooComplex
from core.image_input import ImageLimits, decode_image
from core.image_structure import StructureLimits, tidy
from tests.core.image_fixtures import (
    encode_png,
    exif_rotated_jpeg,
    png_chunk,
    progressive_jpeg_repeating_last_scan,
)

needs_fork = pytest.mark.skipif(not can_isolate(), reason="no fork/RLIMIT_CPU here")


def jpeg(image: Image.Image, **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", **options)
    return buffer.getvalue()


def photo(width: int = 64, height: int = 48) -> Image.Image:
    return Image.linear_gradient("L").resize((width, height)).convert("RGB")


# --- the progressive-JPEG bomb ---------------------------------------------------------------


@pytest.fixture(scope="module")
def scan_bomb() -> bytes:
    return progressive_jpeg_repeating_last_scan(6000, 6000, 2000)


def test_a_6000_square_progressive_jpeg_with_2000_repeated_scans_is_refused_at_once(
    scan_bomb: bytes,
) -> None:
    assert Image.open(io.BytesIO(scan_bomb)).size == (6000, 6000)  # 36 MP: under the pixel cap
    assert scan_bomb.count(b"\xff\xda") > 2000
    started = time.monotonic()
    with pytest.raises(ImageTooComplex) as refused:
        decode_image(scan_bomb)
    assert time.monotonic() - started < 5
    assert refused.value.user_message == (
        "That photo is stored in an unusual way that would take too long to read (more than "
        "100 progressive scans; I read up to 100). Please send it as an ordinary JPEG or PNG "
        "photo.")
    # the process that refused it goes on decoding ordinary photos
    assert decode_image(jpeg(photo(), progressive=True)).shape == (48, 64, 3)


def test_ordinary_progressive_and_baseline_jpegs_are_well_inside_the_scan_bound() -> None:
    for options in ({}, {"progressive": True}, {"progressive": True, "optimize": True}):
        data = jpeg(photo(), **options)
        assert data.count(b"\xff\xda") <= 10
        assert decode_image(data).shape == (48, 64, 3)


@needs_fork
def test_a_decode_over_its_cpu_budget_is_stopped_with_a_friendly_message() -> None:
    # 85 repeated scans pass the scan bound but cost seconds at 36 MP: the budget stops it.
    slow = progressive_jpeg_repeating_last_scan(6000, 6000, 85)
    assert slow.count(b"\xff\xda") <= 100
    started = time.process_time(), time.monotonic()
    with pytest.raises(DecodeTooSlow) as stopped:
        decode_image(slow, ImageLimits(decode_cpu_s=1))
    assert time.monotonic() - started[1] < 15  # wall time on a shared machine
    assert time.process_time() - started[0] < 0.5  # the work was the child's, not ours
    assert stopped.value.user_message.startswith(
        "That photo took too long to read (more than 1 seconds of work), so I stopped.")
    assert decode_image(jpeg(photo())).shape == (48, 64, 3)


@needs_fork
def test_only_photos_over_the_in_process_bound_pay_for_a_child(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    forked: list[int] = []

    def counting(work, capacity, **budget):  # type: ignore[no-untyped-def]
        forked.append(capacity)
        return run_bounded(work, capacity, **budget)

    monkeypatch.setattr("core.image_input.run_bounded", counting)
    limits = ImageLimits(isolate_above_pixels=100 * 100)
    assert decode_image(jpeg(photo(100, 100)), limits).shape == (100, 100, 3)
    assert forked == []  # 10,000 pixels: its decode is bounded by its structure already
    assert decode_image(jpeg(photo(101, 100)), limits).shape == (100, 101, 3)
    assert forked == [3 * 101 * 100]
    # with the bound at 0 every decode is isolated, as before
    assert decode_image(jpeg(photo(64, 48)), ImageLimits(isolate_above_pixels=0)).shape == (48, 64, 3)
    assert len(forked) == 2


@needs_fork
def test_a_decoder_that_crashes_in_the_child_is_a_refusal_and_the_caller_lives_on() -> None:
    def crash(allocate: object) -> np.ndarray:
        os.kill(os.getpid(), signal.SIGSEGV)
        raise AssertionError("unreachable")

    with pytest.raises(CorruptImage) as refused:
        run_bounded(crash, 100, cpu_s=2, wall_s=10)
    assert "signal 11" in refused.value.detail


@needs_fork
def test_a_child_that_stalls_without_using_cpu_is_stopped_by_the_watchdog() -> None:
    def stall(allocate: object) -> np.ndarray:
        time.sleep(60)
        raise AssertionError("unreachable")

    started = time.monotonic()
    with pytest.raises(DecodeTooSlow):
        run_bounded(stall, 100, cpu_s=2, wall_s=0.5)
    assert time.monotonic() - started < 5


# --- chunk and segment counts ------------------------------------------------------------------


def png_in_idat_pieces(pieces: int) -> bytes:
    whole = encode_png(np.zeros((16, 16, 3), np.uint8))
    ihdr, idat_at = whole[:33], whole.index(b"IDAT") - 4
    stream = zlib.decompress(whole[idat_at + 8 : -16])
    compressed = zlib.compress(stream)
    size = max(1, len(compressed) // pieces + 1)
    parts = [png_chunk(b"IDAT", compressed[i : i + size]) for i in range(0, len(compressed), size)]
    filler = [png_chunk(b"IDAT", b"")] * max(0, pieces - len(parts))
    return ihdr + b"".join(parts + filler) + png_chunk(b"IEND", b"")


def test_a_png_of_20000_chunks_is_refused_before_decoding() -> None:
    assert decode_image(png_in_idat_pieces(50)).shape == (16, 16, 3)  # many IDATs are fine
    with pytest.raises(ImageTooComplex) as refused:
        decode_image(png_in_idat_pieces(20_000))
    assert "more than 10,000 chunks" in refused.value.user_message


def webp_with_chunks(extra: int) -> bytes:
    buffer = io.BytesIO()
    photo().save(buffer, "WEBP")
    data = buffer.getvalue()
    body = data[12:] + (b"junk" + struct.pack("<I", 0)) * extra
    return b"RIFF" + struct.pack("<I", 4 + len(body)) + b"WEBP" + body


def test_a_webp_of_thousands_of_chunks_is_refused_and_a_few_unknown_ones_dropped() -> None:
    assert decode_image(webp_with_chunks(20)).shape == (48, 64, 3)
    with pytest.raises(ImageTooComplex) as refused:
        decode_image(webp_with_chunks(5_000))
    assert "more than 1,000 chunks" in refused.value.user_message


def with_segments(data: bytes, segment: bytes, count: int) -> bytes:
    return data[:2] + segment * count + data[2:]


def test_a_jpeg_of_over_1000_segments_is_refused() -> None:
    comment = b"\xff\xfe\x00\x04hi"
    assert decode_image(with_segments(jpeg(photo()), comment, 500)).shape == (48, 64, 3)
    with pytest.raises(ImageTooComplex):
        decode_image(with_segments(jpeg(photo()), comment, 1_500))


# --- metadata: one policy for every format ----------------------------------------------------


def test_a_png_with_a_5_mb_ztxt_chunk_decodes_with_the_text_dropped() -> None:
    original = np.asarray(photo())
    plain = encode_png(original)
    text = png_chunk(b"zTXt", b"Comment\x00\x00" + zlib.compress(os.urandom(5 * 2**20), 0))
    bloated = plain[:33] + text + plain[33:]
    assert len(bloated) > 5 * 2**20
    with pytest.raises(ValueError, match="too large"):  # what Pillow alone makes of it
        Image.open(io.BytesIO(bloated)).load()
    np.testing.assert_array_equal(decode_image(bloated), original)
    assert tidy(bloated, "png") == plain


def test_140_app1_segments_of_9_mb_are_dropped_and_the_orientation_still_applies() -> None:
    upright = np.asarray(photo())
    turned = exif_rotated_jpeg(upright, 8)
    xmp = b"http://ns.adobe.com/xap/1.0/\x00" + b"x" * 65_000
    segment = b"\xff\xe1" + struct.pack(">H", len(xmp) + 2) + xmp
    exif_end = turned.index(b"\xff", 4)  # after SOI and the EXIF segment (first APP1)
    exif_end = 4 + struct.unpack(">H", turned[4:6])[0]
    bloated = turned[:exif_end] + segment * 140 + turned[exif_end:]
    assert len(bloated) > 9_000_000
    kept = tidy(bloated, "jpeg")
    assert len(kept) < 10_000 and b"ns.adobe.com" not in kept and b"Exif" in kept
    decoded = decode_image(bloated)
    assert decoded.shape == upright.shape
    assert np.abs(decoded.astype(int) - upright).mean() < 2


def test_a_webp_with_a_big_xmp_chunk_decodes_with_it_dropped() -> None:
    buffer = io.BytesIO()
    photo().save(buffer, "WEBP", xmp=b"<x:xmpmeta>" + b"y" * 3_000_000 + b"</x:xmpmeta>")
    data = buffer.getvalue()
    kept = tidy(data, "webp")
    assert len(data) > 3_000_000 and len(kept) < 10_000 and b"xmpmeta" not in kept
    assert Image.open(io.BytesIO(kept)).size == (64, 48)
    assert decode_image(data).shape == (48, 64, 3)


def test_anything_after_the_picture_is_never_read() -> None:
    data = jpeg(photo()) + b"PK\x03\x04" + os.urandom(2_000)
    assert tidy(data, "jpeg") == jpeg(photo())
    png = encode_png(np.asarray(photo()))
    assert tidy(png + b"trailing bytes", "png") == png


def test_damage_is_left_for_the_decoder_to_name() -> None:
    data = jpeg(photo(), progressive=True)
    for cut in (len(data) // 3, len(data) - 10):
        with pytest.raises(CorruptImage):
            decode_image(data[:cut])
    limits = StructureLimits()
    assert tidy(b"\xff\xd8\xff", "jpeg", limits) == b"\xff\xd8\xff"
    with pytest.raises(ImageRejected):
        decode_image(b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\x0dIHDR")
