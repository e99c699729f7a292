"""Image bytes built in tests: hand-written PNGs (16-bit, huge headers) and EXIF-rotated JPEGs.

Import from any test: ``from tests.core.image_fixtures import exif_rotated_jpeg``.
"""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np
from numpy.typing import NDArray
from PIL import Image

from core.image_sniff import PNG_SIGNATURE

_COLOR_TYPE = {1: 0, 2: 4, 3: 2, 4: 6}  # channels -> PNG colour type (grey, grey+alpha, RGB, RGBA)

# What to store so that a viewer applying the EXIF orientation shows the original pixels.
_STORE_FOR_ORIENTATION = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_90,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_270,
}


def exif_rotated_jpeg(rgb: NDArray[np.uint8], orientation: int, quality: int = 95) -> bytes:
    """JPEG bytes whose stored pixels are turned so that honouring EXIF ``orientation`` gives ``rgb``.

    This is what a phone writes: the sensor's pixels plus a tag saying how to turn them.
    Orientation 1 stores ``rgb`` as it is (with the tag present).
    """
    if not 1 <= orientation <= 8:
        raise ValueError(f"EXIF orientation must be 1..8, not {orientation}")
    image = Image.fromarray(np.ascontiguousarray(rgb, dtype=np.uint8), "RGB")
    if orientation != 1:
        image = image.transpose(_STORE_FOR_ORIENTATION[orientation])
    exif = Image.Exif()
    exif[0x0112] = orientation
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality, exif=exif.tobytes())
    return buffer.getvalue()


def png_chunk(tag: bytes, payload: bytes) -> bytes:
    crc = zlib.crc32(tag + payload) & 0xFFFFFFFF
    return struct.pack(">I", len(payload)) + tag + payload + struct.pack(">I", crc)


def png_ihdr(width: int, height: int, bit_depth: int, color_type: int) -> bytes:
    return png_chunk(
        b"IHDR", struct.pack(">IIBBBBB", width, height, bit_depth, color_type, 0, 0, 0)
    )


def encode_png(pixels: NDArray[np.uint8] | NDArray[np.uint16]) -> bytes:
    """A PNG written by hand, so 16-bit colour works (Pillow cannot write 16-bit RGB)."""
    grid = pixels if pixels.ndim == 3 else pixels[:, :, None]
    height, width, channels = grid.shape
    bit_depth = 16 if grid.dtype == np.uint16 else 8
    samples = grid.astype(">u2" if bit_depth == 16 else np.uint8)
    raw = b"".join(b"\x00" + samples[row].tobytes() for row in range(height))
    return (
        PNG_SIGNATURE
        + png_ihdr(width, height, bit_depth, _COLOR_TYPE[channels])
        + png_chunk(b"IDAT", zlib.compress(raw, 6))
        + png_chunk(b"IEND", b"")
    )


def black_png_streamed(width: int, height: int, with_pixels: bool = True) -> bytes:
    """A valid 8-bit greyscale PNG of any size, all black, without ever allocating its pixels.

    Every row is filter byte 0 followed by zero samples, so the raw stream is all zeros and is
    compressed 1 MiB at a time (a 20,000 x 20,000 image becomes about 2 MB: a classic
    decompression bomb). ``with_pixels=False`` leaves the IDAT chunk out: the header alone.
    """
    parts = [PNG_SIGNATURE, png_ihdr(width, height, 8, 0)]
    if with_pixels:
        compressor = zlib.compressobj(1)
        zeros = bytes(1 << 20)
        remaining = height * (width + 1)
        compressed = []
        while remaining > 0:
            step = min(remaining, len(zeros))
            compressed.append(compressor.compress(zeros[:step]))
            remaining -= step
        compressed.append(compressor.flush())
        parts.append(png_chunk(b"IDAT", b"".join(compressed)))
    parts.append(png_chunk(b"IEND", b""))
    return b"".join(parts)


def webp_vp8x_header(width: int, height: int) -> bytes:
    """Just the RIFF/WEBP header and VP8X chunk of an (animated) WEBP canvas, no frames."""
    vp8x = (
        b"\x02\x00\x00\x00" + (width - 1).to_bytes(3, "little") + (height - 1).to_bytes(3, "little")
    )
    body = b"WEBP" + b"VP8X" + struct.pack("<I", len(vp8x)) + vp8x
    return b"RIFF" + struct.pack("<I", len(body)) + body


def progressive_jpeg_repeating_last_scan(width: int, height: int, repeats: int) -> bytes:
    """A valid progressive JPEG whose last scan appears ``repeats`` extra times: each repeat
    is another full pass of the decoder over every coefficient (the decode-time bomb)."""
    buffer = io.BytesIO()
    image = Image.new("RGB", (width, height), (120, 130, 140))
    image.save(buffer, "JPEG", progressive=True, quality=80)
    data = buffer.getvalue()
    last_scan = data.rindex(b"\xff\xda")
    return data[:-2] + data[last_scan:-2] * repeats + b"\xff\xd9"
