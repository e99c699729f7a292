"""What a Celery job carries for one photo (issue 15.9): the raw RGB array (before) and the
lossless PNG re-encoding without metadata (after), for a 12 MP phone-sized photo, pickled as
Celery pickles it; with the bot's encode and the worker's decode times.

The photo: an LFW face scaled to 4000 x 3000 with a little sensor-like noise (sigma 3), as
a JPEG at quality 92 (a smooth upscale alone would compress far better than a real photo).

    python -m benchmarks.bench_job_payload [--side 4000x3000] [--repeats 3]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import pickle
import statistics
import time

import numpy as np
from PIL import Image

from bot.dialogue.png_photo import decode_png, encode_png
from core.image_input import DEFAULT_LIMITS, ImageLimits, decode_image
from tests.conftest import lfw_image


def phone_photo(width: int, height: int) -> bytes:
    face = Image.open(lfw_image("Abel_Pacheco", 1)).convert("RGB")
    big = np.asarray(face.resize((width, height), Image.Resampling.BICUBIC), dtype=np.int16)
    noisy = big + np.random.default_rng(0).normal(0, 3, big.shape)
    out = io.BytesIO()
    Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8)).save(out, "JPEG", quality=92)
    return out.getvalue()


def median_s(call: object, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        began = time.perf_counter()
        call()  # type: ignore[operator]
        times.append(time.perf_counter() - began)
    return round(statistics.median(times), 3)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--side", default="4000x3000")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    width, height = (int(n) for n in args.side.split("x"))
    jpeg = phone_photo(width, height)
    pixels = decode_image(jpeg, ImageLimits(isolate_above_pixels=0))
    photo = encode_png(pixels)
    assert np.array_equal(decode_png(photo, DEFAULT_LIMITS), pixels)  # lossless
    print(json.dumps({
        "loadavg": os.getloadavg()[0], "photo": f"{width}x{height}", "jpeg_bytes": len(jpeg),
        "before_raw_array_pickled_bytes": len(pickle.dumps(pixels)),
        "after_png_pickled_bytes": len(pickle.dumps(photo)),
        "bot_encode_s": median_s(lambda: encode_png(pixels), args.repeats),
        "worker_decode_s": median_s(lambda: decode_png(photo, DEFAULT_LIMITS), args.repeats),
    }, indent=1))


if __name__ == "__main__":
    main()
