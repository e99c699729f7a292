"""An OpenVINO compiled model behind the two ONNX Runtime session calls the recognizer uses
(``get_inputs()[0].name`` and ``run(None, feeds)``), so ``OnnxRecognizer`` runs it unchanged.

Why OpenVINO: on CPUs with bfloat16 units (AVX512-BF16/AMX) it runs the recognizer in bf16
about 3x faster than fp32, which ONNX Runtime's CPU provider does not offer. bf16 embeddings
are close to, not equal to, fp32 ones: only saliency profiles whose agreement with ``paper``
was measured use it (``SaliencyParams.precision``); decisions always run in fp32.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from core.errors import ModelNotFound
from core.onnx import intra_op_threads

if TYPE_CHECKING:
    from core.recognizer import Normalisation, OnnxRecognizer

PRECISIONS = ("f32", "bf16")


@dataclass(frozen=True)
class _Input:
    name: str


def openvino_available() -> bool:
    try:
        import openvino  # noqa: F401
    except ImportError:
        return False
    return True


def bf16_supported() -> bool:
    """Whether this CPU runs bf16 natively (otherwise OpenVINO quietly runs f32)."""
    import openvino as ov

    return "BF16" in ov.Core().get_property("CPU", "OPTIMIZATION_CAPABILITIES")


class OpenVinoSession:
    """One compiled model; one infer request per calling thread (requests are not thread-safe)."""

    def __init__(self, compiled: Any, precision: str) -> None:
        self.compiled = compiled
        self.precision = precision
        self._input = compiled.inputs[0].get_any_name()
        self._local = threading.local()

    @classmethod
    def open(cls, path: Path, *, precision: str = "bf16", threads: int = 0,
             concurrent: int = 1) -> OpenVinoSession:
        import openvino as ov

        if precision not in PRECISIONS:
            raise ValueError(f"precision must be one of {PRECISIONS}, got {precision!r}")
        if not path.is_file():
            raise ModelNotFound(detail=f"model file {path.name} not found in {path.parent}")
        config = {
            "INFERENCE_PRECISION_HINT": precision,
            "INFERENCE_NUM_THREADS": threads or intra_op_threads(concurrent),
            "PERFORMANCE_HINT": "LATENCY",
        }
        compiled = ov.Core().compile_model(str(path), "CPU", config)
        return cls(compiled, precision)

    def get_inputs(self) -> list[_Input]:
        return [_Input(self._input)]

    def get_providers(self) -> list[str]:
        return [f"OpenVINO CPU ({self.precision})"]

    def run(self, output_names: Any, feeds: dict[str, Any]) -> list[np.ndarray[Any, Any]]:
        request = getattr(self._local, "request", None)
        if request is None:
            request = self._local.request = self.compiled.create_infer_request()
        result = request.infer({self._input: feeds[self._input]})
        return [np.array(result[self.compiled.outputs[0]], dtype=np.float32)]


def bf16_recognizer(path: Path, *, normalisation: Normalisation | None = None,
                    concurrency: int = 1) -> OnnxRecognizer | None:
    """A bfloat16 copy of the recognizer in ``path`` for saliency first passes, or None where
    it would not pay: OpenVINO not installed, or a CPU without bf16 units (f32 there)."""
    from core.recognizer import Normalisation, OnnxRecognizer, identity_sha256

    if not openvino_available() or not bf16_supported():
        return None
    session = OpenVinoSession.open(path, precision="bf16", concurrent=concurrency)
    return OnnxRecognizer(session, name=f"{path.stem} (bf16)", sha256=identity_sha256(path),
                          normalisation=normalisation or Normalisation(), concurrency=concurrency)
