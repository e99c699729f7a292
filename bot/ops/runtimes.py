"""The runtimes health and `models list` report: which ONNX Runtime providers and which torch
device the configured models run on, and what to install when a requested one is missing."""

from __future__ import annotations

import importlib.metadata as metadata
import importlib.util

from bot.settings import Settings
from core.onnx import GPU_HINT


def onnx_runtime() -> tuple[str, list[str]]:
    """The installed ONNX Runtime distribution (onnxruntime or onnxruntime-gpu) and its
    providers; ("", []) when none is installed."""
    if importlib.util.find_spec("onnxruntime") is None:
        return "", []
    import onnxruntime as ort

    names = [d for d in ("onnxruntime-gpu", "onnxruntime") if _installed(d)]
    return f"{' + '.join(names) or 'onnxruntime'} {ort.__version__}", list(ort.get_available_providers())


def _installed(distribution: str) -> bool:
    try:
        metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return False
    return True


def runtimes_check(settings: Settings) -> tuple[bool, str]:
    """(ok, detail): the providers in use for the ONNX models and the torch device."""
    runtime, available = onnx_runtime()
    if not runtime:
        return False, "ONNX Runtime is not installed: pip install 'facexplain[cpu]' (or [gpu])"
    in_use = [p for p in settings.onnx_providers if p in available] or ["CPUExecutionProvider"]
    missing = [p for p in settings.onnx_providers if p not in available]
    detail = f"{runtime}: providers in use {', '.join(in_use)} (available: {', '.join(available)})"
    if missing:
        detail += f"; requested but missing: {', '.join(missing)} ({GPU_HINT})"
    return not missing, detail + f"; torch device: {torch_device(settings)}"


def torch_device(settings: Settings) -> str:
    if importlib.util.find_spec("torch") is None:
        return "torch not installed"
    from core.torch_device import resolve_device

    return f"{resolve_device(settings.torch_device)} (FACEXPLAIN_TORCH_DEVICE={settings.torch_device})"
