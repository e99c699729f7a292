"""Embedding LFW pairs for calibration and evaluation (cached under the data directory)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from bot.settings import Settings
from core.dataset import EmbeddedSet, cache_key, embed_images
from core.errors import FacexplainError
from core.lfw import Pair
from core.pipeline import FacePipeline
from core.progress import Progress, no_progress


def embed_pairs(
    settings: Settings, pipeline: FacePipeline, pairs: Sequence[Pair], progress: Progress = no_progress
) -> tuple[EmbeddedSet, NDArray[np.float64], NDArray[np.bool_]]:
    root = settings.lfw_path / "deepfunneled"
    if not root.is_dir():
        raise FacexplainError(
            "The LFW images were not found.",
            detail=f"expected deep-funneled images in {root.resolve()}; set FACEXPLAIN_LFW_DIR",
        )
    paths = [p.a for p in pairs] + [p.b for p in pairs]
    cache = settings.cache_dir / f"lfw-templates-{cache_key(pipeline)}.npz"
    embedded = embed_images(pipeline, root, paths, cache_file=cache, progress=progress)
    scores = embedded.score_pairs([(p.a, p.b) for p in pairs])
    same = np.array([p.same for p in pairs], dtype=bool)
    return embedded, scores, same
