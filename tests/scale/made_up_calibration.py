"""A calibration for the shared recognizer from drawn scores, for the scale tests' workers."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from bot.composition import build_pipeline, pipeline_identity
from bot.settings import load_settings
from core.calibration import Calibration
from tests.conftest import MODELS


def calibrate_with_made_up_scores(data_dir: Path) -> None:
    """A calibration for the shared recognizer, from drawn scores (not a measurement)."""
    settings = load_settings(model_dir=MODELS, data_dir=data_dir)
    rng = np.random.default_rng(0)
    pipeline = build_pipeline(settings)
    Calibration(
        recognizer_sha256=pipeline.recognizer.sha256, recognizer="mobilefacenet",
        detector=pipeline.detector.name, identity=pipeline_identity(settings, pipeline).to_dict(),
        dataset="made-up scores for a test", date="2026-01-01",
        threshold=0.3, threshold_rule="fixed for tests",
        genuine_scores=rng.normal(0.6, 0.1, 200).tolist(),
        impostor_scores=rng.normal(0.05, 0.1, 200).tolist(),
    ).save(settings.calibration_dir)
