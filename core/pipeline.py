"""One photo to one template: safe decode -> detect -> pick a face -> align -> embed."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from core.align import align_face
from core.comparison import FaceReport
from core.errors import NoFaceFound
from core.faces import Detector, Face, ImageArray, PickedFace, Policy, pick_face
from core.image_input import ImageLimits, decode_image
from core.recognizer import Recognizer


@dataclass(frozen=True)
class PreparedFace:
    crop: NDArray[np.uint8]  # aligned 112 x 112 x 3 RGB
    embedding: NDArray[np.float32]  # L2-normalised template
    report: FaceReport
    timings_ms: dict[str, float] = field(default_factory=dict)


class FacePipeline:
    def __init__(
        self,
        detector: Detector,
        recognizer: Recognizer,
        *,
        limits: ImageLimits | None = None,
        policy: Policy = "largest",
    ) -> None:
        self.detector = detector
        self.recognizer = recognizer
        self.limits = limits or ImageLimits()
        self.policy = policy

    def locate(self, image: ImageArray, policy: Policy | None = None) -> PickedFace:
        """Detect and pick a face. A photo cropped tight to the face gives the detector no
        context, so when nothing is found we retry once on the photo with a margin around it."""
        faces = self.detector.detect(image)
        if not faces:
            faces = self._detect_with_margin(image)
        return pick_face(faces, image.shape, policy or self.policy)

    def _detect_with_margin(self, image: ImageArray) -> list[Face]:
        h, w = image.shape[:2]
        pad_y, pad_x = h // 3, w // 3
        padded = np.zeros((h + 2 * pad_y, w + 2 * pad_x, 3), dtype=np.uint8)
        padded[pad_y : pad_y + h, pad_x : pad_x + w] = image
        shift = np.array([pad_x, pad_y], dtype=np.float32)
        return [
            Face(
                box=(f.box[0] - pad_x, f.box[1] - pad_y, f.box[2] - pad_x, f.box[3] - pad_y),
                score=f.score,
                landmarks=(f.landmarks - shift).astype(np.float32),
            )
            for f in self.detector.detect(padded)
        ]

    def prepare(self, data: bytes, policy: Policy | None = None) -> PreparedFace:
        start = time.perf_counter()
        image = decode_image(data, self.limits)
        decode_ms = (time.perf_counter() - start) * 1000.0
        face = self.prepare_image(image, policy)
        face.timings_ms["decode"] = decode_ms
        return face

    def prepare_image(self, image: ImageArray, policy: Policy | None = None) -> PreparedFace:
        t0 = time.perf_counter()
        picked = self.locate(image, policy)
        t1 = time.perf_counter()
        crop = align_face(image, picked.face.landmarks)
        t2 = time.perf_counter()
        embedding = self.recognizer.embed(crop[None])[0]
        t3 = time.perf_counter()
        report = FaceReport(
            faces_found=picked.faces_found,
            box=[round(v, 1) for v in picked.face.box],
            detection_score=round(picked.face.score, 4),
            landmarks=[[round(float(x), 1), round(float(y), 1)] for x, y in picked.face.landmarks],
            image_size=[int(image.shape[1]), int(image.shape[0])],
        )
        timings = {"detect": (t1 - t0) * 1e3, "align": (t2 - t1) * 1e3, "embed": (t3 - t2) * 1e3}
        return PreparedFace(crop=crop, embedding=embedding, report=report, timings_ms=timings)


__all__ = ["FacePipeline", "NoFaceFound", "PreparedFace"]
