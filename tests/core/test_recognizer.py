"""The ONNX recognizer runs fixed-batch exports and dynamic-batch models alike."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from core.flip import FlipAveraged
from core.image_input import decode_image
from core.recognizer import OnnxRecognizer
from tests.conftest import LFW


def aligned(name: str, number: int) -> np.ndarray:
    path = LFW / "aligned-112" / name / f"{name}_{number:04d}.jpg"
    if not path.is_file():
        pytest.skip(f"{path} is not present")
    return decode_image(path.read_bytes())


def test_fixed_batch_mobilefacenet_embeds_several_crops_one_by_one(shared_models: Path) -> None:
    rec = OnnxRecognizer.from_file(shared_models / "mobilefacenet" / "mobilefacenet_128d.onnx", batch_size=1)
    crops = np.stack([aligned("George_W_Bush", 7), aligned("George_W_Bush", 16), aligned("Serena_Williams", 3)])
    emb = rec.embed(crops)
    assert emb.shape == (3, 128)
    assert np.allclose(np.linalg.norm(emb, axis=1), 1.0, atol=1e-5)
    assert emb[0] @ emb[1] > emb[0] @ emb[2]
    assert len(rec.sha256) == 64


def dynamic_batch_model(path: Path) -> None:
    """A small ArcFace-shaped ONNX graph (conv -> global pool -> gemm) with a symbolic batch."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    rng = np.random.default_rng(0)
    w = numpy_helper.from_array(rng.normal(size=(16, 3, 3, 3)).astype(np.float32), "w")
    fc = numpy_helper.from_array(rng.normal(size=(16, 32)).astype(np.float32), "fc")
    nodes = [
        helper.make_node("Conv", ["x", "w"], ["c"], strides=[2, 2]),
        helper.make_node("Relu", ["c"], ["r"]),
        helper.make_node("GlobalAveragePool", ["r"], ["g"]),
        helper.make_node("Flatten", ["g"], ["f"]),
        helper.make_node("MatMul", ["f", "fc"], ["y"]),
    ]
    graph = helper.make_graph(
        nodes, "tiny", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 3, 112, 112])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", 32])], [w, fc])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8  # what every supported ONNX Runtime reads
    onnx.save(model, path)


def test_a_dynamic_batch_model_gives_the_same_templates_batched_or_not(tmp_path: Path) -> None:
    pytest.importorskip("onnx")
    path = tmp_path / "tiny_dynamic.onnx"
    dynamic_batch_model(path)
    crops = np.random.default_rng(1).integers(0, 255, (5, 112, 112, 3)).astype(np.uint8)
    one = OnnxRecognizer.from_file(path, batch_size=1).embed(crops)
    many = OnnxRecognizer.from_file(path, batch_size=4).embed(crops)
    assert many.shape == (5, 32)
    assert np.allclose(one, many, atol=1e-5)


def test_mirror_averaging_is_symmetric(shared_models: Path) -> None:
    rec = FlipAveraged(OnnxRecognizer.from_file(shared_models / "mobilefacenet" / "mobilefacenet_128d.onnx"))
    crop = aligned("Colin_Powell", 40)
    a = rec.embed(crop[None])
    b = rec.embed(crop[None, :, ::-1])
    assert np.allclose(a, b, atol=1e-5)
