"""insightface 2.1's own verification pipeline, as its users run it, on the project's model files:
``cv2.imdecode`` -> ``SCRFD.detect`` -> ``norm_crop`` -> ``ArcFaceONNX.get_feat`` on the face and
its mirror image (one call each: the shared MobileFaceNet takes a batch of 1) -> cosine.

Used by ``bench_verification.py --vs-insightface``. The detector input is the one the project
uses for the same photo (the photo padded to a multiple of 32, at most ``max_size``), so both
pipelines do the same network work; ONNX Runtime threads are its defaults, as in insightface.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np


class InsightfacePipeline:
    def __init__(self, detector_file: Path, recognizer_file: Path, max_size: int = 640) -> None:
        from insightface.model_zoo.arcface_onnx import ArcFaceONNX
        from insightface.model_zoo.scrfd import SCRFD

        self.detector = SCRFD(model_file=str(detector_file))
        self.detector.prepare(-1)
        self.recognizer = ArcFaceONNX(model_file=str(recognizer_file))
        self.recognizer.prepare(-1)
        self.max_size = max_size

    def _det_size(self, height: int, width: int) -> tuple[int, int]:
        scale = min(1.0, self.max_size / max(height, width))
        h, w = round(height * scale), round(width * scale)
        return -(-w // 32) * 32, -(-h // 32) * 32

    def template(self, data: bytes) -> np.ndarray:
        import cv2
        from insightface.utils.face_align import norm_crop

        image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
        boxes, kps = self.detector.detect(image, input_size=self._det_size(*image.shape[:2]))
        best = int(np.argmax((boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)  # scikit-image 0.26 on norm_crop
            crop = norm_crop(image, kps[best])
        feat = (self.recognizer.get_feat(crop) + self.recognizer.get_feat(np.ascontiguousarray(crop[:, ::-1]))).ravel()
        normed: np.ndarray = feat / np.linalg.norm(feat)
        return normed

    def score(self, a: bytes, b: bytes) -> float:
        return float(self.template(a) @ self.template(b))
