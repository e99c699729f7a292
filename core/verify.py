"""Two prepared faces to a decision with a calibrated confidence (the Comparison record)."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass

import numpy as np

from core.calibration import Calibration
from core.comparison import Comparison, ModelInfo
from core.errors import about_photo
from core.pic import confidence_sentence, decision_confidence
from core.pipeline import FacePipeline, PreparedFace
from core.progress import Progress, no_progress


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    """Cosine similarity of two templates (already L2-normalised, but do not rely on it)."""
    na, nb = float(np.linalg.norm(a)), float(np.linalg.norm(b))
    return float(np.dot(a, b) / max(na * nb, 1e-12))


@dataclass(frozen=True)
class Verified:
    comparison: Comparison
    face_a: PreparedFace
    face_b: PreparedFace


class Verifier:
    """Prepares both photos (decode, detect, align, embed) and decides. With ``workers=2`` the
    two photos are prepared at the same time on two threads (ONNX Runtime and OpenCV release the
    GIL), which on a 2-core machine nearly halves the latency with single-thread sessions; each
    template is computed exactly as it would be alone."""

    def __init__(self, pipeline: FacePipeline, calibration: Calibration, *, workers: int = 1) -> None:
        self.pipeline = pipeline
        self.calibration = calibration
        self.workers = max(1, int(workers))
        self._pool: ThreadPoolExecutor | None = None

    def decide(self, face_a: PreparedFace, face_b: PreparedFace) -> Comparison:
        start = time.perf_counter()
        cal = self.calibration
        score = cosine(face_a.embedding, face_b.embedding)
        same = score >= cal.threshold
        pic = cal.pic_model.pic_one(score)
        timings = {f"{k}_a": v for k, v in face_a.timings_ms.items()}
        timings.update({f"{k}_b": v for k, v in face_b.timings_ms.items()})
        timings["score"] = (time.perf_counter() - start) * 1000.0
        return Comparison(
            score=round(score, 6),
            threshold=round(cal.threshold, 6),
            same_person=bool(same),
            pic=round(pic, 6),
            confidence=round(decision_confidence(pic, same), 6),
            confidence_sentence=confidence_sentence(score, cal.threshold, pic, same, cal.dataset),
            faces={"A": face_a.report, "B": face_b.report},
            models=ModelInfo(
                recognizer=self.pipeline.recognizer.name,
                recognizer_sha256=self.pipeline.recognizer.sha256,
                detector=self.pipeline.detector.name,
                calibration_dataset=cal.dataset,
                calibration_date=cal.date,
                threshold_rule=cal.threshold_rule,
            ),
            timings_ms={k: round(v, 2) for k, v in timings.items()},
        )

    def _prepare(self, photo: bytes, number: int) -> PreparedFace:
        with about_photo(number):
            return self.pipeline.prepare(photo)

    def compare(self, photo_a: bytes, photo_b: bytes, progress: Progress = no_progress) -> Verified:
        progress("verify", 0, 2)
        if self.workers > 1:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="verify")
            second = self._pool.submit(self._prepare, photo_b, 2)
            try:
                face_a = self._prepare(photo_a, 1)
            except BaseException:
                wait([second])  # no stray work left behind; photo 1's error is the one reported
                raise
            progress("verify", 1, 2)
            face_b = second.result()
        else:
            face_a = self._prepare(photo_a, 1)
            progress("verify", 1, 2)
            face_b = self._prepare(photo_b, 2)
        progress("verify", 2, 2)
        return Verified(self.decide(face_a, face_b), face_a, face_b)
