"""Time to draw each picture and text of the explanation (what a chat reply waits for).

    python benchmarks/bench_render.py --repeat 5

Inputs: two LFW aligned-112 crops when ../shared is present (else grey test cards) and smooth
synthetic maps (one Gaussian per method); drawing time does not depend on the maps' content.
The first call of each function is reported apart, since it includes importing matplotlib and
loading fonts; the rest give the median.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image

from core.comparison import METHODS
from core.regions import canonical_region_masks
from core.render import render_collage, render_regions, render_table_png, table_csv, table_text
from core.table import face_table

CROPS = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "lfw" / "aligned-112"


def crop(name: str) -> np.ndarray:
    path = CROPS / name.rsplit("_", 1)[0] / f"{name}.jpg"
    if path.is_file():
        return np.asarray(Image.open(path).convert("RGB"))
    return np.full((112, 112, 3), 128, np.uint8)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    yy, xx = np.mgrid[0:112, 0:112]
    centres = [(38, 52), (73, 52), (56, 72), (56, 92), (56, 60)]
    maps = {m: np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / 300.0).astype(np.float32)
            for m, (cx, cy) in zip(METHODS, centres, strict=True)}
    a, b = crop("Aaron_Eckhart_0001"), crop("Gwyneth_Paltrow_0001")
    masks = canonical_region_masks()
    table = face_table(maps, masks)
    jobs: dict[str, Callable[[], object]] = {
        "canonical_region_masks": canonical_region_masks,
        "face_table": lambda: face_table(maps, masks),
        "render_collage": lambda: render_collage(a, b, maps, maps, title="A vs B"),
        "render_table_png": lambda: render_table_png(table, title="Face A"),
        "render_regions": lambda: render_regions(a, masks),
        "table_text + table_csv": lambda: (table_text(table), table_csv(table)),
    }
    print(f"{'step':<24}{'first (ms)':>11}{'median (ms)':>13}")
    for name, job in jobs.items():
        times = []
        for _ in range(args.repeat + 1):
            start = time.perf_counter()
            job()
            times.append(1000 * (time.perf_counter() - start))
        print(f"{name:<24}{times[0]:>11.1f}{statistics.median(times[1:]):>13.1f}")


if __name__ == "__main__":
    main()
