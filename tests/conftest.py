"""Shared test fixtures. Tests that need ../shared skip with a reason when it is absent.

``FACEXPLAIN_TEST_SHARED`` names another folder instead of ../shared (for tests only): point it
at an empty folder to run the suite as a checkout without ../shared does (the transcripts on
the fakes of ``tests/fakes.py`` still run).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:  # imported in the fixtures: every test session loads this file
    from bot.dialogue import Dialogue
    from bot.jobs import JobRunner
    from bot.services import Answerer
    from bot.settings import Settings
    from bot.store.repository import Store

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


# -- the real conversation parts, shared by tests/bot and tests/adapters (the dialogue and the
# chat-platform tests): see tests/bot/dialogue_helpers.py

@pytest.fixture
def answerer(calibrated_settings: Settings) -> Answerer:
    """The real QA engine, built once per test process."""
    from tests.bot.dialogue_helpers import shared_answerer

    return shared_answerer(calibrated_settings)


@pytest.fixture(scope="module")
def store(calibrated_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """A real SQLite store for the module (tests use distinct users, so they never meet)."""
    from bot.composition import build_store

    path = tmp_path_factory.mktemp("chat") / "chat.db"
    chat_store = build_store(calibrated_settings.model_copy(update={"database_url": f"sqlite:///{path}"}))
    yield chat_store
    chat_store.close()


@pytest.fixture(scope="module")
def thread_runner(calibrated_settings: Settings) -> Iterator[JobRunner]:
    """Real models on worker threads (no process start-up), built once for the module."""
    from bot.composition import build_runner
    from tests.bot.dialogue_helpers import TINY_SALIENCY

    runner = build_runner(calibrated_settings, saliency=TINY_SALIENCY, kind="threads")
    yield runner
    asyncio.run(runner.close())


@pytest.fixture
def dialogue_runner(thread_runner: JobRunner) -> JobRunner:
    """The runner under ``dialogue``; a directory's conftest overrides it with its own."""
    return thread_runner


@pytest.fixture
async def dialogue(dialogue_runner: JobRunner, store: Store,
                   answerer: Answerer) -> AsyncIterator[Dialogue]:
    """Real models, a real SQLite store, the real QA engine; consent asked first."""
    from bot.dialogue import Dialogue, DialogueConfig

    talk = Dialogue(dialogue_runner, store, answerer, DialogueConfig(consent="ask"))
    yield talk
    await talk.close()
