"""insightface 2.1 as the reference: its SCRFD, `norm_crop` and `ArcFaceONNX`, run beside the
project's detector, alignment and recognizer on the same 10 LFW images and the same model files.

insightface is a dev-only reference (installed with --no-deps by scripts/setup); without it the
test skips. The two pipelines differ on purpose in two places, which bounds the agreement:
insightface detects at its default sizes (128 and 640 px, resizing the photo), the project at the
photo's own size padded to /32; insightface feeds this recognizer (x - 127.5) / 127.5, the
project (x - 127.5) / 128 (the normalisation its calibration was fitted with).
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest

from core.align import align_face
from core.image_input import ImageLimits, decode_image
from core.lfw import view2

insightface = pytest.importorskip("insightface", reason="insightface (dev reference) is not installed")


def ten_lfw_images(lfw_dir: Path) -> list[Path]:
    pairs = view2(lfw_dir)[:5]
    return [lfw_dir / "deepfunneled" / rel for p in pairs for rel in (p.a, p.b)]


def largest(boxes: np.ndarray) -> int:
    return int(np.argmax((boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])))


def test_scrfd_norm_crop_and_arcface_agree_with_the_project(shared_models: Path, lfw_dir: Path) -> None:
    from insightface.model_zoo.arcface_onnx import ArcFaceONNX
    from insightface.model_zoo.scrfd import SCRFD
    from insightface.utils.face_align import norm_crop

    from bot.composition import build_base_recognizer, build_detector
    from bot.settings import load_settings

    settings = load_settings(model_dir=shared_models)
    detector, recognizer = build_detector(settings), build_base_recognizer(settings)
    their_detector = SCRFD(model_file=str(shared_models / "scrfd" / "det_500m.onnx"))
    their_detector.prepare(-1)
    their_recognizer = ArcFaceONNX(model_file=str(shared_models / "mobilefacenet" / "mobilefacenet_128d.onnx"))
    their_recognizer.prepare(-1)

    keypoint_px, crop_levels, cosines = [], [], []
    for path in ten_lfw_images(lfw_dir):
        rgb = decode_image(path.read_bytes(), ImageLimits())
        bgr = np.ascontiguousarray(rgb[:, :, ::-1])  # insightface takes OpenCV's BGR order
        ours = max(detector.detect(rgb), key=lambda f: (f.box[2] - f.box[0]) * (f.box[3] - f.box[1]))
        boxes, kps = their_detector.detect(bgr)
        keypoint_px.append(np.linalg.norm(kps[largest(boxes)] - ours.landmarks, axis=1))

        our_crop = align_face(rgb, ours.landmarks)
        with warnings.catch_warnings():  # scikit-image 0.26 deprecates the call norm_crop makes
            warnings.simplefilter("ignore", FutureWarning)
            their_crop = norm_crop(bgr, ours.landmarks)  # same keypoints: the alignment alone
        crop_levels.append(int(np.abs(our_crop.astype(int) - their_crop[:, :, ::-1].astype(int)).max()))

        our_template = recognizer.embed(our_crop[None])[0]
        theirs = their_recognizer.get_feat(their_crop).ravel()
        cosines.append(float(our_template @ (theirs / np.linalg.norm(theirs))))

    keypoints = np.array(keypoint_px)  # 10 images x 5 keypoints, Euclidean distance in pixels
    assert keypoints.mean() <= 2.1, keypoints.round(2)
    assert keypoints.max() <= 6.0, keypoints.round(2)
    assert max(crop_levels) <= 1, crop_levels
    assert np.mean(cosines) >= 0.999998, cosines
    assert min(cosines) >= 0.99999, cosines


def test_the_benchmark_times_both_pipelines_and_keeps_the_templates(calibrated_settings, lfw_dir: Path) -> None:  # type: ignore[no-untyped-def]
    """`bench_verification.py --vs-insightface` on 3 pairs: both rates, their ratio, and the
    project's side-by-side templates bit-identical to the plain serial pipeline's."""
    import os
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[2]
    env = os.environ | {"FACEXPLAIN_DATA_DIR": str(calibrated_settings.data_dir), "PYTHONPATH": str(root)}
    done = subprocess.run([sys.executable, "-W", "ignore", str(root / "benchmarks" / "bench_verification.py"),
                           "--model-dir", str(calibrated_settings.model_dir), "--lfw-dir", str(lfw_dir),
                           "--pairs", "3", "--warmup", "1", "--vs-insightface"],
                          capture_output=True, text=True, timeout=300, env=env, check=False)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "facexplain" in out and "insightface" in out
    assert "ratio (facexplain / insightface pairs per second):" in out
    assert "max abs difference 0\n" in out
