"""Zero-shot CLIP-SMU: a CLIP model (transformers, or open_clip) scores each attribute on the
aligned face crop.

The image encoder sees the aligned crop (resized to the model's input size, normalised
with its mean and std); the text encoder sees each attribute's positive and negative prompt
(captions.prompts). An attribute's score is the softmax, at the model's own temperature, of
the crop's similarity with the positive prompt against the negative one.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from core.attributes.captions import prompts
from core.attributes.hf_clip import HfClip, is_hf_clip, load_hf_clip
from core.attributes.vocabulary import KEYS
from core.recognizer import l2_normalise

Floats = NDArray[np.float32]
OPENAI_MEAN = (0.48145466, 0.4578275, 0.40821073)
OPENAI_STD = (0.26862954, 0.26130258, 0.27577711)


class ZeroShotClip:
    """Wraps a CLIP model with ``encode_image``, ``encode_text`` and ``logit_scale``
    (``core.attributes.hf_clip.HfClip``, or an open_clip model)."""

    def __init__(self, model: Any, tokenizer: Any, *, image_size: int = 224,
                 mean: Sequence[float] = OPENAI_MEAN, std: Sequence[float] = OPENAI_STD,
                 name: str = "open_clip", batch_size: int = 32) -> None:
        self.model = model
        self.tokenizer = tokenizer
        self.image_size = int(image_size)
        self.mean = np.asarray(mean, dtype=np.float32)
        self.std = np.asarray(std, dtype=np.float32)
        self.name = name
        self.batch_size = batch_size
        self._prompts: tuple[Floats, Floats] | None = None
        self.device = "cpu"
        self.kind = "open_clip"  # or "clip": a transformers CLIPModel

    @classmethod
    def from_folder(cls, folder: Path, device: str = "cpu") -> ZeroShotClip:
        """A Hugging Face CLIP folder (transformers.CLIPModel), or an open_clip one where
        open_clip imports (it needs torchvision)."""
        if is_hf_clip(folder):
            model, tokenizer, pre = load_hf_clip(folder, device)
        else:
            from core.attributes.open_clip_loader import load_open_clip

            model, tokenizer, pre = load_open_clip(folder)
            device = "cpu"
        return cls._from_parts(model, tokenizer, pre, folder.name, device)

    @classmethod
    def _from_parts(cls, model: Any, tokenizer: Any, pre: dict[str, Any], name: str,
                    device: str) -> ZeroShotClip:
        size = pre.get("size", 224)
        clip = cls(model, tokenizer, image_size=size[0] if isinstance(size, list | tuple) else size,
                   mean=pre.get("mean", OPENAI_MEAN), std=pre.get("std", OPENAI_STD), name=name)
        clip.device = device
        clip.kind = "clip" if isinstance(model, HfClip) else "open_clip"
        return clip

    def preprocess(self, crops: NDArray[np.uint8]) -> Floats:
        """N x H x W x 3 RGB crops -> N x 3 x S x S normalised (bicubic resize)."""
        from PIL import Image

        size = (self.image_size, self.image_size)
        out = np.stack([np.asarray(Image.fromarray(np.asarray(c, np.uint8)).resize(
            size, Image.Resampling.BICUBIC), dtype=np.float32) / 255.0 for c in crops])
        out = (out - self.mean) / self.std
        return np.ascontiguousarray(out.transpose(0, 3, 1, 2), dtype=np.float32)

    def image_features(self, crops: NDArray[np.uint8]) -> Floats:
        import torch

        chunks = []
        with torch.no_grad():
            for start in range(0, len(crops), self.batch_size):
                x = torch.from_numpy(self.preprocess(crops[start:start + self.batch_size]))
                chunks.append(self.model.encode_image(x.to(self.device)).float().cpu().numpy())
        return l2_normalise(np.concatenate(chunks))

    def text_features(self, texts: Sequence[str]) -> Floats:
        import torch

        with torch.no_grad():
            features = self.model.encode_text(self.tokenizer(list(texts)))
            return l2_normalise(features.float().cpu().numpy())

    def prompt_features(self) -> tuple[Floats, Floats]:
        """Positive and negative prompt features, len(KEYS) x D each (computed once)."""
        if self._prompts is None:
            feats = self.text_features([t for k in KEYS for t in prompts(k)])
            self._prompts = (feats[0::2], feats[1::2])
        return self._prompts

    @property
    def scale(self) -> float:
        return float(self.model.logit_scale.exp().item())

    def scores_from_features(self, image_features: Floats) -> Floats:
        pos, neg = self.prompt_features()
        logits = self.scale * (image_features @ pos.T - image_features @ neg.T)
        return np.asarray(1.0 / (1.0 + np.exp(-np.clip(logits, -60, 60))), dtype=np.float32)

    def scores(self, crops: NDArray[np.uint8]) -> Floats:
        """P(positive prompt | crop) per attribute: N x len(KEYS)."""
        return self.scores_from_features(self.image_features(crops))
