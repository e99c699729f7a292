"""MinPlus saliency: time per pair, recognizer evaluations, time outside the recognizer, the
speed-up over the one-image-at-a-time implementation, and how well a fast profile agrees with
the paper profile.

    python benchmarks/bench_saliency.py --pairs 2 --profiles paper --baseline
    python benchmarks/bench_saliency.py --pairs 10 --profiles fast,paper --cache /tmp/paper.npz
    python benchmarks/bench_saliency.py --providers CUDAExecutionProvider --batch 225 --workers 1

Pairs: the first ``--pairs`` of LFW View 2 pairs.txt, alternating genuine and impostor, read
from ../shared/data/lfw/aligned-112 (already aligned crops) and explained against the shared
MobileFaceNet. The product runs ``explain_pair`` on a recognizer sized for ``--workers``
concurrent faces (intra-op threads = cores // workers unless ``--threads``), at ``--batch``
crops per call (above 1, on the dynamic-batch copy that ``facexplain models make-batchable``
writes, made once into ``--models-cache``). ``--baseline`` also runs ``core/saliency/reference.py``
(one crop per recognizer call, masks built one at a time, faces one after the other) on the
original export with ``--baseline-threads`` intra-op threads (0: the runtime's own default, as
the project ran before), checks that every map is the same, and prints the speed-up.

Time inside the recognizer is the wall time spent in ``embed`` summed over threads; "outside"
is the rest of the threads' time (masks, candidates, smoothing, bookkeeping). Agreement is
measured against ``--reference`` (default paper) on every face: Pearson and Spearman of the
dense maps, the hottest cell of a 4 x 4 partition, the distance between the hottest pixels, and
the share of equal cells of the explainability table (9 regions x 5 methods, levels 1..5) and
whether the most important region is the same. ``--cache FILE`` keeps every setting's grid
values, so a later run compares settings without recomputing them (and times only new ones).
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.saliency_agreement import CacheFile, print_agreement  # noqa: E402
from core.recognizer import OnnxRecognizer  # noqa: E402
from core.saliency import PROFILES, SaliencyMaps, SaliencyParams, explain_pair, with_changes  # noqa: E402
from core.saliency.reference import explain_face_plain  # noqa: E402

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
MODEL = Path("models") / "mobilefacenet" / "mobilefacenet_128d.onnx"


class TimedRecognizer:
    """Forwards to a recognizer and adds up the wall time spent inside ``embed`` (all threads)."""

    def __init__(self, inner: OnnxRecognizer) -> None:
        self.inner, self.name, self.sha256 = inner, inner.name, inner.sha256
        self.batch_size, self.concurrency = inner.batch_size, inner.concurrency
        self.seconds = 0.0
        self._lock = threading.Lock()

    def embed(self, crops: NDArray[Any]) -> NDArray[np.float32]:
        start = time.perf_counter()
        try:
            return self.inner.embed(crops)
        finally:
            with self._lock:
                self.seconds += time.perf_counter() - start


def load_pairs(lfw: Path, count: int, skip: int = 0) -> list[tuple[str, NDArray[np.uint8], NDArray[np.uint8]]]:
    from PIL import Image

    from core.lfw import read_pairs

    pairs = read_pairs(lfw / "pairs.txt")
    genuine, impostor = [p for p in pairs if p.same], [p for p in pairs if not p.same]
    chosen = [p for two in zip(genuine, impostor, strict=False) for p in two][skip : skip + count]
    root = lfw / "aligned-112"

    def read(rel: str) -> NDArray[np.uint8]:
        return np.asarray(Image.open(root / rel).convert("RGB"), dtype=np.uint8)

    return [(f"{p.a} | {p.b}", read(p.a), read(p.b)) for p in chosen]


def threads_of(session: Any) -> Any:
    options = getattr(session, "get_session_options", None)
    return options().intra_op_num_threads if options else session.compiled.get_property("INFERENCE_NUM_THREADS")


def parse_profile(text: str) -> SaliencyParams:
    if "=" not in text:
        return PROFILES[text]
    fields = dict(item.split("=") for item in text.split(","))
    base = PROFILES[fields.pop("base", "paper")]
    typed: dict[str, Any] = {
        k: v if k == "first_pass" else float(v) if k == "th" else (v.lower() in ("1", "true", "yes")) if k == "stability" else int(v)
        for k, v in fields.items()
    }
    return with_changes(base, profile=text, **typed)


def product_recognizer(args: argparse.Namespace) -> TimedRecognizer:
    model = args.shared / MODEL
    if args.batch > 1:
        from core.batchable import make_batchable, read_provenance

        copy = args.models_cache / "mobilefacenet_128d_batch.onnx"
        if read_provenance(copy) is None:
            make_batchable(model, copy, check_batch=min(args.batch, 64))
        model = copy
    if args.runtime != "onnxruntime":
        from core.openvino_session import OpenVinoSession
        from core.recognizer import identity_sha256

        session = OpenVinoSession.open(model, precision=args.runtime.split("-")[1], threads=args.threads,
                                       concurrent=args.workers)
        return TimedRecognizer(OnnxRecognizer(session, name=model.stem, sha256=identity_sha256(model),
                                              batch_size=args.batch, concurrency=args.workers))
    providers = args.providers.split(",") if args.providers else None
    inner = OnnxRecognizer.from_file(model, batch_size=args.batch, providers=providers,
                                     threads=args.threads, concurrency=args.workers)
    return TimedRecognizer(inner)


def rough_recognizer(args: argparse.Namespace) -> TimedRecognizer | None:
    """The bf16 copy that scores the first passes of profiles with ``first_pass="bf16"``
    (None where OpenVINO is not installed: those profiles then run in f32)."""
    from core.openvino_session import OpenVinoSession, openvino_available
    from core.recognizer import identity_sha256

    if not openvino_available():
        return None
    model = args.shared / MODEL
    session = OpenVinoSession.open(model, precision="bf16", concurrent=args.workers)
    return TimedRecognizer(OnnxRecognizer(session, name=model.stem, sha256=identity_sha256(model),
                                          concurrency=args.workers))


def baseline_recognizer(model: Path, threads: int) -> TimedRecognizer:
    """The original export, one crop per call; ``threads=0`` leaves the session options as the
    project had them before (the runtime's default threads, spinning on)."""
    import onnxruntime as ort

    from core.recognizer import file_sha256

    options = ort.SessionOptions()
    options.log_severity_level = 3
    if threads:
        options.intra_op_num_threads, options.inter_op_num_threads = threads, 1
    session = ort.InferenceSession(str(model), sess_options=options, providers=["CPUExecutionProvider"])
    return TimedRecognizer(OnnxRecognizer(session, name=model.stem, sha256=file_sha256(model)))


def baseline_pair(rec: TimedRecognizer, a: NDArray[Any], b: NDArray[Any], params: SaliencyParams,
                  seed: int) -> tuple[SaliencyMaps, SaliencyMaps]:
    """The one-at-a-time implementation on both faces, one after the other."""
    emb = rec.embed(np.stack([a, b]))
    return (explain_face_plain(rec, a, emb[1], params, seed=seed),
            explain_face_plain(rec, b, emb[0], params, seed=seed))


def identical(ours: list[tuple[SaliencyMaps, SaliencyMaps]],
              plain: list[tuple[SaliencyMaps, SaliencyMaps]]) -> tuple[bool, float]:
    worst, same = 0.0, True
    for pair, reference in zip(ours, plain, strict=True):
        for m, r in zip(pair, reference, strict=True):
            same &= m.steps == r.steps
            for method, value in m.maps.items():
                worst = max(worst, float(np.max(np.abs(value - r.maps[method]))))
    return same and worst <= 1e-4, worst


def run_profile(rec: TimedRecognizer, pairs: list[Any], params: SaliencyParams, seed: int,
                workers: int, plain: bool = False, rough: TimedRecognizer | None = None,
                ) -> tuple[list[Any], dict[str, float]]:
    results, wall, inside, evals, skipped = [], 0.0, 0.0, 0, 0
    cpu_start = cpu_seconds()
    for _, a, b in pairs:
        rec.seconds = 0.0
        if rough is not None:
            rough.seconds = 0.0
        start = time.perf_counter()
        maps = baseline_pair(rec, a, b, params, seed) if plain else explain_pair(
            rec, a, b, params, seed=seed, parallel=workers, rough=rough)
        wall += time.perf_counter() - start
        inside += rec.seconds + (rough.seconds if rough is not None else 0.0)
        evals += maps[0].evaluations + maps[1].evaluations
        skipped += maps[0].skipped + maps[1].skipped
        results.append(maps)
        print(f"  {params.profile}{' (one-at-a-time)' if plain else ''}: pair {len(results)} of {len(pairs)} "
              f"in {time.perf_counter() - start:.1f} s, load {os.getloadavg()[0]:.1f}", file=sys.stderr, flush=True)
    threads = 1 if plain else min(2, workers)
    return results, {"s_pair": wall / len(pairs), "evals": evals / len(pairs),
                     "cpu_pair": (cpu_seconds() - cpu_start) / len(pairs),
                     "ms_eval": 1e3 * inside / evals, "wall_ms_eval": 1e3 * wall / evals,
                     "outside": 100 * max(0.0, 1 - inside / (threads * wall)), "skipped": skipped / len(pairs)}


def row(name: str, f: dict[str, float]) -> str:
    return (f"{name:<40}{f['s_pair']:8.2f}{f['evals']:11.0f}{f['skipped']:8.1f}{f['ms_eval']:9.2f}"
            f"{f['wall_ms_eval']:9.2f}{f['outside']:8.1f}%{f['cpu_pair']:9.2f}")


def cpu_seconds() -> float:
    """CPU time of this process, all threads: less sensitive than wall time to other load."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pairs", type=int, default=4)
    parser.add_argument("--skip", type=int, default=0, help="start after this many pairs (a held-out set)")
    parser.add_argument("--profiles", default="fast,paper")
    parser.add_argument("--extra", action="append", default=[], help="custom setting, e.g. nh=71,d=12,tmax=3,lazy=8")
    parser.add_argument("--reference", default="paper")
    parser.add_argument("--baseline", action="store_true", help="also run the one-at-a-time implementation")
    parser.add_argument("--baseline-threads", type=int, default=0, help="its intra-op threads (0: runtime default)")
    parser.add_argument("--batch", type=int, default=1, help="crops per recognizer call (>1: dynamic-batch copy)")
    parser.add_argument("--workers", type=int, default=2, help="faces explained at once (1 or 2)")
    parser.add_argument("--threads", type=int, default=0, help="intra-op threads (0: cores // workers)")
    parser.add_argument("--providers", default="", help="ONNX Runtime providers, e.g. CUDAExecutionProvider")
    parser.add_argument("--runtime", default="onnxruntime", choices=["onnxruntime", "openvino-f32", "openvino-bf16"],
                        help="the product's runtime (the baseline is always ONNX Runtime fp32)")
    parser.add_argument("--models-cache", type=Path, default=Path(tempfile.gettempdir()) / "facexplain-bench")
    parser.add_argument("--cache", type=Path, default=None, help="npz file keeping the reference profile's maps")
    parser.add_argument("--shared", type=Path, default=SHARED)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    rec = product_recognizer(args)
    pairs = load_pairs(args.shared / "data" / "lfw", args.pairs, args.skip)
    settings = [parse_profile(p) for p in args.profiles.split(",") if p] + [parse_profile(e) for e in args.extra]
    rec.embed(np.zeros((max(1, args.batch), 112, 112, 3), np.float32))  # warm-up
    print(f"{len(pairs)} pairs; MobileFaceNet on {','.join(rec.inner.session.get_providers())}; batch {args.batch}, "
          f"{args.workers} face(s) at once, intra-op threads {threads_of(rec.inner.session)}; "
          f"{len(os.sched_getaffinity(0))} cores; load {os.getloadavg()[0]:.2f}")
    print(f"{'profile':<40}{'s/pair':>8}{'evals/pair':>11}{'skipped':>8}{'ms/eval':>9}{'wall ms':>9}{'outside':>9}{'cpu s':>9}")
    cache = CacheFile(args.cache) if args.cache else None
    results: dict[str, list[tuple[SaliencyMaps, SaliencyMaps]]] = {}
    for params in settings:
        cached = cache.get(params, [p[0] for p in pairs], args.seed) if cache and not args.baseline else None
        if cached is not None:
            results[params.profile] = cached
            print(f"{params.profile:<40}  (maps from {args.cache})")
            continue
        results[params.profile], figures = run_profile(
            rec, pairs, params, args.seed, args.workers,
            rough=rough_recognizer(args) if params.first_pass != "f32" else None)
        print(row(params.profile, figures), flush=True)
        if cache:
            cache.put(params, [p[0] for p in pairs], args.seed, results[params.profile])
        if args.baseline:
            base = baseline_recognizer(args.shared / MODEL, args.baseline_threads)
            plain, base_figures = run_profile(base, pairs, params, args.seed, 1, plain=True)
            print(row(f"  one-at-a-time (threads {args.baseline_threads or 'default'})", base_figures))
            same, worst = identical(results[params.profile], plain)
            print(f"  maps identical to one-at-a-time: {'yes' if same else 'NO'} (max |difference| {worst:.1e})")
            print(f"  speed-up vs one-at-a-time: {base_figures['s_pair'] / figures['s_pair']:.1f}x", flush=True)
    print(f"load average after: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    print_agreement(results, args.reference)


if __name__ == "__main__":
    main()
