"""Fakes for conversation tests that need no ../shared: fake face models inside the real
pipeline, a fake text encoder inside the real QA engine, a job runner that runs jobs on a
thread of this process, and synthetic "people" to photograph.

The fake models are simple enough to reason about and real enough for every layer above them:

- ``GridDetector`` finds one face in any photo whose middle is not a flat colour (a sky has none),
  with the five landmarks where an aligned crop has them, so the crop is the photo scaled to
  112 x 112;
- ``GridRecognizer`` embeds a crop as the brightness of its 4 x 4 cells (mean removed);
- ``person_photo(n, shot)`` draws person ``n`` as a 4 x 4 pattern of light and dark cells
  (row ``n`` of a Hadamard matrix, so different people have orthogonal templates) with a
  shot-dependent brightness and noise: two shots of one person score ~1, two people ~0.

Decisions, PIC confidences (from a small synthetic calibration), MinPlus heatmaps, region
tables, collages and grounded answers are then computed by the real code.
"""

from __future__ import annotations

import asyncio
import io
import threading
import zlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from PIL import Image
from scipy.linalg import hadamard

from bot.composition import Service, build_service
from bot.jobs.runner import Job, RunnerClosed
from bot.services import CoreExplainer, Engines, QAAnswerer
from bot.settings import Settings, load_settings
from core.align import ARCFACE_TEMPLATE, CROP_SIZE
from core.calibration import Calibration
from core.faces import Face
from core.pipeline import FacePipeline
from core.progress import Progress, no_progress
from core.recognizer import l2_normalise
from core.saliency import PROFILES, with_changes
from core.verify import Verifier

GRID = 4
PATTERNS = hadamard(GRID * GRID)[1:]  # 15 orthogonal +-1 patterns with mean 0
FAKE_SHA256 = "f" * 64
# A tiny MinPlus grid (2 x 2 blobs, one greedy step): real maps and tables in well under 1 s.
FAKE_SALIENCY = with_changes(PROFILES["interactive"], d=37, tmax=1, profile="fake-test")


def person_photo(person: int, shot: int = 1, size: int = 224) -> bytes:
    """A JPEG of synthetic person ``person`` (1 to 15), shot ``shot`` (any number)."""
    rng = np.random.default_rng(person * 1000 + shot)
    cells = PATTERNS[person - 1].reshape(GRID, GRID)
    base = 128 + 8 * ((shot % 5) - 2)  # another day, another light
    image = base + 60 * np.kron(cells, np.ones((size // GRID, size // GRID)))
    image = image + rng.normal(0, 6, image.shape)
    rgb = np.repeat(np.clip(image, 0, 255).astype(np.uint8)[..., None], 3, axis=2)
    return jpeg(Image.fromarray(rgb))


def sky_photo() -> bytes:
    """A JPEG of a clear sky: a valid photo with no face in it."""
    return jpeg(Image.new("RGB", (250, 250), (120, 160, 200)))


def jpeg(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=92)
    return out.getvalue()


class GridDetector:
    name = "fake-grid-detector"

    def detect(self, image: NDArray[np.uint8]) -> list[Face]:
        height, width = image.shape[:2]
        middle = image[height // 4: 3 * height // 4, width // 4: 3 * width // 4]
        if float(middle.std(axis=(0, 1)).max()) < 3.0:
            return []
        scale = np.array([width / CROP_SIZE, height / CROP_SIZE], dtype=np.float32)
        landmarks = (ARCFACE_TEMPLATE * scale).astype(np.float32)
        return [Face((0.0, 0.0, float(width), float(height)), 0.99, landmarks)]


class GridRecognizer:
    name = "fake-grid-recognizer"
    sha256 = FAKE_SHA256
    batch_size = 64

    def embed(self, crops: NDArray[Any]) -> NDArray[np.float32]:
        crops = np.asarray(crops, dtype=np.float32)
        n, side = crops.shape[0], crops.shape[1]
        grey = crops.mean(axis=3)[:, : side - side % GRID, : side - side % GRID]
        cells = grey.reshape(n, GRID, side // GRID, GRID, side // GRID).mean(axis=(2, 4))
        rows = cells.reshape(n, GRID * GRID)
        return l2_normalise(rows - rows.mean(axis=1, keepdims=True))


def fake_calibration() -> Calibration:
    """Genuine pairs score 0.8 to 1.0, impostors -0.4 to 0.4; the threshold in between."""
    return Calibration(
        recognizer_sha256=FAKE_SHA256, recognizer=GridRecognizer.name,
        detector=GridDetector.name, dataset="synthetic grid people", date="2026-01-01",
        threshold=0.6, threshold_rule="fixed for tests",
        genuine_scores=np.linspace(0.8, 1.0, 50).tolist(),
        impostor_scores=np.linspace(-0.4, 0.4, 200).tolist())


def fake_engines() -> Engines:
    """What a worker would load, on the fake models: the real pipeline, verifier and explainer."""
    pipeline = FacePipeline(GridDetector(), GridRecognizer())
    explainer = CoreExplainer(GridRecognizer(), FAKE_SALIENCY)
    return Engines(pipeline, Verifier(pipeline, fake_calibration()), explainer)


class HashingEncoder:
    """Sentences as hashed bags of words (and word pairs): the QA engine's retrieval works on
    shared words instead of meaning, with nothing to load."""

    dims = 512

    def encode(self, texts: Sequence[str]) -> NDArray[np.float32]:
        rows = np.zeros((len(texts), self.dims), dtype=np.float32)
        for i, text in enumerate(texts):
            words = "".join(c if c.isalnum() else " " for c in text.lower()).split()
            for token in (*words, *(f"{a} {b}" for a, b in zip(words, words[1:], strict=False))):
                rows[i, zlib.crc32(token.encode()) % self.dims] += 1.0
        return l2_normalise(rows + 1e-6)


def fake_answerer() -> QAAnswerer:
    """The real QA engine (grounded mode) on ``HashingEncoder``."""
    from core.qa import QAEngine

    return QAAnswerer(QAEngine(HashingEncoder()))


class InlineRunner:
    """A ``JobRunner`` that runs each job on a thread of this process, on ``fake_engines()``
    built once; progress comes back on the caller's event loop."""

    def __init__(self, engines: Engines | None = None) -> None:
        self.engines = engines or fake_engines()
        self.jobs_run: list[str] = []
        self._running: dict[str, int] = {}
        self.started = self.closed = False

    async def start(self) -> None:
        if self.closed:
            raise RunnerClosed()
        self.started = True

    async def run(self, job: Job[Any], payload: Any, progress: Progress = no_progress, *,
                  label: str = "") -> Any:
        if self.closed:
            raise RunnerClosed()
        loop = asyncio.get_running_loop()

        def report(stage: str, done: int, total: int) -> None:
            loop.call_soon_threadsafe(progress, stage, done, total)

        def call() -> Any:
            self._running[label] = threading.get_native_id()
            try:
                return job(self.engines, payload, report)
            finally:
                self._running.pop(label, None)

        self.jobs_run.append(job.__name__)
        return await asyncio.to_thread(call)

    def running(self) -> dict[str, int]:
        return dict(self._running)

    async def close(self) -> None:
        self.closed = True


def fake_settings(folder: Path, **changes: object) -> Settings:
    """Settings for a test: data in ``folder``, no model directory, SQLite there."""
    return load_settings(data_dir=folder / "data", model_dir=folder / "no-models",
                         database_url=f"sqlite:///{folder / 'store.db'}", **changes)


def fake_service(folder: Path, **changes: object) -> Service:
    """The conversation service the entry points build (``build_service``), on the fakes: a
    real SQLite store in ``folder``, ``InlineRunner`` and the fake answerer."""
    from bot.dialogue import DialogueConfig

    settings = fake_settings(folder)
    config = DialogueConfig(**changes)  # type: ignore[arg-type]
    return build_service(settings, runner=InlineRunner(), answerer=fake_answerer(), config=config)
