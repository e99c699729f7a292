"""The recognizer in f32 (ONNX Runtime, OpenVINO) and bf16 (OpenVINO): ms per image and how far
bf16 scores are from f32 ones, on aligned LFW crops — why the `fast` saliency profile scores only
the removal's first pass in bf16.

    python benchmarks/bench_precision.py --images 64

Each runtime runs one crop per call on one thread (as each face's saliency thread does). The
score error is |<e_bf16(x), e(y)> - <e_f32(x), e(y)>| over every pair of the crops, e(y) in f32.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.openvino_session import OpenVinoSession  # noqa: E402
from core.recognizer import OnnxRecognizer, Recognizer  # noqa: E402

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
MODEL = SHARED / "models" / "mobilefacenet" / "mobilefacenet_128d.onnx"


def timed(recognizer: Recognizer, crops: np.ndarray) -> tuple[np.ndarray, float]:
    recognizer.embed(crops[:1])  # warm-up
    start = time.perf_counter()
    rows = np.concatenate([recognizer.embed(crops[i : i + 1]) for i in range(len(crops))])
    return rows, 1e3 * (time.perf_counter() - start) / len(crops)


def main() -> None:
    from PIL import Image

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--images", type=int, default=64)
    args = parser.parse_args()
    files = sorted((SHARED / "data" / "lfw" / "aligned-112").rglob("*.jpg"))[: args.images]
    crops = np.stack([np.asarray(Image.open(f).convert("RGB"), np.float32) for f in files])
    print(f"{len(crops)} LFW crops, one per call, one thread; load {os.getloadavg()[0]:.2f}")
    reference, ms = timed(OnnxRecognizer.from_file(MODEL, threads=1), crops)
    print(f"{'ONNX Runtime f32':<20}{ms:8.2f} ms per image")
    for precision in ("f32", "bf16"):
        session = OpenVinoSession.open(MODEL, precision=precision, threads=1)
        rows, ms = timed(OnnxRecognizer(session, name=precision, sha256=""), crops)
        error = np.abs(rows @ reference.T - reference @ reference.T)
        print(f"{'OpenVINO ' + precision:<20}{ms:8.2f} ms per image; score error vs f32: "
              f"mean {error.mean():.4f}, max {error.max():.4f}")
    print(f"load average after: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")


if __name__ == "__main__":
    main()
