"""MinPlus saliency: time per pair, recognizer evaluations, time outside the recognizer, and how
well a fast profile agrees with the paper profile.

    python benchmarks/bench_saliency.py --pairs 4 --profiles interactive,paper

Pairs: the first ``--pairs`` of LFW View 2 pairs.txt, alternating genuine and impostor, read
from ../shared/data/lfw/aligned-112 (already aligned crops) and embedded by the shared
MobileFaceNet (batch size 1). Each pair gets all five maps for both faces. Time inside the
recognizer is measured by wrapping ``embed``; everything else (masks, candidates, smoothing,
bookkeeping) is "outside". Agreement is measured against ``--reference`` (default paper) on
every face: Pearson and Spearman correlation of the dense maps, whether the hottest cell of a
4 x 4 partition of the crop (28 px cells) is the same, the distance between the two maps'
hottest pixels, and, when core/regions.py and core/table.py are present, the share of equal
cells of the explainability table (9 regions x 5 methods, levels 1..5) and whether the most
important region (by Mean) is the same. ``--extra nh=71,d=12,tmax=3`` adds custom settings.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from PIL import Image
from scipy.stats import pearsonr, spearmanr

from core.comparison import METHODS
from core.lfw import read_pairs
from core.recognizer import OnnxRecognizer
from core.saliency import PROFILES, SaliencyMaps, SaliencyParams, explain_pair, with_changes

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
CELLS = 4


class TimedRecognizer:
    """Forwards to a recognizer and adds up the wall time spent inside ``embed``."""

    def __init__(self, inner: OnnxRecognizer) -> None:
        self.inner, self.name, self.sha256 = inner, inner.name, inner.sha256
        self.batch_size = inner.batch_size
        self.seconds = 0.0

    def embed(self, crops: NDArray[Any]) -> NDArray[np.float32]:
        start = time.perf_counter()
        try:
            return self.inner.embed(crops)
        finally:
            self.seconds += time.perf_counter() - start


def load_pairs(lfw: Path, count: int) -> list[tuple[str, NDArray[np.uint8], NDArray[np.uint8]]]:
    pairs = read_pairs(lfw / "pairs.txt")
    genuine, impostor = [p for p in pairs if p.same], [p for p in pairs if not p.same]
    chosen = [p for two in zip(genuine, impostor, strict=False) for p in two][:count]
    root = lfw / "aligned-112"

    def read(rel: str) -> NDArray[np.uint8]:
        return np.asarray(Image.open(root / rel).convert("RGB"), dtype=np.uint8)

    return [(f"{p.a} | {p.b}", read(p.a), read(p.b)) for p in chosen]


def parse_profile(text: str) -> SaliencyParams:
    if "=" not in text:
        return PROFILES[text]
    fields = dict(item.split("=") for item in text.split(","))
    base = PROFILES[fields.pop("base", "paper")]
    typed = {k: float(v) if k == "th" else int(v) for k, v in fields.items()}
    return with_changes(base, profile=text, **typed)


def hottest_cell(m: NDArray[np.float32]) -> int:
    n = m.shape[0] // CELLS
    cells = m[: n * CELLS, : n * CELLS].reshape(CELLS, n, CELLS, n).mean(axis=(1, 3))
    return int(np.argmax(cells))


def map_agreement(a: NDArray[np.float32], b: NDArray[np.float32]) -> dict[str, float]:
    if np.ptp(a) == 0 or np.ptp(b) == 0:
        return {
            "pearson": float("nan"),
            "spearman": float("nan"),
            "cell": float(np.ptp(a) == np.ptp(b)),
            "argmax_px": float("nan"),
        }
    pa = np.unravel_index(int(np.argmax(a)), a.shape)
    pb = np.unravel_index(int(np.argmax(b)), b.shape)
    return {
        "pearson": float(pearsonr(a.ravel(), b.ravel())[0]),
        "spearman": float(spearmanr(a.ravel(), b.ravel())[0]),
        "cell": float(hottest_cell(a) == hottest_cell(b)),
        "argmax_px": float(np.hypot(pa[0] - pb[0], pa[1] - pb[1])),
    }


def table_agreement(a: SaliencyMaps, b: SaliencyMaps) -> dict[str, float] | None:
    try:
        from core.regions import canonical_region_masks
        from core.table import face_table, ranked
    except ImportError:
        return None
    masks = canonical_region_masks()
    ta, tb = face_table(a.maps, masks), face_table(b.maps, masks)
    same = [ta[r][m] == tb[r][m] for r in ta for m in METHODS]
    return {
        "table_cells": float(np.mean(same)),
        "top_region": float(ranked(ta)[0] == ranked(tb)[0]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pairs", type=int, default=4)
    parser.add_argument("--profiles", default="interactive,paper")
    parser.add_argument(
        "--extra", action="append", default=[], help="custom setting, e.g. nh=71,d=12,tmax=3"
    )
    parser.add_argument("--reference", default="paper")
    parser.add_argument(
        "--threads", type=int, default=0, help="ONNX Runtime intra-op threads (0: default)"
    )
    parser.add_argument("--shared", type=Path, default=SHARED)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    model = args.shared / "models" / "mobilefacenet" / "mobilefacenet_128d.onnx"
    recognizer = TimedRecognizer(
        OnnxRecognizer.from_file(model, batch_size=1, threads=args.threads)
    )
    pairs = load_pairs(args.shared / "data" / "lfw", args.pairs)
    settings = [parse_profile(p) for p in args.profiles.split(",")] + [
        parse_profile(e) for e in args.extra
    ]
    recognizer.embed(np.zeros((1, 112, 112, 3), np.float32))  # warm-up
    results: dict[str, list[tuple[SaliencyMaps, SaliencyMaps]]] = {}

    print(f"{len(pairs)} pairs; MobileFaceNet, batch size 1, threads={args.threads or 'default'}")
    print(f"{'profile':<34}{'s/pair':>8}{'evals/pair':>12}{'ms/eval':>9}{'outside':>9}")
    for params in settings:
        times, inside, evals = [], [], []
        results[params.profile] = []
        for _, a, b in pairs:
            recognizer.seconds = 0.0
            start = time.perf_counter()
            maps = explain_pair(recognizer, a, b, params, seed=args.seed)
            times.append(time.perf_counter() - start)
            inside.append(recognizer.seconds)
            evals.append(maps[0].evaluations + maps[1].evaluations)
            results[params.profile].append(maps)
        total = float(np.sum(times))
        print(
            f"{params.profile:<34}{np.mean(times):8.2f}{np.mean(evals):12.0f}"
            f"{1e3 * np.sum(inside) / np.sum(evals):9.2f}{100 * (total - np.sum(inside)) / total:8.1f}%"
        )

    reference = parse_profile(args.reference).profile
    if reference not in results:
        return
    print(f"\nagreement with {reference} over {2 * len(pairs)} faces (mean; table: core/table.py)")
    print(f"{'profile':<34}{'method':>7}{'pearson':>9}{'spearman':>9}{'cell':>6}{'argmax px':>10}")
    for name, runs in results.items():
        if name == reference:
            continue
        faces = [
            (m, r)
            for ms, rs in zip(runs, results[reference], strict=True)
            for m, r in zip(ms, rs, strict=True)
        ]
        for method in METHODS:
            rows = [map_agreement(m.maps[method], r.maps[method]) for m, r in faces]
            mean = {k: float(np.nanmean([row[k] for row in rows])) for k in rows[0]}
            print(
                f"{name:<34}{method:>7}{mean['pearson']:9.3f}{mean['spearman']:9.3f}"
                f"{mean['cell']:6.2f}{mean['argmax_px']:10.1f}"
            )
        tables = [table_agreement(m, r) for m, r in faces]
        if any(t is None for t in tables):
            print(f"{name:<34} table agreement: core/regions.py or core/table.py missing")
        else:
            cells = np.mean([t["table_cells"] for t in tables if t])
            top = np.mean([t["top_region"] for t in tables if t])
            print(
                f"{name:<34} table cells equal: {cells:.2f}; same most important region: {top:.2f}"
            )


if __name__ == "__main__":
    main()
