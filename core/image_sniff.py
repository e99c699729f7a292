"""Recognise image files by their first bytes (magic numbers), never by file names.

``sniff_format`` names the formats we accept; ``unsupported_message`` explains, in words a
chat user can act on, why anything else is refused; ``header_size`` reads the dimensions
straight from the header so they can be checked before Pillow sees the bytes.
"""

from __future__ import annotations

ACCEPTED = "JPEG, PNG or WEBP"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

# SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC), which share the range.
_SOF_MARKERS = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
_HEIF_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1", b"avif"}
_BINARY_KINDS = (
    (b"GIF8", "a GIF"),
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (or an Office document)"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"BM", "a BMP image"),
    (b"\x00\x00\x01\x00", "an icon file"),
    (b"8BPS", "a Photoshop file"),
    (b"%!PS", "a PostScript (EPS) file"),
    (b"\xc5\xd0\xd3\xc6", "a PostScript (EPS) file"),
)
_TEXT_KINDS = (
    (b"<svg", "an SVG drawing"),
    (b"<!doctype html", "a web page (HTML)"),
    (b"<html", "a web page (HTML)"),
    (b"<?xml", "an XML document"),
)


def sniff_format(data: bytes) -> str | None:
    """``"jpeg"`` (MPO included), ``"png"`` or ``"webp"`` from the magic bytes, else ``None``."""
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(PNG_SIGNATURE):
        return "png"
    if data.startswith(b"RIFF") and data[8:12] == b"WEBP":
        return "webp"
    return None


def unsupported_message(data: bytes) -> str:
    """A short message for bytes that are not an accepted format, naming what they look like."""
    if data[4:8] == b"ftyp" and data[8:12] in _HEIF_BRANDS:
        return (
            "That is a HEIC/HEIF photo (the iPhone default), which I cannot read. Please send "
            "it as a JPEG (iPhone: Settings > Camera > Formats > Most Compatible)."
        )
    kind = next((name for magic, name in _BINARY_KINDS if data.startswith(magic)), None)
    if kind == "a GIF":
        return f"That is a GIF; I only read still photos. Please send a {ACCEPTED} photo."
    if kind is None:
        text = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
        kind = next((name for tag, name in _TEXT_KINDS if text.startswith(tag)), None)
        if kind == "an XML document" and b"<svg" in text:
            kind = "an SVG drawing"
    if kind is None:
        return f"That file is not a photo I can read. Please send a {ACCEPTED} photo."
    return f"That file is {kind}, not a photo I can read. Please send a {ACCEPTED} photo."


def header_size(data: bytes, fmt: str) -> tuple[int, int] | None:
    """(width, height) from the JPEG frame header, PNG IHDR or WEBP VP8/VP8L/VP8X chunk.

    ``None`` where it is not found; Pillow then reads the header itself (lazily) and the
    caller checks that size before decoding.
    """
    if fmt == "jpeg":
        return _jpeg_size(data)
    if fmt == "png" and data[12:16] == b"IHDR" and len(data) >= 24:
        return _be(data[16:20]), _be(data[20:24])
    if fmt != "webp" or len(data) < 30:
        return None
    chunk = data[12:16]
    if chunk == b"VP8X":
        return _le(data[24:27]) + 1, _le(data[27:30]) + 1
    if chunk == b"VP8 " and data[23:26] == b"\x9d\x01\x2a":
        return _le(data[26:28]) & 0x3FFF, _le(data[28:30]) & 0x3FFF
    if chunk == b"VP8L" and data[20] == 0x2F:
        bits = _le(data[21:25])
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    return None


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    """Walk the marker segments up to the first frame header (SOF); its first JPEG for MPO."""
    pos = 2
    while pos + 9 <= len(data) and data[pos] == 0xFF:
        marker = data[pos + 1]
        if marker in _SOF_MARKERS:
            return _be(data[pos + 7 : pos + 9]), _be(data[pos + 5 : pos + 7])
        if marker in (0xDA, 0xD9):  # a scan or the end before any frame header
            return None
        if marker == 0xFF:  # fill byte
            pos += 1
        elif 0xD0 <= marker <= 0xD8 or marker == 0x01:  # markers without a length
            pos += 2
        else:
            pos += 2 + _be(data[pos + 2 : pos + 4])
    return None


def _be(raw: bytes) -> int:
    return int.from_bytes(raw, "big")


def _le(raw: bytes) -> int:
    return int.from_bytes(raw, "little")
