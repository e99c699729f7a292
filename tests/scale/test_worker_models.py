"""``facexplain worker`` with the real face models (its default context): the dialogue's own
jobs, their payloads and results pickled through Redis."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from bot.composition import build_base_recognizer
from bot.dialogue.work import prepare_job, verify_job
from bot.settings import load_settings
from core.calibration import Calibration
from tests.conftest import MODELS, lfw_image, needs_shared
from tests.scale.cluster import Cluster

pytestmark = [pytest.mark.redis, needs_shared]


def calibrate_with_made_up_scores(data_dir: Path) -> None:
    """A calibration for the shared recognizer, from drawn scores (not a measurement)."""
    settings = load_settings(model_dir=MODELS, data_dir=data_dir)
    rng = np.random.default_rng(0)
    Calibration(
        recognizer_sha256=build_base_recognizer(settings).sha256, recognizer="mobilefacenet",
        detector="scrfd", dataset="made-up scores for a test", date="2026-01-01",
        threshold=0.3, threshold_rule="fixed for tests",
        genuine_scores=rng.normal(0.6, 0.1, 200).tolist(),
        impostor_scores=rng.normal(0.05, 0.1, 200).tolist(),
    ).save(settings.calibration_dir)


async def test_a_worker_with_the_face_models_checks_a_photo_then_compares_the_pair(
        redis_url: str, markers: Path, runner: Any, tmp_path: Path) -> None:
    calibrate_with_made_up_scores(tmp_path / "data")
    faces = Cluster(redis_url, markers, MODEL_DIR=str(MODELS), DATA_DIR=str(tmp_path / "data"))
    try:
        faces.start("faces", context=None).wait_ready()
        first = await runner.run(prepare_job, lfw_image("Abel_Pacheco", 1).read_bytes())
        assert first.report.faces_found == 1 and first.embedding.shape == (128,)

        second = lfw_image("Abel_Pacheco", 4).read_bytes()
        verified = await runner.run(verify_job, (first, second))
        comparison = verified.comparison
        assert comparison.faces["A"].faces_found == comparison.faces["B"].faces_found == 1
        assert comparison.same_person and comparison.score > comparison.threshold
    finally:
        faces.stop()
