"""One place that opens ONNX Runtime sessions (providers and thread counts from settings)."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from core.errors import ModelNotFound


def cpu_cores() -> int:
    """The cores this process may run on (its affinity mask, not the machine's total)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


def intra_op_threads(concurrent: int = 1, cores: int | None = None) -> int:
    """Intra-op threads for each of ``concurrent`` sessions (or calls) running at once, so that
    together they fill the cores and never oversubscribe them: cores // concurrent, at least 1.
    On a busy 2-core machine one thread per call measured ~3x faster than the runtime's own
    choice (two spinning threads per call)."""
    return max(1, (cores or cpu_cores()) // max(1, concurrent))


def open_session(path: Path, *, providers: list[str] | None = None, threads: int = 0,
                 concurrent: int = 1) -> Any:
    """Open ``path`` with ONNX Runtime. ``threads=0`` sets the intra-op threads from the cores
    and the number of ``concurrent`` callers (``intra_op_threads``), never the runtime default."""
    import onnxruntime as ort

    if not path.is_file():
        raise ModelNotFound(detail=f"model file {path.name} not found in {path.parent}")
    options = ort.SessionOptions()
    # Exports with fixed output shapes warn on every call at other input sizes; errors only.
    options.log_severity_level = 3
    options.intra_op_num_threads = threads or intra_op_threads(concurrent)
    options.inter_op_num_threads = 1
    if options.intra_op_num_threads > 1:
        # threads that spin between calls steal the other session's core
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    return ort.InferenceSession(str(path), sess_options=options,
                                providers=usable_providers(providers, ort.get_available_providers()))


GPU_HINT = ("install the GPU runtime instead of the CPU one: scripts/setup --gpu, or "
            "pip uninstall onnxruntime && pip install 'facexplain[gpu]'")


def usable_providers(requested: list[str] | None, available: list[str]) -> list[str]:
    """The requested providers this onnxruntime has, in order; a WARNING names each missing
    one and what to install (the CPU provider is the fallback)."""
    wanted = requested or ["CPUExecutionProvider"]
    missing = [p for p in wanted if p not in available]
    if missing:
        logging.getLogger(__name__).warning(
            "ONNX Runtime provider %s requested but not available (this onnxruntime has: %s); "
            "using %s. For CUDA: %s.", ", ".join(missing), ", ".join(available),
            ", ".join([p for p in wanted if p in available] or ["CPUExecutionProvider"]), GPU_HINT)
    return [p for p in wanted if p in available] or ["CPUExecutionProvider"]
