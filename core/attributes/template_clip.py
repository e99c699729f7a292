"""Template CLIP-SMU: align caption embeddings with a frozen recognizer's templates.

The recognizer is frozen and so is the sentence encoder (all-MiniLM-L6-v2 offline, or
open_clip's text tower when its weights are present): their caption features are computed
once. What is trained is the text side's head, a linear projection from the encoder's
dimension to the template's (plus, with ``hidden > 0``, a residual ReLU MLP), and CLIP's
learnable temperature, with the symmetric contrastive loss on batches of unique captions.

An attribute's score for a template is the two-way softmax of the template's scaled cosine
similarity with the attribute's positive and negative prompt ("A photo of a face with
eyeglasses." against "... without eyeglasses.").
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from core.attributes.caption_sets import caption_index, image_captions
from core.attributes.captions import prompts
from core.attributes.losses import symmetric_clip_loss, unique_caption_batches
from core.attributes.vocabulary import KEYS
from core.progress import Progress, no_progress
from core.recognizer import l2_normalise

Floats = NDArray[np.float32]
EncodeTexts = Callable[[Sequence[str]], Floats]


@dataclass(frozen=True)
class TemplateClipConfig:
    epochs: int = 60
    batch_size: int = 32  # small batches: fewer in-batch negatives that share the attribute
    lr: float = 2e-3
    weight_decay: float = 1e-4
    hidden: int = 0  # 0: linear projection only
    variants: int = 8  # captions per image (the full caption + one-attribute prompts)
    init_temperature: float = 0.07
    seed: int = 0


@dataclass(frozen=True)
class TemplateClip:
    """The trained text head in numpy, with the prompts already projected."""

    params: dict[str, Floats]  # "w", "b" (and "w1", "b1", "w2", "b2" with the MLP)
    log_scale: float
    positive: Floats  # len(KEYS) x D, L2-normalised projected positive prompts
    negative: Floats
    encoder: str = ""  # which sentence encoder the head expects
    losses: list[float] = field(default_factory=list)  # mean loss per epoch

    def project(self, features: Floats) -> Floats:
        return project(self.params, features)

    def logits(self, templates: Floats) -> Floats:
        t = l2_normalise(templates)
        scale = math.exp(self.log_scale)
        return np.asarray(scale * (t @ self.positive.T - t @ self.negative.T), dtype=np.float32)

    def scores(self, templates: Floats) -> Floats:
        """P(positive prompt | template) per attribute: N x len(KEYS) in 0..1."""
        return np.asarray(1.0 / (1.0 + np.exp(-self.logits(templates))), dtype=np.float32)


def _head(in_dim: int, out_dim: int, hidden: int) -> object:
    import torch

    class Head(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.linear = torch.nn.Linear(in_dim, out_dim)
            self.mlp = (torch.nn.Sequential(torch.nn.Linear(in_dim, hidden), torch.nn.ReLU(),
                                            torch.nn.Linear(hidden, out_dim)) if hidden else None)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            y: torch.Tensor = self.linear(x)
            if self.mlp is not None:
                y = y + self.mlp(x)
            return y

    return Head()


def train_template_clip(
    templates: Floats,
    labels: NDArray[np.int8],
    encode: EncodeTexts,
    config: TemplateClipConfig = TemplateClipConfig(),
    *,
    encoder_name: str = "",
    progress: Progress = no_progress,
) -> TemplateClip:
    """Train the text head on (template, caption) pairs; ``encode`` gives frozen features."""
    import torch

    rng = np.random.default_rng(config.seed)
    torch.manual_seed(config.seed)
    unique, ids = caption_index(image_captions(labels, config.variants, config.seed))
    prompt_texts = [t for k in KEYS for t in prompts(k)]
    features = encode(unique + prompt_texts)
    text = torch.from_numpy(np.ascontiguousarray(features[: len(unique)]))
    images = torch.from_numpy(l2_normalise(templates))
    head = _head(features.shape[1], images.shape[1], config.hidden)
    assert isinstance(head, torch.nn.Module)
    log_scale = torch.nn.Parameter(torch.tensor(math.log(1.0 / config.init_temperature)))
    optimiser = torch.optim.AdamW([*head.parameters(), log_scale], lr=config.lr,
                                  weight_decay=config.weight_decay)
    losses: list[float] = []
    for epoch in range(config.epochs):
        chosen = ids[np.arange(len(ids)), rng.integers(ids.shape[1], size=len(ids))]
        total, count = 0.0, 0
        for batch in unique_caption_batches(chosen, config.batch_size, rng):
            loss = symmetric_clip_loss(images[batch], head(text[chosen[batch]]), log_scale)
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            with torch.no_grad():
                log_scale.clamp_(0.0, math.log(100.0))
            total += float(loss.detach()) * len(batch)
            count += len(batch)
        losses.append(total / max(count, 1))
        progress("template CLIP-SMU", epoch + 1, config.epochs)
    params = {_NAMES[name]: v for name, v in _numpy_params(head).items()}
    projected = project(params, features[len(unique):])
    return TemplateClip(params, float(log_scale.detach()), projected[0::2], projected[1::2],
                        encoder_name, losses)


_NAMES = {"linear.weight": "w", "linear.bias": "b", "mlp.0.weight": "w1", "mlp.0.bias": "b1",
          "mlp.2.weight": "w2", "mlp.2.bias": "b2"}


def project(params: dict[str, Floats], features: Floats) -> Floats:
    """Encoder features (N x E) -> normalised caption embeddings in template space."""
    out = features @ params["w"] + params["b"]
    if "w1" in params:
        out = out + np.maximum(features @ params["w1"] + params["b1"], 0.0) @ params["w2"] + params["b2"]
    return l2_normalise(out)


def _numpy_params(module: object) -> dict[str, Floats]:
    """name -> array, weights transposed to (in, out) for ``x @ w``."""
    import torch

    assert isinstance(module, torch.nn.Module)
    out: dict[str, Floats] = {}
    for name, p in module.named_parameters():
        v = p.detach().cpu().numpy().astype(np.float32)
        out[name] = np.ascontiguousarray(v.T) if v.ndim == 2 else v
    return out
