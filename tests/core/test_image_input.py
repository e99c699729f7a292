"""Safe image input: what a chat user can send, and what they are told when it is refused."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import warnings
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from numpy.typing import NDArray
from PIL import Image, ImageFile

from core.errors import (
    CorruptImage,
    EmptyImage,
    ImageRejected,
    ImageTooLarge,
    UnsupportedImageType,
)
from core.image_input import DEFAULT_LIMITS, ImageLimits, decode_image, sniff_format
from core.image_sniff import header_size
from tests.conftest import lfw_image
from tests.core.image_fixtures import (
    black_png_streamed,
    encode_png,
    exif_rotated_jpeg,
    webp_vp8x_header,
)

ACCEPTED = "JPEG, PNG or WEBP"
RED, BLUE, WHITE = (255, 0, 0), (0, 0, 255), (255, 255, 255)


def save(image: Image.Image, fmt: str, **options: Any) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def pattern(height: int = 48, width: int = 64) -> NDArray[np.uint8]:
    """Smooth colour ramps with a bright block in one corner, so any turn or flip shows."""
    y, x = np.mgrid[0:height, 0:width]
    rgb = np.stack([x * 255 // width, y * 255 // height, np.full_like(x, 60)], axis=2)
    rgb[: height // 4, : width // 4] = 255
    return rgb.astype(np.uint8)


def rejection(data: bytes, limits: ImageLimits = DEFAULT_LIMITS) -> ImageRejected:
    with pytest.raises(ImageRejected) as caught:
        decode_image(data, limits)
    return caught.value


# --- refusals ------------------------------------------------------------------------------


def test_an_empty_file_is_refused_as_empty() -> None:
    error = rejection(b"")
    assert isinstance(error, EmptyImage)
    assert error.user_message == "That file is empty. Please send a JPEG, PNG or WEBP photo."


@pytest.mark.parametrize("progressive", [False, True])
@pytest.mark.parametrize("keep", [0.3, 0.9, -2])
def test_a_truncated_jpeg_is_refused_not_half_decoded(progressive: bool, keep: float) -> None:
    whole = save(Image.fromarray(pattern(120, 160)), "JPEG", quality=90, progressive=progressive)
    cut = whole[: int(len(whole) * keep)] if keep > 0 else whole[: int(keep)]  # -2: only EOI gone
    error = rejection(cut)
    assert isinstance(error, CorruptImage)
    assert "damaged or cut off" in error.user_message
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False


def test_a_truncated_png_is_refused() -> None:
    whole = save(Image.fromarray(pattern(120, 160)), "PNG")
    assert isinstance(rejection(whole[: len(whole) // 2]), CorruptImage)


def _zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("photo.jpg", b"\xff\xd8\xff not really")
    return buffer.getvalue()


# A user may call any of these "photo.jpg": only the bytes count, never the name.
@pytest.mark.parametrize(
    ("data", "named"),
    [
        (save(Image.new("RGB", (40, 30), RED), "PDF"), "a PDF document"),
        (b"<!DOCTYPE html>\n<html><body><img src=x></body></html>", "a web page (HTML)"),
        (_zip_bytes(), "a ZIP archive"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><circle r="4"/></svg>', "an SVG drawing"),
        (b'\xef\xbb\xbf<?xml version="1.0"?>\n<svg width="4"></svg>', "an SVG drawing"),
        (save(Image.new("RGB", (8, 8), RED), "BMP"), "a BMP image"),
        (save(Image.new("RGB", (8, 8), RED), "TIFF"), "a TIFF image"),
        (b"just some text that someone pasted", None),
    ],
)
def test_other_files_are_refused_saying_what_they_are(data: bytes, named: str | None) -> None:
    error = rejection(data)
    assert isinstance(error, UnsupportedImageType)
    assert f"Please send a {ACCEPTED} photo." in error.user_message
    assert named is None or f"That file is {named}" in error.user_message


def test_an_animated_gif_is_refused_naming_the_accepted_formats() -> None:
    frames = [Image.new("RGB", (32, 32), colour) for colour in (RED, BLUE)]
    gif = save(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100)
    error = rejection(gif)
    assert isinstance(error, UnsupportedImageType)
    assert error.user_message == (
        "That is a GIF; I only read still photos. Please send a JPEG, PNG or WEBP photo."
    )


def test_an_iphone_heic_is_refused_with_a_way_out() -> None:
    heic_start = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + bytes(64)
    error = rejection(heic_start)
    assert isinstance(error, UnsupportedImageType)
    assert "HEIC" in error.user_message and "Most Compatible" in error.user_message


def test_a_file_over_the_byte_cap_is_refused_before_anything_else() -> None:
    eleven_mb = b"\xff\xd8\xff\xe0" + bytes(11 * 1024 * 1024)
    error = rejection(eleven_mb)
    assert isinstance(error, ImageTooLarge)
    assert error.user_message == (
        "That file is 11 MB; I accept photos up to 10 MB. "
        "Please send a smaller or more compressed photo."
    )
    photo = save(Image.fromarray(pattern()), "JPEG")
    assert isinstance(rejection(photo, ImageLimits(max_bytes=len(photo) - 1)), ImageTooLarge)
    assert decode_image(photo, ImageLimits(max_bytes=len(photo))).shape == (48, 64, 3)


# --- size is checked from the header, before any pixel is decoded ---------------------------


@pytest.fixture(scope="module")
def huge_pngs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Complete, valid all-black PNGs (decompression bombs of a few MB), never held as pixels."""
    folder = tmp_path_factory.mktemp("huge_pngs")
    sizes = {"square": (20_000, 20_000), "strip": (1, 80_000_000), "control": (5_000, 5_000)}
    paths = {}
    for name, (width, height) in sizes.items():
        paths[name] = folder / f"{name}.png"
        paths[name].write_bytes(black_png_streamed(width, height))
    return paths


def test_a_20000_square_and_a_1_by_80_million_png_are_refused_from_the_header(
    huge_pngs: dict[str, Path],
) -> None:
    square = rejection(huge_pngs["square"].read_bytes())
    assert isinstance(square, ImageTooLarge)
    assert square.user_message == (
        "That photo is 20000 x 20000 pixels (400 megapixels); I accept up to 40 megapixels. "
        "Please send a smaller photo."
    )
    strip = rejection(huge_pngs["strip"].read_bytes())
    assert isinstance(strip, ImageTooLarge)
    assert "1 x 80000000 pixels (80 megapixels)" in strip.user_message


_MEASURE = """
import json, resource, sys, tracemalloc
from core.errors import ImageRejected
from core.image_input import ImageLimits, decode_image
# In this process (no child), so that the instruments see the control's real decode; the
# refusals come from the header, before either way of decoding.
here = ImageLimits(decode_cpu_s=None)
decode_image(open(sys.argv[1], "rb").read(), here)  # warm up: imports, Pillow's PNG plugin
report = {}
for name, path in zip(("square", "strip", "control"), sys.argv[2:]):
    data = open(path, "rb").read()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    try:
        outcome = "decoded %dx%d" % decode_image(data, here).shape[1::-1]
    except ImageRejected as error:
        outcome = type(error).__name__
    python_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    report[name] = {"outcome": outcome, "rss_mb": grown / 1024, "python_mb": python_peak / 2**20}
print(json.dumps(report))
"""


def test_refusing_the_huge_pngs_keeps_memory_small(
    huge_pngs: dict[str, Path], tmp_path: Path
) -> None:
    """Peak memory is measured in a fresh process: growth of its peak RSS (Pillow's C buffers
    included) and tracemalloc's peak (Python and numpy). The control, a 5,000 x 5,000 PNG that
    is allowed and decoded, shows the instrument does see a real decode."""
    tiny = tmp_path / "tiny.png"
    tiny.write_bytes(save(Image.new("L", (8, 8)), "PNG"))
    paths = [str(tiny)] + [str(huge_pngs[name]) for name in ("square", "strip", "control")]
    completed = subprocess.run(
        [sys.executable, "-c", _MEASURE, *paths], capture_output=True, text=True, check=True
    )
    report = json.loads(completed.stdout)
    for bomb in ("square", "strip"):
        assert report[bomb]["outcome"] == "ImageTooLarge"
        assert report[bomb]["rss_mb"] < 50 and report[bomb]["python_mb"] < 50, report
    assert report["control"]["outcome"] == "decoded 5000x5000"
    # tracemalloc must see the real decode; peak RSS is checked only where the kernel reports
    # it (some sandboxes leave ru_maxrss flat, as CI's did).
    assert report["control"]["python_mb"] > 50, report
    if report["control"]["rss_mb"] > 0:
        assert report["control"]["rss_mb"] > 50, report


def header_only_png(width: int, height: int) -> bytes:
    return black_png_streamed(width, height, with_pixels=False)


def test_the_size_check_comes_before_decoding() -> None:
    # A header with no pixel data behind it cannot be decoded: if decoding were tried first,
    # the answer would be CorruptImage. ImageTooLarge shows the header was enough.
    small = ImageLimits(max_pixels=1_000_000)
    assert isinstance(rejection(header_only_png(2_000, 2_000)), CorruptImage)
    assert isinstance(rejection(header_only_png(2_000, 2_000), small), ImageTooLarge)
    assert isinstance(rejection(webp_vp8x_header(2_000, 2_000)), CorruptImage)
    assert isinstance(rejection(webp_vp8x_header(2_000, 2_000), small), ImageTooLarge)
    jpeg = save(Image.fromarray(pattern(1_200, 1_000)), "JPEG")
    up_to_frame_header = jpeg[: jpeg.index(b"\xff\xda")]  # everything before the first scan
    assert isinstance(rejection(up_to_frame_header), CorruptImage)
    assert isinstance(rejection(up_to_frame_header, small), ImageTooLarge)
    # ...and a complete, valid file of that size is fine under the default limits.
    assert decode_image(black_png_streamed(2_000, 2_000)).shape == (2_000, 2_000, 3)


def test_pillows_bomb_warning_becomes_a_refusal_without_touching_global_state() -> None:
    # With limits above Pillow's own threshold (about 89 MP), its DecompressionBombWarning is
    # what stops a 100 MP header; if it were only a warning, decoding would go on (Corrupt).
    generous = ImageLimits(max_pixels=500_000_000, max_side=50_000)
    before = (ImageFile.LOAD_TRUNCATED_IMAGES, Image.MAX_IMAGE_PIXELS, list(warnings.filters))
    assert isinstance(rejection(header_only_png(10_000, 10_000), generous), ImageTooLarge)
    decode_image(save(Image.fromarray(pattern()), "PNG"))
    assert (
        ImageFile.LOAD_TRUNCATED_IMAGES,
        Image.MAX_IMAGE_PIXELS,
        list(warnings.filters),
    ) == before


def test_an_absurdly_long_side_is_refused_even_with_few_pixels() -> None:
    error = rejection(black_png_streamed(30_000, 1))
    assert isinstance(error, ImageTooLarge)
    assert error.user_message == (
        "That image is 30000 x 1 pixels; each side may be at most 20000 pixels. "
        "Please send an ordinary photo."
    )


@pytest.mark.parametrize(
    ("fmt", "mode", "options"),
    [
        ("JPEG", "RGB", {}),
        ("JPEG", "RGB", {"progressive": True}),
        ("JPEG", "L", {}),
        ("PNG", "RGB", {}),
        ("WEBP", "RGB", {}),  # VP8 (lossy)
        ("WEBP", "RGBA", {"lossless": True}),  # VP8L
        ("WEBP", "RGBA", {"exif": b"Exif\x00\x00II*\x00\x08\x00\x00\x00\x00\x00"}),  # VP8X
    ],
)
def test_sniffing_and_header_size_agree_with_pillow(
    fmt: str, mode: str, options: dict[str, Any]
) -> None:
    data = save(Image.new(mode, (37, 23), 128), fmt, **options)
    assert sniff_format(data) == fmt.lower()
    assert header_size(data, fmt.lower()) == (37, 23) == Image.open(io.BytesIO(data)).size


# --- what is accepted, and how it is normalised to RGB -------------------------------------


def test_the_result_is_a_plain_writable_rgb_array_without_metadata() -> None:
    original = pattern()
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # camera make: metadata that must not survive
    decoded = decode_image(save(Image.fromarray(original), "PNG", exif=exif.tobytes()))
    assert type(decoded) is np.ndarray and decoded.dtype == np.uint8
    assert decoded.shape == (48, 64, 3)
    assert decoded.flags.writeable and decoded.flags.c_contiguous
    np.testing.assert_array_equal(decoded, original)


def test_a_big_photo_is_converted_band_by_band_without_seams() -> None:
    # 1,500 x 1,000 is more than one band of rows: every band must land in its place.
    y, x = np.mgrid[0:1_000, 0:1_500]
    rgb = np.stack([x % 256, y % 256, (x // 7 + y // 5) % 256], axis=2).astype(np.uint8)
    np.testing.assert_array_equal(decode_image(save(Image.fromarray(rgb), "PNG")), rgb)
    grey = rgb[:, :, 2]
    np.testing.assert_array_equal(decode_image(save(Image.fromarray(grey), "PNG"))[:, :, 1], grey)
    sixteen_bit = decode_image(save(Image.fromarray(grey.astype(np.uint16) * 257), "PNG"))
    np.testing.assert_array_equal(sixteen_bit[:, :, 0], grey)
    opaque = np.dstack([rgb, np.full_like(grey, 255)])
    np.testing.assert_array_equal(decode_image(save(Image.fromarray(opaque), "PNG")), rgb)


@pytest.mark.parametrize(("fmt", "options"), [("WEBP", {"lossless": True}), ("PNG", {})])
def test_an_animation_gives_its_first_frame_only(fmt: str, options: dict[str, Any]) -> None:
    frames = [Image.new("RGB", (40, 30), colour) for colour in (RED, BLUE, WHITE)]
    animated = save(frames[0], fmt, save_all=True, append_images=frames[1:], **options)
    with Image.open(io.BytesIO(animated)) as opened:
        assert getattr(opened, "n_frames", 1) == 3  # really animated (WEBP, APNG)
    decoded = decode_image(animated)
    assert decoded.shape == (30, 40, 3)
    assert (decoded == RED).all()


def test_a_phone_mpo_gives_its_first_picture() -> None:
    pictures = [Image.new("RGB", (40, 30), colour) for colour in (RED, BLUE)]
    mpo = save(pictures[0], "MPO", save_all=True, append_images=pictures[1:])
    with Image.open(io.BytesIO(mpo)) as opened:
        assert (opened.format, getattr(opened, "n_frames", 1)) == ("MPO", 2)
    assert sniff_format(mpo) == "jpeg"
    np.testing.assert_allclose(decode_image(mpo).reshape(-1, 3).mean(axis=0), RED, atol=3)


def test_a_cmyk_jpeg_with_the_adobe_marker_becomes_rgb() -> None:
    inks = [(0, 0, 0, 0), (255, 0, 0, 0), (0, 255, 0, 0), (0, 0, 255, 0), (0, 0, 0, 255)]
    cmyk = Image.new("CMYK", (16 * len(inks), 16))
    for i, ink in enumerate(inks):
        cmyk.paste(ink, (16 * i, 0, 16 * (i + 1), 16))
    data = save(cmyk, "JPEG", quality=95)
    assert b"Adobe" in data[:200]  # APP14 "Adobe": the inks are stored inverted
    centres = decode_image(data)[8, 8::16].astype(int)
    expected = [WHITE, (0, 255, 255), (255, 0, 255), (255, 255, 0), (0, 0, 0)]
    np.testing.assert_allclose(centres, expected, atol=12)


def test_sixteen_bit_pngs_are_scaled_to_eight_bits() -> None:
    ramp = (np.arange(256, dtype=np.uint32) * 257).astype(np.uint16).reshape(16, 16)
    grey_png = save(Image.fromarray(ramp), "PNG")  # Pillow mode I;16
    assert Image.open(io.BytesIO(grey_png)).mode == "I;16"
    grey = decode_image(grey_png)
    np.testing.assert_array_equal(grey[:, :, 0], np.arange(256).reshape(16, 16))
    assert (grey[:, :, 0] == grey[:, :, 2]).all()

    colour = pattern()
    colour_png = encode_png(colour.astype(np.uint16) * 257)  # 16-bit RGB, written by hand
    assert colour_png[24:26] == b"\x10\x02"  # bit depth 16, colour type 2
    np.testing.assert_array_equal(decode_image(colour_png), colour)

    rgba = np.zeros((2, 2, 4), np.uint16)
    rgba[0, 0] = (65535, 0, 0, 65535)  # opaque red; the other three are fully transparent black
    np.testing.assert_array_equal(decode_image(encode_png(rgba))[:, :, 0], [[255, 255]] * 2)
    np.testing.assert_array_equal(decode_image(encode_png(rgba))[0, :, 1], [0, 255])


def test_a_palette_png_with_transparency_shows_white_where_transparent() -> None:
    palette = Image.new("P", (4, 1))
    palette.putpalette([0, 0, 0, *RED, *BLUE])
    palette.putdata([0, 1, 2, 0])
    fully = decode_image(save(palette, "PNG", transparency=0))
    np.testing.assert_array_equal(fully[0], [WHITE, RED, BLUE, WHITE])
    half = decode_image(save(palette, "PNG", transparency=bytes([255, 128, 255])))
    np.testing.assert_allclose(half[0, 1], (255, 127, 127), atol=1)
    np.testing.assert_array_equal(decode_image(save(palette, "PNG"))[0, 0], (0, 0, 0))


@pytest.mark.parametrize(("fmt", "options"), [("PNG", {}), ("WEBP", {"lossless": True})])
def test_alpha_is_composited_onto_white_not_black(fmt: str, options: dict[str, Any]) -> None:
    rgba = np.array(
        [[(255, 0, 0, 255), (0, 0, 0, 0)], [(255, 0, 0, 128), (0, 0, 255, 255)]], np.uint8
    )
    decoded = decode_image(save(Image.fromarray(rgba, "RGBA"), fmt, **options)).astype(int)
    np.testing.assert_allclose(decoded[0], [RED, WHITE], atol=1)
    np.testing.assert_allclose(decoded[1], [(255, 127, 127), BLUE], atol=1)
    grey_alpha = Image.fromarray(np.array([[(0, 0), (0, 255), (200, 255)]], np.uint8), "LA")
    decoded_la = decode_image(save(grey_alpha, "PNG"))
    np.testing.assert_array_equal(decoded_la[0], [WHITE, (0, 0, 0), (200, 200, 200)])


def test_greyscale_and_one_bit_images_become_grey_rgb() -> None:
    grey = np.array([[0, 64, 128, 255]], np.uint8)
    np.testing.assert_array_equal(
        decode_image(save(Image.fromarray(grey), "PNG"))[0, :, 1], grey[0]
    )
    bilevel = Image.new("1", (4, 1))
    bilevel.putdata([0, 1, 0, 1])
    decoded = decode_image(save(bilevel, "PNG"))
    np.testing.assert_array_equal(decoded[0], [(0, 0, 0), WHITE, (0, 0, 0), WHITE])
    grey_jpeg = decode_image(save(Image.fromarray(pattern()[:, :, 0]), "JPEG", quality=95))
    assert (grey_jpeg[:, :, 0] == grey_jpeg[:, :, 2]).all()
    assert np.abs(grey_jpeg[:, :, 0].astype(int) - pattern()[:, :, 0]).mean() < 2


# --- EXIF orientation ------------------------------------------------------------------------


@pytest.mark.parametrize("orientation", range(1, 9))
def test_exif_orientation_is_honoured(orientation: int) -> None:
    upright = pattern()
    data = exif_rotated_jpeg(upright, orientation)
    stored = np.asarray(Image.open(io.BytesIO(data)))
    if orientation >= 5:
        assert stored.shape == (64, 48, 3)  # the file holds the picture turned on its side
    elif orientation > 1:
        assert np.abs(stored.astype(int) - upright).mean() > 20  # flipped or upside down
    decoded = decode_image(data)
    assert decoded.shape == upright.shape
    assert np.abs(decoded.astype(int) - upright).mean() < 2


def test_a_real_face_photographed_sideways_comes_back_upright(lfw_dir: Path) -> None:
    path = lfw_image("George_W_Bush", 1)
    if not path.is_file():
        pytest.skip(f"{path} is not present")
    upright = decode_image(path.read_bytes())[:, 25:225]  # 250 x 200: not square, so turns show
    sideways = exif_rotated_jpeg(upright, 6)
    assert Image.open(io.BytesIO(sideways)).size == (250, 200)  # stored 250 wide, 200 high
    decoded = decode_image(sideways)
    assert decoded.shape == (250, 200, 3)
    assert np.abs(decoded.astype(int) - upright).mean() < 2.5


# --- robustness --------------------------------------------------------------------------------


def test_damaged_bytes_never_escape_as_anything_but_a_rejection() -> None:
    rng = np.random.default_rng(7)
    photo = Image.fromarray(pattern(60, 80))
    originals = [
        save(photo, "JPEG"),
        save(photo, "JPEG", progressive=True),
        save(photo, "PNG"),
        save(photo, "WEBP"),
        save(photo.convert("RGBA"), "WEBP", lossless=True),
        save(photo, "MPO", save_all=True, append_images=[photo]),
        exif_rotated_jpeg(pattern(), 6),
    ]
    outcomes: dict[str, int] = {}
    for original in originals:
        for _ in range(40):
            damaged = bytearray(original)
            for position in rng.integers(0, len(damaged), size=int(rng.integers(1, 8))):
                damaged[position] = int(rng.integers(0, 256))
            if rng.random() < 0.3:
                damaged = damaged[: int(rng.integers(1, len(damaged)))]
            try:
                decoded = decode_image(bytes(damaged))
            except ImageRejected as error:
                outcomes[type(error).__name__] = outcomes.get(type(error).__name__, 0) + 1
            else:
                assert decoded.dtype == np.uint8 and decoded.ndim == 3 and decoded.shape[2] == 3
                outcomes["decoded"] = outcomes.get("decoded", 0) + 1
    assert outcomes.get("decoded", 0) > 0 and outcomes.get("CorruptImage", 0) > 0, outcomes
