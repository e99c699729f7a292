"""Bound the work of a decode from the file's structure, and strip the metadata we never read.

Pixels are bounded by the header; the work of a decode is bounded here, before Pillow sees
the bytes, by walking the container:

- JPEG: at most ``max_jpeg_scans`` scans (SOS markers) in the first picture. Cameras and
  common encoders write 1 (baseline) to about 20 scans (libjpeg's progressive script: 10 for
  colour; mozjpeg's scan optimisation: up to about 20); every further scan of a progressive
  photo is another full pass over all its coefficients (about 40 ms for 36 MP), so a file that
  repeats a scan 2,000 times costs over a minute. 100 leaves five times the most we have seen
  and keeps the worst case at a few seconds. Also at most ``max_segments`` marker segments.
- PNG: at most ``max_png_chunks`` chunks (libpng writes 8 KB IDAT chunks: a 10 MB photo has
  about 1,300; Pillow walks each chunk in Python).
- WEBP: at most ``max_webp_chunks`` RIFF chunks (each animation frame is one).

Metadata policy, the same for every format: everything but what decoding needs is dropped
(text, XMP, ICC profiles, thumbnails, maker notes, comments, anything after the picture such as
an appended ZIP or the second picture of an MPO). The only metadata kept is the first EXIF
block when it is at most 64 KB (a JPEG segment's own limit), for the orientation tag; it is
read in memory and never stored (the decoder returns pixels only).
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass

from core.errors import ImageTooComplex

MAX_EXIF_BYTES = 64 * 1024
# Any marker except RSTn (D0-D7), byte stuffing (FF00) and fill bytes (FF): what ends a scan.
_JPEG_MARKER = re.compile(rb"\xff[\x01\xc0-\xcf\xd8-\xfe]")
_JPEG_APP0, _JPEG_APP1, _JPEG_APP14, _JPEG_COM, _JPEG_SOS, _JPEG_EOI = (
    0xE0, 0xE1, 0xEE, 0xFE, 0xDA, 0xD9)
_PNG_KEPT_ANCILLARY = {b"tRNS", b"gAMA", b"cHRM", b"sRGB", b"sBIT", b"bKGD", b"pHYs", b"acTL",
                       b"fcTL", b"fdAT"}
_WEBP_METADATA_FLAGS = {b"ICCP": 0x20, b"EXIF": 0x08, b"XMP ": 0x04}
_WEBP_KEPT = {b"VP8 ", b"VP8L", b"VP8X", b"ALPH", b"ANIM", b"ANMF"}


@dataclass(frozen=True)
class StructureLimits:
    max_jpeg_scans: int = 100
    max_segments: int = 1_000
    max_png_chunks: int = 10_000
    max_webp_chunks: int = 1_000


def tidy(data: bytes, fmt: str, limits: StructureLimits = StructureLimits()) -> bytes:
    """``data`` with metadata dropped; raises ``ImageTooComplex`` past a structure bound.

    Damage is left for the decoder to find (a cut-off file stays cut off), so its message
    stays the same.
    """
    if fmt == "jpeg":
        return _jpeg(data, limits)
    if fmt == "png":
        return _png(data, limits)
    if fmt == "webp":
        return _webp(data, limits)
    raise ValueError(f"unknown format {fmt!r}")


def _too_complex(what: str, bound: int) -> ImageTooComplex:
    return ImageTooComplex(
        f"That photo is stored in an unusual way that would take too long to read ({what}; "
        f"I read up to {bound:,}). Please send it as an ordinary JPEG or PNG photo.",
        detail=what)


def _jpeg(data: bytes, limits: StructureLimits) -> bytes:
    kept: list[bytes] = []
    pos = copied = 2
    scans = segments = 0
    exif_seen = app0_seen = False
    while (found := _JPEG_MARKER.search(data, pos)) is not None:
        start, marker = found.start(), data[found.start() + 1]
        if marker == _JPEG_EOI:  # the first picture ends here; nothing after it is read
            return data[:2] + b"".join(kept) + data[copied : start + 2]
        if marker in (0xD8, 0x01):  # SOI, TEM: no length
            pos = start + 2
            continue
        if start + 4 > len(data):
            break
        end = start + 2 + struct.unpack(">H", data[start + 2 : start + 4])[0]
        segments += 1
        if segments > limits.max_segments:
            raise _too_complex(f"more than {limits.max_segments:,} segments",
                               limits.max_segments)
        if marker == _JPEG_SOS:
            scans += 1
            if scans > limits.max_jpeg_scans:
                raise _too_complex(f"more than {limits.max_jpeg_scans} progressive scans",
                                   limits.max_jpeg_scans)
        drop = False
        if marker == _JPEG_APP0:
            drop, app0_seen = app0_seen, True
        elif marker == _JPEG_APP1 and data[start + 4 : start + 10] == b"Exif\x00\x00":
            drop, exif_seen = exif_seen, True
        elif _JPEG_APP1 <= marker < _JPEG_APP14 or marker in (0xEF, _JPEG_COM):
            drop = True
        if drop:
            kept.append(data[copied:start])
            copied = end
        pos = max(end, start + 2)
    return data[:2] + b"".join(kept) + data[copied:]  # no end marker: cut off, for the decoder


def _png(data: bytes, limits: StructureLimits) -> bytes:
    kept, pos, chunks, exif_seen = [data[:8]], 8, 0, False
    while pos + 12 <= len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        end = pos + 12 + length
        chunks += 1
        if chunks > limits.max_png_chunks:
            raise _too_complex(f"more than {limits.max_png_chunks:,} chunks",
                               limits.max_png_chunks)
        critical = kind[:1].isupper()
        keep = critical or kind in _PNG_KEPT_ANCILLARY
        if kind == b"eXIf" and not exif_seen and length <= MAX_EXIF_BYTES:
            keep = exif_seen = True
        if keep:
            kept.append(data[pos:end])
        if kind == b"IEND" or end > len(data):
            return b"".join(kept)
        pos = end
    kept.append(data[pos:])
    return b"".join(kept)


def _webp(data: bytes, limits: StructureLimits) -> bytes:
    if len(data) < 12:
        return data
    declared_end = 8 + struct.unpack("<I", data[4:8])[0]
    kept: list[bytes] = []
    pos, chunks, exif_seen, cleared, vp8x_at = 12, 0, False, 0, -1
    while pos + 8 <= min(len(data), declared_end):
        kind, length = struct.unpack("<4sI", data[pos : pos + 8])
        end = pos + 8 + length + (length & 1)
        chunks += 1
        if chunks > limits.max_webp_chunks:
            raise _too_complex(f"more than {limits.max_webp_chunks:,} chunks",
                               limits.max_webp_chunks)
        keep = kind in _WEBP_KEPT
        if kind == b"EXIF" and not exif_seen and length <= MAX_EXIF_BYTES:
            keep = exif_seen = True
        if kind == b"VP8X":
            vp8x_at = sum(map(len, kept))
        if keep:
            kept.append(data[pos:end])
        else:
            cleared |= _WEBP_METADATA_FLAGS.get(kind, 0)
        pos = end
    if pos < min(len(data), declared_end):
        kept.append(data[pos:declared_end])
    body = bytearray(b"".join(kept))
    if vp8x_at >= 0 and len(body) > vp8x_at + 8:
        body[vp8x_at + 8] &= ~cleared & 0xFF
    if len(data) < declared_end:  # cut off: keep it so, for the decoder to say
        return data[:8] + data[8:12] + bytes(body)
    return b"RIFF" + struct.pack("<I", 4 + len(body)) + b"WEBP" + bytes(body)


__all__ = ["MAX_EXIF_BYTES", "StructureLimits", "tidy"]
