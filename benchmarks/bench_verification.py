"""Latency of one verification (both photos) split by stage, and pairs per second.

    python benchmarks/bench_verification.py --model-dir ../shared/models --pairs 200

Uses the first N pairs of LFW View 2 from the deep-funneled JPEG files (bytes read up front,
so disk time is not counted). Needs `facexplain calibrate` first.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from bot.composition import build_verifier
from bot.settings import load_settings
from core.lfw import view2

STAGES = ("decode", "detect", "align", "embed", "score")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model-dir", type=Path, default=None)
    parser.add_argument("--lfw-dir", type=Path, default=None)
    parser.add_argument("--pairs", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=5)
    args = parser.parse_args()
    overrides = {k: v for k, v in (("model_dir", args.model_dir), ("lfw_dir", args.lfw_dir)) if v}
    settings = load_settings(**overrides)
    verifier = build_verifier(settings)
    root = settings.lfw_dir / "deepfunneled"
    pairs = view2(settings.lfw_dir)[: args.pairs + args.warmup]
    photos = [((root / p.a).read_bytes(), (root / p.b).read_bytes()) for p in pairs]
    for a, b in photos[: args.warmup]:
        verifier.compare(a, b)
    rows: dict[str, list[float]] = {s: [] for s in (*STAGES, "total")}
    start_all = time.perf_counter()
    for a, b in photos[args.warmup :]:
        t0 = time.perf_counter()
        result = verifier.compare(a, b)
        total = (time.perf_counter() - t0) * 1e3
        t = result.comparison.timings_ms
        for stage in STAGES:
            rows[stage].append(sum(v for k, v in t.items() if k == stage or k.startswith(stage + "_")))
        rows["total"].append(total)
    elapsed = time.perf_counter() - start_all
    n = len(rows["total"])
    print(f"{verifier.pipeline.detector.name} + {verifier.pipeline.recognizer.name}, {n} pairs (both photos)")
    print(f"{'stage':<8} {'p50 ms':>8} {'p95 ms':>8} {'mean ms':>8}")
    for stage, values in rows.items():
        arr = np.asarray(values)
        print(f"{stage:<8} {np.percentile(arr, 50):8.1f} {np.percentile(arr, 95):8.1f} {arr.mean():8.1f}")
    print(f"pairs per second: {n / elapsed:.1f}")


if __name__ == "__main__":
    main()
