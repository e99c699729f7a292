"""Import open_clip without torchvision, and load a model from a local folder only.

open_clip imports torchvision at module level for two things this project does not use:
its image transforms (we preprocess crops with PIL and numpy, see zero_shot.py) and
``FrozenBatchNorm2d`` (used only to freeze ResNet towers for training). torchvision
wheels from PyPI do not load beside every torch build, so when torchvision is not
importable, open_clip is imported with placeholder ``torchvision`` modules that exist only
during that import and raise if anything calls them. The placeholders are removed from
``sys.modules`` afterwards, so nothing else ever sees them; transformers (which open_clip
imports for its Hugging Face text towers) is imported first, for the same reason.

Models load from a folder laid out as on the Hugging Face hub (``open_clip_config.json``
and ``open_clip_model.safetensors`` or ``open_clip_pytorch_model.bin``), e.g. the files of
``timm/vit_base_patch32_clip_224.openai`` (the paper's ViT-B-32 with OpenAI weights). The
``local-dir:`` schema never touches the network.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.machinery
import importlib.util
import sys
import types
from pathlib import Path
from typing import Any

from core.errors import ModelNotFound

_PLACEHOLDERS = ("torchvision", "torchvision.transforms", "torchvision.transforms.functional",
                 "torchvision.ops", "torchvision.ops.misc")


class _Unavailable(type):
    def __getattr__(cls, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return cls


class _TorchvisionPlaceholder(metaclass=_Unavailable):
    def __init__(self, *args: object, **kwargs: object) -> None:
        raise RuntimeError("torchvision is not installed; facexplain preprocesses CLIP input "
                           "itself and does not use open_clip's transforms")


def _placeholder_module(name: str) -> types.ModuleType:
    module = types.ModuleType(name)
    module.__spec__ = importlib.machinery.ModuleSpec(name, None, is_package=True)
    module.__path__ = []

    def attribute(attr: str) -> Any:
        if attr.startswith("__"):
            raise AttributeError(attr)
        return _TorchvisionPlaceholder

    module.__getattr__ = attribute  # type: ignore[method-assign]
    return module


def import_open_clip() -> Any:
    """The ``open_clip`` module, imported with torchvision placeholders when needed.

    Raises ModuleNotFoundError (with an install hint) when open_clip itself is missing.
    """
    if "open_clip" in sys.modules:
        return sys.modules["open_clip"]
    if importlib.util.find_spec("open_clip") is None:
        raise ModuleNotFoundError(
            "open_clip is not installed: pip install --no-deps open_clip_torch ftfy", name="open_clip")
    if importlib.util.find_spec("torchvision") is not None:
        return importlib.import_module("open_clip")
    with contextlib.suppress(ImportError):
        importlib.import_module("transformers")
    added = [n for n in _PLACEHOLDERS if n not in sys.modules]
    for name in added:
        sys.modules[name] = _placeholder_module(name)
    try:
        return importlib.import_module("open_clip")
    finally:
        for name in added:
            sys.modules.pop(name, None)


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
