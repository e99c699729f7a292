"""Load an open_clip model from a local folder, where open_clip imports cleanly (optional).

The default CLIP path is a Hugging Face folder loaded with ``transformers.CLIPModel``
(``core.attributes.hf_clip``). open_clip imports torchvision at module level; where that
import fails (e.g. a torchvision wheel that does not load beside this torch), this path is
unavailable and says so: use a Hugging Face CLIP folder instead.

Models load from a folder laid out as on the Hugging Face hub (``open_clip_config.json``
and ``open_clip_model.safetensors`` or ``open_clip_pytorch_model.bin``). The ``local-dir:``
schema never touches the network.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

from core.errors import ModelNotFound


def import_open_clip() -> Any:
    """The ``open_clip`` module; ModuleNotFoundError (with what to use instead) when it is not
    installed or does not import here."""
    try:
        return importlib.import_module("open_clip")
    except ImportError as exc:
        raise ModuleNotFoundError(
            f"open_clip does not import here ({exc}); load CLIP from a Hugging Face folder "
            "(transformers.CLIPModel, e.g. openai/clip-vit-base-patch32) instead",
            name="open_clip") from exc


def load_open_clip(folder: Path) -> tuple[Any, Any, dict[str, Any]]:
    """(model in eval mode, tokenizer, preprocess config) from a local open_clip folder."""
    if not (folder / "open_clip_config.json").is_file():
        raise ModelNotFound(
            "The CLIP model is missing. Ask the operator to check the model directory.",
            detail=f"no open_clip_config.json in {folder.resolve()} (expected the files of an "
                   "open_clip model such as timm/vit_base_patch32_clip_224.openai)")
    weights = [p for ext in ("safetensors", "bin", "pth", "pt") for p in folder.glob(f"*.{ext}")]
    if not weights:
        raise ModelNotFound(
            "The CLIP model weights are missing. Ask the operator to check the model directory.",
            detail=f"open_clip_config.json but no .safetensors/.bin/.pth weights in {folder.resolve()}")
    open_clip = import_open_clip()
    name = f"local-dir:{folder.resolve()}"
    model = open_clip.create_model(name)
    model.eval()
    tokenizer = open_clip.get_tokenizer(name)
    preprocess = dict(getattr(model.visual, "preprocess_cfg", {}) or {})
    return model, tokenizer, preprocess
