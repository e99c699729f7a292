"""Shared test fixtures. Tests that need ../shared skip with a reason when it is absent.

``FACEXPLAIN_TEST_SHARED`` names another folder instead of ../shared (for tests only): point it
at an empty folder to run the suite as a checkout without ../shared does (the transcripts on
the fakes of ``tests/fakes.py`` still run).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("FACEXPLAIN_TEST_SHARED") or ROOT.parent / "shared")
MODELS = SHARED / "models"
LFW = SHARED / "data" / "lfw"
# this repository's tests read LFW from ../shared (a user's default is DATA_DIR/lfw)
os.environ.setdefault("FACEXPLAIN_LFW_DIR", str(LFW))

needs_shared = pytest.mark.skipif(
    not (MODELS / "scrfd" / "det_500m.onnx").is_file(),
    reason="../shared (LFW data and ONNX models) is not present next to the checkout",
)


@pytest.fixture(scope="session")
def shared_models() -> Path:
    if not MODELS.is_dir():
        pytest.skip("../shared/models is not present next to the checkout")
    return MODELS


@pytest.fixture(scope="session")
def lfw_dir() -> Path:
    if not (LFW / "deepfunneled").is_dir():
        pytest.skip("../shared/data/lfw is not present next to the checkout")
    return LFW


def lfw_image(name: str, number: int) -> Path:
    return LFW / "deepfunneled" / name / f"{name}_{number:04d}.jpg"


@pytest.fixture(scope="session")
def calibrated_settings(tmp_path_factory: pytest.TempPathFactory, shared_models: Path, lfw_dir: Path):  # type: ignore[no-untyped-def]
    """Settings pointing at ../shared models, with a quick calibration from 120 LFW View 1 pairs
    (the real command uses all 3,200) saved in a temporary data directory."""
    import datetime as dt

    import numpy as np

    from bot.composition import build_pipeline, pipeline_identity
    from bot.settings import load_settings
    from core.calibration import Calibration
    from core.dataset import embed_images
    from core.lfw import view1

    data_dir = tmp_path_factory.mktemp("facexplain-data")
    settings = load_settings(model_dir=MODELS, data_dir=data_dir, lfw_dir=LFW)
    pipeline = build_pipeline(settings, policy="centre")
    pairs = view1(LFW)
    pairs = pairs[:60] + pairs[1100:1160]
    embedded = embed_images(pipeline, LFW / "deepfunneled", [p.a for p in pairs] + [p.b for p in pairs])
    scores = embedded.score_pairs([(p.a, p.b) for p in pairs])
    same = np.array([p.same for p in pairs])
    Calibration(
        recognizer_sha256=pipeline.recognizer.sha256,
        recognizer=pipeline.recognizer.name,
        detector=pipeline.detector.name,
        dataset="LFW View 1 (120-pair test subset)",
        date=dt.date.today().isoformat(),
        threshold=0.28,
        threshold_rule="fixed for tests",
        genuine_scores=scores[same].tolist(),
        impostor_scores=scores[~same].tolist(),
        identity=pipeline_identity(settings, pipeline).to_dict(),
    ).save(settings.calibration_dir)
    return settings
