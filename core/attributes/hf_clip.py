"""A CLIP model from a local Hugging Face folder (``transformers.CLIPModel``), for zero-shot
CLIP-SMU: no torchvision, no open_clip, no network.

The folder is what ``save_pretrained`` writes or the hub holds for e.g.
``openai/clip-vit-base-patch32`` (the paper's ViT-B-32 with OpenAI weights): ``config.json``
(model_type "clip"), the weights, the tokenizer files and ``preprocessor_config.json`` (input
size, mean and std). ``HfClip`` gives the three calls ``ZeroShotClip`` makes of a CLIP model.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from core.errors import ModelNotFound


def is_hf_clip(folder: Path) -> bool:
    config = folder / "config.json"
    if not config.is_file():
        return False
    return bool(json.loads(config.read_text(encoding="utf-8")).get("model_type") == "clip")


class HfClip:
    """``encode_image``, ``encode_text`` and ``logit_scale`` of a ``transformers.CLIPModel``."""

    def __init__(self, model: Any) -> None:
        self.model = model
        self.logit_scale = model.logit_scale

    def encode_image(self, pixels: Any) -> Any:
        return _tensor(self.model.get_image_features(pixel_values=pixels))

    def encode_text(self, tokens: Any) -> Any:
        return _tensor(self.model.get_text_features(**tokens))


def _tensor(out: Any) -> Any:
    """transformers 4 returns the projected features; 5 may wrap them in a model output."""
    return out if hasattr(out, "shape") else out.pooler_output


def load_hf_clip(folder: Path, device: str = "cpu") -> tuple[HfClip, Any, dict[str, Any]]:
    """(model in eval mode, tokenizer: list of texts -> model inputs, preprocess config)."""
    if not is_hf_clip(folder):
        raise ModelNotFound(
            "The CLIP model is missing. Ask the operator to check the model directory.",
            detail=f"no config.json with model_type 'clip' in {folder.resolve()} (expected a "
                   "Hugging Face CLIP folder such as openai/clip-vit-base-patch32)")
    from transformers import AutoTokenizer, CLIPModel

    model = CLIPModel.from_pretrained(str(folder), local_files_only=True).to(device).eval()  # type: ignore[arg-type]
    tok = AutoTokenizer.from_pretrained(str(folder), local_files_only=True)
    limit = int(model.config.text_config.max_position_embeddings)

    def tokenizer(texts: Sequence[str]) -> Any:
        inputs = tok(list(texts), padding=True, truncation=True, max_length=limit, return_tensors="pt")
        return {k: v.to(device) for k, v in inputs.items()}

    return HfClip(model), tokenizer, _preprocess(folder, int(model.config.vision_config.image_size))


def _preprocess(folder: Path, image_size: int) -> dict[str, Any]:
    path = folder / "preprocessor_config.json"
    cfg = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    crop = cfg.get("crop_size", image_size)
    size = crop.get("height", image_size) if isinstance(crop, dict) else crop
    out: dict[str, Any] = {"size": int(size)}
    if "image_mean" in cfg and "image_std" in cfg:
        out |= {"mean": cfg["image_mean"], "std": cfg["image_std"]}
    return out
