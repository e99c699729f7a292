"""MTCNN on LFW deep-funneled images, against SCRFD det_500m (input 320) as the reference.

    python benchmarks/mtcnn_lfw.py [--images 300] [--threads 0] [--large] [--fold 1]

Detection: ``--images`` images evenly spaced over the sorted LFW list; how many have a face,
MTCNN time per image (timed alone, before any ONNX Runtime call: its spinning threads slow torch
down), and the mean distance between the two detectors' 5 landmarks on the face nearest the centre.
``--large`` times one LFW photo scaled up to 1280 and 2560 px wide, with max_size off and 640.
``--fold N`` (1..10) also aligns the centre face found by each detector to 112x112, embeds it with
MobileFaceNet (face + mirror image), and prints the same-image cosine between the two alignments
and each detector's best-threshold accuracy on that fold's 600 View 2 pairs (optimistic: the
threshold is chosen on the same pairs; ``facexplain eval verification`` is the real protocol).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import cv2
import numpy as np
from numpy.typing import NDArray

from core.align import align_face
from core.faces import Detector, pick_face
from core.lfw import view2
from core.mtcnn import MtcnnDetector
from core.recognizer import OnnxRecognizer
from core.scrfd import ScrfdDetector

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
LFW = SHARED / "data" / "lfw"


def load(path: Path) -> NDArray[np.uint8]:
    bgr = cv2.imread(str(path))
    if bgr is None:
        raise SystemExit(f"cannot read {path}")
    return np.asarray(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB), dtype=np.uint8)


def detection(mtcnn: MtcnnDetector, scrfd: Detector, count: int) -> None:
    paths = sorted((LFW / "deepfunneled").glob("*/*.jpg"))
    paths = [paths[i] for i in np.linspace(0, len(paths) - 1, count).astype(int)]
    images = [load(path) for path in paths]
    times, detections = [], []
    for image in images:
        start = time.perf_counter()
        detections.append(mtcnn.detect(image))
        times.append(time.perf_counter() - start)
    distances = []
    for image, faces in zip(images, detections, strict=True):
        reference = scrfd.detect(image)
        if faces and reference:
            ours = pick_face(faces, image.shape, "centre").face.landmarks
            theirs = pick_face(reference, image.shape, "centre").face.landmarks
            distances.append(float(np.linalg.norm(ours - theirs, axis=1).mean()))
    counts = [len(faces) for faces in detections]
    found = sum(c > 0 for c in counts)
    ms, d = np.array(times) * 1000, np.array(distances)
    print(f"images: {len(paths)}  with a face: {found} ({100 * found / len(paths):.1f}%)  "
          f"faces per image: mean {np.mean(counts):.2f}, max {max(counts)}")
    print(f"time per image: median {np.median(ms):.0f} ms, mean {ms.mean():.0f} ms, p90 {np.percentile(ms, 90):.0f} ms")
    print(f"landmarks vs SCRFD (centre face, {len(d)} images): mean {d.mean():.2f} px, "
          f"median {np.median(d):.2f} px, p95 {np.percentile(d, 95):.2f} px, max {d.max():.2f} px")
    missed = [path.name for path, faces in zip(paths, detections, strict=True) if not faces]
    if missed:
        print("no face:", ", ".join(missed))


def large_photos(count: int = 5) -> None:
    image = load(LFW / "deepfunneled" / "Colin_Powell" / "Colin_Powell_0001.jpg")
    for max_size in (None, 640):
        mtcnn = MtcnnDetector.from_dir(SHARED / "models" / "mtcnn", max_size=max_size)
        for width in (1280, 2560):
            big = np.asarray(cv2.resize(image, (width, width * 3 // 4)), dtype=np.uint8)
            mtcnn.detect(big)
            start = time.perf_counter()
            faces = [len(mtcnn.detect(big)) for _ in range(count)]
            ms = (time.perf_counter() - start) / count * 1000
            print(f"{width}x{width * 3 // 4}, max_size {max_size}: {ms:.0f} ms per photo, faces {faces[0]}")


def verification(detectors: dict[str, Detector], fold: int) -> None:
    recognizer = OnnxRecognizer.from_file(SHARED / "models" / "mobilefacenet" / "mobilefacenet_128d.onnx")
    pairs = [p for p in view2(LFW) if p.fold == fold - 1]
    templates: dict[str, dict[str, NDArray[np.float32] | None]] = {k: {} for k in detectors}
    for rel in sorted({r for p in pairs for r in (p.a, p.b)}):
        image = load(LFW / "deepfunneled" / rel)
        for name, detector in detectors.items():
            faces = detector.detect(image)
            if not faces:
                templates[name][rel] = None
                continue
            crop = align_face(image, pick_face(faces, image.shape, "centre").face.landmarks)
            vector = recognizer.embed(np.stack([crop, crop[:, ::-1]])).sum(axis=0)
            templates[name][rel] = vector / np.linalg.norm(vector)
    first, second = (templates[k] for k in detectors)
    agree = np.array([float(v @ w) for r, v in first.items() if v is not None and (w := second[r]) is not None])
    print(f"fold {fold}: {len(first)} images; same-image cosine {' vs '.join(detectors)}: "
          f"mean {agree.mean():.3f}, median {np.median(agree):.3f}, p5 {np.percentile(agree, 5):.3f}")
    same = np.array([p.same for p in pairs])
    for name, table in templates.items():
        scores = np.array([
            float(va @ vb) if (va := table[p.a]) is not None and (vb := table[p.b]) is not None else -1.0
            for p in pairs
        ])
        best = max(float(((scores > t) == same).mean()) for t in np.unique(scores))
        missing = sum(v is None for v in table.values())
        print(f"{name}: best-threshold accuracy {best:.2%} on {len(pairs)} pairs, {missing} images without a face")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--images", type=int, default=300)
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default)")
    parser.add_argument("--large", action="store_true", help="also time large photos")
    parser.add_argument("--fold", type=int, default=0, help="also check verification on this View 2 fold")
    args = parser.parse_args()
    if args.threads:
        import torch

        torch.set_num_threads(args.threads)
    mtcnn = MtcnnDetector.from_dir(SHARED / "models" / "mtcnn")
    scrfd = ScrfdDetector.from_file(SHARED / "models" / "scrfd" / "det_500m.onnx", max_size=320)
    detection(mtcnn, scrfd, args.images)
    if args.large:
        large_photos()
    if args.fold:
        verification({"mtcnn": mtcnn, "scrfd": scrfd}, args.fold)


if __name__ == "__main__":
    main()
