"""Safe decoding of untrusted photo bytes into an RGB uint8 array (H x W x 3).

Order of checks, cheapest first: empty, byte cap, magic bytes (JPEG/MPO, PNG, WEBP only),
the file's structure (scan, chunk and segment counts; metadata dropped: ``core.image_structure``),
size from the header (pixels and each side) before any pixel is decoded, then Pillow decodes
the first frame only, in a child process under a CPU-time budget (``core.decode_budget``)
unless the header shows a photo small enough that its decode is bounded already, EXIF orientation is applied and every mode is normalised to RGB.
Each rejection is an ``ImageRejected`` subclass from ``core.errors`` with a friendly message.
Pillow's global settings (``LOAD_TRUNCATED_IMAGES``, ``MAX_IMAGE_PIXELS``) are never changed.
"""

from __future__ import annotations

import io
import struct
import warnings
import zlib
from dataclasses import dataclass, field
from functools import partial

import numpy as np
from numpy.typing import NDArray
from PIL import Image, ImageOps

from core.decode_budget import Allocate, can_isolate, run_bounded
from core.errors import CorruptImage, EmptyImage, ImageTooLarge, UnsupportedImageType
from core.image_sniff import header_size, sniff_format, unsupported_message
from core.image_structure import StructureLimits, tidy

__all__ = ["ImageLimits", "decode_image", "sniff_format"]

_PILLOW_FORMAT = {"jpeg": "JPEG", "png": "PNG", "webp": "WEBP"}  # "JPEG" opens MPO as well
_BAND_PIXELS = 1 << 20
_SIXTEEN_BIT_MODES = {"I;16", "I;16L", "I;16B", "I;16N", "I"}
_DECODE_ERRORS = (
    OSError,  # includes "image file is truncated" and Pillow's UnidentifiedImageError
    SyntaxError,
    ValueError,
    EOFError,
    IndexError,
    TypeError,
    KeyError,
    struct.error,
    zlib.error,
)


@dataclass(frozen=True)
class ImageLimits:
    """What an incoming photo may cost. ``max_pixels`` is the main rule; ``max_side`` stops
    absurd strips (say 1 x 30,000) that are few pixels but no photo. ``decode_cpu_s`` bounds
    the work of one decode (a 36 MP JPEG takes well under a second); ``None`` decodes in this
    process without a budget (trusted local files only). A photo whose header says at most
    ``isolate_above_pixels`` is decoded here even so: with the structure bounds its decode
    cannot come near the budget (4 MP at the 100-scan bound: 0.31 s of CPU, measured with
    ``benchmarks/bench_decode_bounds.py``), and the fork would cost more than the decode."""

    max_bytes: int = 10 * 1024 * 1024
    max_pixels: int = 40_000_000
    max_side: int = 20_000
    decode_cpu_s: int | None = 4
    isolate_above_pixels: int = 4_000_000
    structure: StructureLimits = field(default_factory=StructureLimits)


DEFAULT_LIMITS = ImageLimits()


def decode_image(data: bytes, limits: ImageLimits = DEFAULT_LIMITS) -> NDArray[np.uint8]:
    """Decode untrusted ``data`` into a new, writable H x W x 3 RGB uint8 array (no metadata).

    Raises ``EmptyImage``, ``ImageTooLarge``, ``UnsupportedImageType``, ``ImageTooComplex``,
    ``DecodeTooSlow`` or ``CorruptImage``.
    """
    if not data:
        raise EmptyImage()
    if len(data) > limits.max_bytes:
        raise ImageTooLarge(
            f"That file is {_mb(len(data))} MB; I accept photos up to {_mb(limits.max_bytes)} MB. "
            "Please send a smaller or more compressed photo.",
            detail=f"{len(data)} bytes",
        )
    fmt = sniff_format(data)
    if fmt is None:
        raise UnsupportedImageType(unsupported_message(data), detail=f"starts {data[:8]!r}")
    data = tidy(data, fmt, limits.structure)
    size = header_size(data, fmt)
    if size is not None:
        _check_size(size, limits)
    work = partial(_decode, data, fmt, limits)
    small = size is not None and size[0] * size[1] <= limits.isolate_above_pixels
    if limits.decode_cpu_s is None or small or not can_isolate():
        return work(_allocate_here)
    capacity = 3 * (size[0] * size[1] if size is not None else limits.max_pixels)
    return run_bounded(work, capacity, cpu_s=limits.decode_cpu_s,
                       wall_s=10.0 + 5.0 * limits.decode_cpu_s)


def _decode(data: bytes, fmt: str, limits: ImageLimits, allocate: Allocate) -> NDArray[np.uint8]:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            # Pillow's notes on broken metadata ("Corrupt EXIF data"...) are about bytes a
            # stranger sent and metadata that is dropped anyway: nothing an operator can act on.
            warnings.filterwarnings("ignore", category=UserWarning, module=r"PIL\.")
            with Image.open(io.BytesIO(data), formats=[_PILLOW_FORMAT[fmt]]) as image:
                _check_size(image.size, limits)  # header only so far: Pillow opens lazily
                image.load()  # the first frame only (frame 0 of MPO, animated WEBP, APNG)
                ImageOps.exif_transpose(image, in_place=True)
                return _to_rgb(image, allocate)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageTooLarge(
            "That photo has too many pixels. Please send a smaller photo.", detail=str(exc)
        ) from exc
    except _DECODE_ERRORS as exc:
        raise CorruptImage(detail=f"{fmt}: {type(exc).__name__}: {exc}") from exc


def _allocate_here(shape: tuple[int, int, int]) -> NDArray[np.uint8]:
    return np.empty(shape, dtype=np.uint8)


def _check_size(size: tuple[int, int], limits: ImageLimits) -> None:
    width, height = size
    if width <= 0 or height <= 0:
        raise CorruptImage(detail=f"header says {width} x {height}")
    if width * height > limits.max_pixels:
        raise ImageTooLarge(
            f"That photo is {width} x {height} pixels ({_mp(width * height)} megapixels); "
            f"I accept up to {_mp(limits.max_pixels)} megapixels. Please send a smaller photo.",
            detail=f"{width}x{height}",
        )
    if max(width, height) > limits.max_side:
        raise ImageTooLarge(
            f"That image is {width} x {height} pixels; each side may be at most "
            f"{limits.max_side} pixels. Please send an ordinary photo.",
            detail=f"{width}x{height}",
        )


def _to_rgb(image: Image.Image, allocate: Allocate) -> NDArray[np.uint8]:
    """Convert a band of rows at a time into the result, so that no second full-size image
    (nor Pillow's full-size byte string behind np.asarray) exists at any moment."""
    width, height = image.size
    rgb = allocate((height, width, 3))
    rows = max(1, _BAND_PIXELS // width)
    for top in range(0, height, rows):
        rgb[top : top + rows] = _rgb_band(image.crop((0, top, width, min(height, top + rows))))
    return rgb


def _rgb_band(band: Image.Image) -> NDArray[np.uint8]:
    if band.mode in _SIXTEEN_BIT_MODES:  # 16-bit greyscale PNG: scale 0..65535 to 0..255
        wide = np.clip(np.asarray(band), 0, 65535).astype(np.uint32)
        grey: NDArray[np.uint8] = ((wide + 128) // 257).astype(np.uint8)
        return grey[:, :, None]  # one channel, broadcast to three by the caller
    if band.has_transparency_data:  # RGBA, LA, PA, P or L with tRNS: composite onto white
        white = Image.new("RGBA", band.size, (255, 255, 255, 255))
        band = Image.alpha_composite(white, band.convert("RGBA"))
    # CMYK (the JPEG reader already undid Adobe's inversion), L, 1, P, RGBA after compositing
    return np.asarray(band if band.mode == "RGB" else band.convert("RGB"))


def _mb(n_bytes: int) -> str:
    return f"{round(n_bytes / 2**20, 1):g}"


def _mp(pixels: int) -> str:
    return f"{round(pixels / 1e6, 1):g}"
