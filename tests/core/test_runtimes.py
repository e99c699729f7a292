"""Runtimes as alternatives: a requested CUDA provider or torch device that this (CPU) machine
cannot give is a WARNING that names what to install, and `facexplain health` shows what runs."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from bot.cli.main import cli
from core.onnx import open_session, usable_providers
from core.torch_device import resolve_device


def identity_model(path: Path) -> Path:
    onnx = pytest.importorskip("onnx")
    from onnx import TensorProto, helper

    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 3])
    graph = helper.make_graph([helper.make_node("Identity", ["x"], ["y"])], "id", [x], [y])
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]), str(path))
    return path


def test_a_requested_cuda_provider_on_a_cpu_runtime_warns_and_names_the_gpu_extra(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    import onnxruntime as ort

    if "CUDAExecutionProvider" in ort.get_available_providers():
        pytest.skip("this onnxruntime has the CUDA provider")
    with caplog.at_level(logging.WARNING, logger="core.onnx"):
        session = open_session(identity_model(tmp_path / "id.onnx"),
                               providers=["CUDAExecutionProvider", "CPUExecutionProvider"])
    assert session.get_providers() == ["CPUExecutionProvider"]
    warning = next(r for r in caplog.records if r.levelno == logging.WARNING)
    assert "CUDAExecutionProvider requested but not available" in warning.getMessage()
    assert "facexplain[gpu]" in warning.getMessage() and "scripts/setup --gpu" in warning.getMessage()
    out = session.run(None, {"x": np.ones((1, 3), np.float32)})[0]
    assert out.tolist() == [[1.0, 1.0, 1.0]]


def test_available_providers_pass_without_a_word(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="core.onnx"):
        assert usable_providers(["CPUExecutionProvider"], ["CPUExecutionProvider"]) == ["CPUExecutionProvider"]
        assert usable_providers(None, ["CUDAExecutionProvider", "CPUExecutionProvider"]) == ["CPUExecutionProvider"]
    assert not caplog.records


def test_torch_device_cuda_without_a_gpu_warns_and_runs_on_the_cpu(caplog: pytest.LogCaptureFixture) -> None:
    torch = pytest.importorskip("torch")
    if torch.cuda.is_available():
        pytest.skip("this machine has a CUDA device")
    assert resolve_device("cpu") == "cpu" and resolve_device("auto") == "cpu"
    with caplog.at_level(logging.WARNING, logger="core.torch_device"):
        assert resolve_device("cuda") == "cpu"
    assert "sees no CUDA device" in caplog.text and "scripts/setup --gpu" in caplog.text
    with pytest.raises(ValueError):
        resolve_device("tpu")


def test_health_shows_the_providers_in_use_and_flags_a_missing_one(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import onnxruntime as ort

    if "CUDAExecutionProvider" in ort.get_available_providers():
        pytest.skip("this onnxruntime has the CUDA provider")
    monkeypatch.setenv("FACEXPLAIN_MODEL_DIR", str(tmp_path))
    monkeypatch.setenv("FACEXPLAIN_TORCH_DEVICE", "cpu")
    checks = {c["name"]: c for c in json.loads(CliRunner().invoke(cli, ["health"]).output)["checks"]}
    assert checks["runtimes"]["ok"] is True
    assert "providers in use CPUExecutionProvider" in checks["runtimes"]["detail"]
    assert "torch device: cpu" in checks["runtimes"]["detail"]
    monkeypatch.setenv("FACEXPLAIN_ONNX_PROVIDERS", '["CUDAExecutionProvider","CPUExecutionProvider"]')
    checks = {c["name"]: c for c in json.loads(CliRunner().invoke(cli, ["health"]).output)["checks"]}
    assert checks["runtimes"]["ok"] is False
    assert "requested but missing: CUDAExecutionProvider" in checks["runtimes"]["detail"]
    assert "facexplain[gpu]" in checks["runtimes"]["detail"]
