"""One place that opens ONNX Runtime sessions (providers and thread counts from settings)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from core.errors import ModelNotFound


def open_session(path: Path, *, providers: list[str] | None = None, threads: int = 0) -> Any:
    """Open ``path`` with ONNX Runtime. ``threads=0`` lets the runtime choose."""
    import onnxruntime as ort

    if not path.is_file():
        raise ModelNotFound(detail=f"model file {path.name} not found in {path.parent}")
    options = ort.SessionOptions()
    # Exports with fixed output shapes warn on every call at other input sizes; errors only.
    options.log_severity_level = 3
    if threads:
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    available = ort.get_available_providers()
    chosen = [p for p in (providers or ["CPUExecutionProvider"]) if p in available]
    return ort.InferenceSession(str(path), sess_options=options, providers=chosen or ["CPUExecutionProvider"])
