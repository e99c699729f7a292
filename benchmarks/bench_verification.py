"""Latency of one verification (both photos) split by stage, and pairs per second.

    python benchmarks/bench_verification.py --model-dir ../shared/models --pairs 200
    python benchmarks/bench_verification.py --model-dir ../shared/models --pairs 150 --vs-insightface

Uses the first N pairs of LFW View 2 from the deep-funneled JPEG files (bytes read up front,
so disk time is not counted). Needs `facexplain calibrate` first. ``--vs-insightface`` also runs
insightface 2.1's pipeline (benchmarks/insightface_pipeline.py) on the same pairs, interleaved
in blocks of ``--block`` pairs (which one goes first alternates per block), prints both rates and
their ratio, and checks that the project's templates are bit-identical to those of the plain
serial pipeline. Why blocks: insightface's sessions keep ONNX Runtime's default intra-op threads,
which spin for a while after each call, so with ``--block 1`` each pipeline runs against the
other's spinning threads (the one that runs right after insightface loses most); blocks of 10
pairs keep each in its steady state while a change of load still falls on both alike.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bot.composition import build_verifier  # noqa: E402
from bot.settings import load_settings  # noqa: E402
from core.lfw import view2  # noqa: E402

STAGES = ("decode", "detect", "align", "embed", "score")


def percentiles(name: str, values: list[float]) -> str:
    arr = np.asarray(values)
    return f"{name:<12} {np.percentile(arr, 50):8.1f} {np.percentile(arr, 95):8.1f} {arr.mean():8.1f}"


def stage_report(verifier, photos) -> None:  # type: ignore[no-untyped-def]
    rows: dict[str, list[float]] = {s: [] for s in (*STAGES, "total")}
    start_all = time.perf_counter()
    for a, b in photos:
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
    print(f"{'stage':<12} {'p50 ms':>8} {'p95 ms':>8} {'mean ms':>8}")
    for stage, values in rows.items():
        print(percentiles(stage, values))
    print(f"pairs per second: {n / elapsed:.1f}")


def versus_insightface(settings, verifier, photos, block: int) -> None:  # type: ignore[no-untyped-def]
    from insightface_pipeline import InsightfacePipeline

    from bot.composition import build_pipeline
    from core.model_files import resolve_model

    theirs = InsightfacePipeline(resolve_model(settings.model_dir, settings.scrfd_model),
                                 resolve_model(settings.model_dir, settings.recognizer_model),
                                 max_size=settings.detector_max_size)
    ours_ms: list[float] = []
    theirs_ms: list[float] = []
    runs = [(ours_ms, verifier.compare), (theirs_ms, theirs.score)]
    for k, start in enumerate(range(0, len(photos), block)):
        for times, run in runs if k % 2 == 0 else runs[::-1]:
            for a, b in photos[start : start + block]:
                t0 = time.perf_counter()
                run(a, b)
                times.append((time.perf_counter() - t0) * 1e3)
    ours_rate, theirs_rate = 1e3 * len(ours_ms) / sum(ours_ms), 1e3 * len(theirs_ms) / sum(theirs_ms)
    print(f"same {len(photos)} LFW View 2 pairs, interleaved in blocks of {block}, mirror-averaged, "
          "same model files")
    print(f"{'pipeline':<12} {'p50 ms':>8} {'p95 ms':>8} {'mean ms':>8}  pairs/s")
    print(percentiles("facexplain", ours_ms) + f"  {ours_rate:7.1f}")
    print(percentiles("insightface", theirs_ms) + f"  {theirs_rate:7.1f}")
    print(f"ratio (facexplain / insightface pairs per second): {ours_rate / theirs_rate:.2f}x")
    plain = build_pipeline(settings.model_copy(update={"onnx_threads": 0, "verify_workers": 1}))
    fast = verifier.pipeline
    worst = 0.0
    for a, b in photos[:20]:
        for photo in (a, b):
            worst = max(worst, float(np.abs(plain.prepare(photo).embedding - fast.prepare(photo).embedding).max()))
    print(f"templates vs the plain serial pipeline (20 pairs): max abs difference {worst:g}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model-dir", type=Path, default=None)
    parser.add_argument("--lfw-dir", type=Path, default=None)
    parser.add_argument("--pairs", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--vs-insightface", action="store_true",
                        help="Also time insightface 2.1's pipeline on the same pairs, interleaved.")
    parser.add_argument("--block", type=int, default=10,
                        help="With --vs-insightface: pairs per turn of each pipeline (1: per pair).")
    parser.add_argument("--decode-in-process", action="store_true",
                        help="Decode every photo in this process, never in the CPU-bounded child "
                             "(the product uses the child only above 4 MP, so not for LFW).")
    args = parser.parse_args()
    overrides = {k: v for k, v in (("model_dir", args.model_dir), ("lfw_dir", args.lfw_dir)) if v}
    settings = load_settings(**overrides)
    verifier = build_verifier(settings)
    if args.decode_in_process:
        from dataclasses import replace

        verifier.pipeline.limits = replace(verifier.pipeline.limits, decode_cpu_s=None)
        print("decoding in process (not in a CPU-bounded child)")
    root = settings.lfw_path / "deepfunneled"
    pairs = view2(settings.lfw_path)[: args.pairs + args.warmup]
    photos = [((root / p.a).read_bytes(), (root / p.b).read_bytes()) for p in pairs]
    for a, b in photos[: args.warmup]:
        verifier.compare(a, b)
    print(f"load average before: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    if args.vs_insightface:
        versus_insightface(settings, verifier, photos[args.warmup :], max(1, args.block))
    else:
        stage_report(verifier, photos[args.warmup :])
    print(f"load average after: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")


if __name__ == "__main__":
    main()
