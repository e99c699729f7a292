"""Turn an ONNX export whose batch is fixed (by the input shape and a Reshape constant, as the
shared MobileFaceNet's ``Reshape(x, [1, -1])``) into a dynamic-batch copy, check that it gives
the same outputs, and record which original it stands for.

The copy computes the same function, so calibrations and trained heads keyed by the original's
sha256 still apply: ``<copy>.json`` (the *provenance* record) names both digests, and
``OnnxRecognizer.from_file`` reports the original's digest for a copy whose record matches it.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from core.errors import FacexplainError

BATCH_DIM = "batch"


class NotBatchable(FacexplainError):
    code = "not_batchable"
    user_message = "This model cannot be rewritten to take a batch of images."


@dataclass(frozen=True)
class Provenance:
    """What ``make_batchable`` wrote: the copy's digest, the original's, and the check."""

    sha256: str  # the dynamic-batch copy
    source_sha256: str  # the original export; calibrations are keyed by this one
    source_name: str
    reshapes_rewritten: int
    checked_batches: tuple[int, ...]
    max_abs_difference: float

    def save(self, model_path: Path) -> Path:
        path = provenance_path(model_path)
        path.write_text(json.dumps(asdict(self), indent=2) + "\n", encoding="utf-8")
        return path


def provenance_path(model_path: Path) -> Path:
    return model_path.with_name(model_path.name + ".json")


def read_provenance(model_path: Path) -> Provenance | None:
    """The record next to ``model_path``, or None when there is none or it is unreadable."""
    path = provenance_path(model_path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        data["checked_batches"] = tuple(data["checked_batches"])
        return Provenance(**data)
    except (OSError, ValueError, TypeError, KeyError):
        return None


def _constant_values(graph: Any) -> dict[str, Any]:
    """Tensor name -> (holder, numpy value) for initializers and Constant nodes."""
    from onnx import numpy_helper

    found: dict[str, Any] = {t.name: (t, numpy_helper.to_array(t)) for t in graph.initializer}
    for node in graph.node:
        if node.op_type == "Constant":
            for attr in node.attribute:
                if attr.name == "value":
                    found[node.output[0]] = (attr.t, numpy_helper.to_array(attr.t))
    return found


def rewrite(model: Any) -> tuple[Any, int]:
    """The model with a symbolic batch dimension; returns (model, Reshapes rewritten)."""
    import onnx
    from onnx import numpy_helper

    graph = model.graph
    inputs = [i for i in graph.input if i.name not in {t.name for t in graph.initializer}]
    if len(inputs) != 1:
        raise NotBatchable(detail=f"expected one image input, found {len(inputs)}")
    fixed = inputs[0].type.tensor_type.shape.dim[0]
    if not fixed.HasField("dim_value"):
        raise NotBatchable(detail="the input's batch dimension is already dynamic")
    batch = fixed.dim_value
    inferred = onnx.shape_inference.infer_shapes(model)
    shapes = {v.name: [d.dim_value for d in v.type.tensor_type.shape.dim]
              for v in list(inferred.graph.value_info) + list(inferred.graph.output)}
    constants = _constant_values(graph)
    rewritten = 0
    for node in graph.node:
        if node.op_type != "Reshape" or node.input[1] not in constants:
            continue
        holder, value = constants[node.input[1]]
        out_shape = shapes.get(node.output[0])
        if value.ndim != 1 or not out_shape or out_shape[0] != batch or 0 in out_shape[1:]:
            continue
        if int(value[0]) == -1 and -1 not in value[1:]:
            continue  # already batch-agnostic
        new = np.array([-1, *out_shape[1:]], dtype=value.dtype)
        holder.CopyFrom(numpy_helper.from_array(new, holder.name))
        rewritten += 1
    for value_info in list(graph.input[:1]) + list(graph.output):
        dim = value_info.type.tensor_type.shape.dim[0]
        dim.Clear()
        dim.dim_param = BATCH_DIM
    del graph.value_info[:]  # intermediate shapes were inferred at the fixed batch
    onnx.checker.check_model(model)
    return model, rewritten


def _outputs(path: Path, inputs: np.ndarray, batch: int) -> np.ndarray:
    from core.onnx import open_session

    session = open_session(path, threads=1)
    name = session.get_inputs()[0].name
    rows = [session.run(None, {name: inputs[i : i + batch]})[0] for i in range(0, len(inputs), batch)]
    return np.concatenate([np.asarray(r, np.float64).reshape(len(r), -1) for r in rows])


def make_batchable(source: Path, target: Path, *, check_batch: int = 36, seed: int = 0,
                   tolerance: float = 1e-4) -> Provenance:
    """Write the dynamic-batch copy of ``source`` to ``target`` (and its provenance record),
    after checking that batches of 1 and ``check_batch`` give the original's outputs."""
    import onnx

    from core.recognizer import file_sha256

    model, rewritten = rewrite(onnx.load(str(source)))
    target.parent.mkdir(parents=True, exist_ok=True)
    onnx.save(model, str(target))
    shape = [d.dim_value for d in model.graph.input[0].type.tensor_type.shape.dim[1:]]
    inputs = np.random.default_rng(seed).uniform(-1, 1, size=(check_batch, *shape)).astype(np.float32)
    original = _outputs(source, inputs, 1)
    differences = [float(np.max(np.abs(_outputs(target, inputs, b) - original)))
                   for b in (1, check_batch)]
    if max(differences) > tolerance:
        target.unlink()
        raise NotBatchable(detail=f"the copy's outputs differ by {max(differences):.2e}")
    record = Provenance(sha256=file_sha256(target), source_sha256=file_sha256(source),
                        source_name=source.name, reshapes_rewritten=rewritten,
                        checked_batches=(1, check_batch), max_abs_difference=max(differences))
    record.save(target)
    return record
