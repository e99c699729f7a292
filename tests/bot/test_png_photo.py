"""The PNG a Celery job carries for a photo: lossless, metadata-free, and decoded in the worker
under the photo bounds (only the byte cap fits a lossless PNG of the largest photo allowed)."""

from __future__ import annotations

import numpy as np
import pytest

from bot.dialogue.png_photo import decode_png, encode_png, png_limits
from core.errors import ImageTooLarge
from core.image_input import ImageLimits, decode_image

SMALL = ImageLimits(max_bytes=1024 * 1024, max_pixels=1_000_000, decode_cpu_s=None)


def noise(height: int, width: int) -> np.ndarray:
    return np.random.default_rng(1).integers(0, 256, (height, width, 3), dtype=np.uint8)


def test_a_png_over_the_photo_byte_cap_but_within_the_pixel_bound_is_decoded() -> None:
    pixels = noise(1000, 1000)  # incompressible: about 3 MB, three times the byte cap
    photo = encode_png(pixels)
    assert len(photo.png) > SMALL.max_bytes
    with pytest.raises(ImageTooLarge):
        decode_image(photo.png, SMALL)  # as an upload it would be refused
    assert np.array_equal(decode_png(photo, SMALL), pixels)
    assert png_limits(SMALL).max_bytes >= len(photo.png)


def test_a_png_past_the_pixel_bound_is_refused_in_the_worker() -> None:
    with pytest.raises(ImageTooLarge):
        decode_png(encode_png(noise(1001, 1000)), SMALL)
