"""What the decode-work bounds cost and save (issue 13): the progressive-JPEG bomb refused
from its structure, the per-scan cost it would have had, the CPU budget stopping a decode that
passes the scan bound, the worst decode left in process (a photo at the in-process pixel bound
and the scan bound), and the price of the child process on an ordinary photo.

    python benchmarks/bench_decode_bounds.py [--repeats 2000] [--side 6000]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import time

from PIL import Image

from core.errors import ImageRejected
from core.image_input import ImageLimits, decode_image
from core.image_structure import StructureLimits
from tests.core.image_fixtures import progressive_jpeg_repeating_last_scan


def timed(call: object) -> tuple[float, float, str]:
    wall, cpu = time.perf_counter(), time.process_time()
    try:
        call()  # type: ignore[operator]
        outcome = "decoded"
    except ImageRejected as error:
        outcome = type(error).__name__
    return time.perf_counter() - wall, time.process_time() - cpu, outcome


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=2000)
    parser.add_argument("--side", type=int, default=6000)
    args = parser.parse_args()
    side = args.side
    bomb = progressive_jpeg_repeating_last_scan(side, side, args.repeats)
    wall, _, outcome = timed(lambda: decode_image(bomb))
    report: dict[str, object] = {"loadavg": os.getloadavg()[0], "bomb_bytes": len(bomb),
                                 "bomb_refusal_s": round(wall, 4), "bomb_outcome": outcome}
    free = ImageLimits(decode_cpu_s=None, structure=StructureLimits(max_jpeg_scans=10**6))
    base = progressive_jpeg_repeating_last_scan(side, side, 0)
    fifty = progressive_jpeg_repeating_last_scan(side, side, 50)
    _, cpu0, _ = timed(lambda: decode_image(base, free))
    _, cpu50, _ = timed(lambda: decode_image(fifty, free))
    per_scan = (cpu50 - cpu0) / 50
    report |= {"unbounded_ms_per_repeated_scan": round(per_scan * 1000, 1),
               "unbounded_estimate_s": round(cpu0 + per_scan * args.repeats, 1)}
    slow = progressive_jpeg_repeating_last_scan(side, side, 85)
    wall, _, outcome = timed(lambda: decode_image(slow, ImageLimits(decode_cpu_s=1)))
    report |= {"budget_1s_85_scans_wall_s": round(wall, 2), "budget_outcome": outcome}
    # The largest photo decoded without a child, at the scan bound: its decode must stay far
    # under the budget for the in-process path to be safe.
    edge = int(ImageLimits().isolate_above_pixels ** 0.5)
    worst = progressive_jpeg_repeating_last_scan(edge, edge, 100 - base.count(b"\xff\xda"))
    _, cpu, outcome = timed(lambda: decode_image(worst))
    report |= {f"in_process_worst_{edge}x{edge}_100_scans_cpu_s": round(cpu, 3),
               "in_process_worst_outcome": outcome}
    photo = io.BytesIO()
    Image.linear_gradient("L").resize((1280, 960)).convert("RGB").save(photo, "JPEG")
    data = photo.getvalue()
    for name, limits in (("child", ImageLimits(isolate_above_pixels=0)), ("in_process", ImageLimits(decode_cpu_s=None))):
        times = [timed(lambda limits=limits: decode_image(data, limits))[0] for _ in range(20)]
        report[f"1280x960_jpeg_{name}_ms"] = round(statistics.median(times) * 1000, 1)
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
