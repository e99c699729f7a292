"""How to spend the cores on MobileFaceNet evaluations: threads, sessions, concurrent callers
and batch size, each measured as wall milliseconds per image over the same crops.

    python benchmarks/bench_onnx_threads.py [--images 240]

Rows: the runtime's default session (as the project had it), one intra-op thread, one session
with two threads (spinning off), one session with two inter-op streams (parallel execution mode),
and two callers at once (one shared session or two sessions, one thread each) at batch 1 and at
batches of the dynamic-batch copy (made into a temporary folder by core.batchable).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


def session(path: Path, threads: int | None, *, parallel: bool = False) -> object:
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.log_severity_level = 3
    if threads is not None:
        options.intra_op_num_threads, options.inter_op_num_threads = threads, 2 if parallel else 1
        if threads > 1:
            options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    if parallel:
        options.execution_mode = ort.ExecutionMode.ORT_PARALLEL
    return ort.InferenceSession(str(path), sess_options=options, providers=["CPUExecutionProvider"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--images", type=int, default=240)
    parser.add_argument("--shared", type=Path, default=SHARED)
    args = parser.parse_args()
    from core.batchable import make_batchable

    original = args.shared / "models" / "mobilefacenet" / "mobilefacenet_128d.onnx"
    dynamic = Path(tempfile.mkdtemp()) / "mobilefacenet_batch.onnx"
    make_batchable(original, dynamic, check_batch=8)
    x = np.random.default_rng(0).uniform(-1, 1, (args.images, 3, 112, 112)).astype(np.float32)

    def run(s: object, batch: int, part: slice) -> None:
        data = x[part]
        for i in range(0, len(data), batch):
            s.run(None, {"input": data[i : i + batch]})  # type: ignore[attr-defined]

    def timed(sessions: list[object], batch: int) -> float:
        halves = [slice(0, args.images // 2), slice(args.images // 2, args.images)]
        for s in sessions:
            run(s, batch, slice(0, batch))  # warm-up
        start = time.perf_counter()
        if len(sessions) == 1:
            run(sessions[0], batch, slice(0, args.images))
        else:
            threads = [threading.Thread(target=run, args=(s, batch, h)) for s, h in zip(sessions, halves, strict=True)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
        return 1e3 * (time.perf_counter() - start) / args.images

    print(f"{args.images} images; {len(os.sched_getaffinity(0))} cores; load {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    one = session(original, 1)
    rows = [
        ("runtime default session, 1 caller, batch 1", lambda: timed([session(original, None)], 1)),
        ("1 intra-op thread, 1 caller, batch 1", lambda: timed([one], 1)),
        ("2 intra-op threads, 1 caller, batch 1", lambda: timed([session(original, 2)], 1)),
        ("2 inter-op streams (parallel mode), batch 1", lambda: timed([session(original, 1, parallel=True)], 1)),
        ("1 shared session x 1 thread, 2 callers, batch 1", lambda: timed([one, one], 1)),
        ("2 sessions x 1 thread, 2 callers, batch 1", lambda: timed([one, session(original, 1)], 1)),
    ]
    for batch in (8, 32):
        d = session(dynamic, 1)
        rows.append((f"1 shared session x 1 thread, 2 callers, batch {batch}", lambda d=d, b=batch: timed([d, d], b)))
    rows.append(("2 intra-op threads, 1 caller, batch 32", lambda: timed([session(dynamic, 2)], 32)))
    for name, measure in rows:
        print(f"{name:<52}{measure():8.2f} ms/image", flush=True)
    print(f"load after: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")


if __name__ == "__main__":
    main()
