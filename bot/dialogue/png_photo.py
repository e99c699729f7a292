"""A photo as a job waiting in Redis carries it: its pixels re-encoded as a lossless PNG with
no metadata (no EXIF, ICC, XMP or text chunks: Pillow writes IHDR, IDAT and IEND only), about
a third of the raw array's size. The worker decodes it with the same safe decoder and bounds
as any photo; only the byte cap is raised to what a lossless PNG of the largest photo allowed
may need (``png_limits``)."""

from __future__ import annotations

import io
from dataclasses import dataclass, field, replace

import numpy as np
from numpy.typing import NDArray
from PIL import Image

from core.image_input import ImageLimits, decode_image

# zlib's fastest level: 12 MP encode in well under a second, and a third of the raw size
COMPRESS_LEVEL = 1
_OVERHEAD = 1024 * 1024  # chunk headers and zlib's stored-block overhead, with room to spare


@dataclass(frozen=True)
class PngPhoto:
    """Pixels re-encoded by the bot: a PNG of ``width`` x ``height`` RGB."""

    png: bytes = field(repr=False)
    width: int
    height: int


def encode_png(pixels: NDArray[np.uint8]) -> PngPhoto:
    """``pixels`` (H x W x 3) as a lossless PNG without any metadata chunk."""
    out = io.BytesIO()
    Image.fromarray(pixels, "RGB").save(out, "PNG", compress_level=COMPRESS_LEVEL)
    height, width = pixels.shape[:2]
    return PngPhoto(out.getvalue(), width, height)


def png_limits(limits: ImageLimits) -> ImageLimits:
    """``limits`` with a byte cap that fits a lossless PNG of ``max_pixels`` (3 bytes a pixel,
    a filter byte a row): its pixel, side, structure and CPU bounds stay."""
    needed = 4 * limits.max_pixels + _OVERHEAD
    return replace(limits, max_bytes=max(limits.max_bytes, needed))


def decode_png(photo: PngPhoto, limits: ImageLimits) -> NDArray[np.uint8]:
    """The pixels back, decoded as untrusted input under ``png_limits(limits)``."""
    return decode_image(photo.png, png_limits(limits))
