"""The ONNX runtimes are alternatives: the base install holds neither, `cpu` and `gpu` one
each, no other extra pulls one in (so `.[all,gpu]` never brings both), and scripts/setup
takes --gpu."""

from __future__ import annotations

import subprocess
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def requirement_names(requirements: list[str]) -> set[str]:
    return {r.split(";")[0].split("[")[0].split("<")[0].split(">")[0].split("=")[0].strip().lower()
            for r in requirements}


def test_cpu_and_gpu_are_the_only_places_a_runtime_comes_from() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    runtimes = {"onnxruntime", "onnxruntime-gpu"}
    assert not requirement_names(project["dependencies"]) & runtimes
    extras = project["optional-dependencies"]
    assert requirement_names(extras["cpu"]) & runtimes == {"onnxruntime"}
    assert requirement_names(extras["gpu"]) & runtimes == {"onnxruntime-gpu"}
    for name, requirements in extras.items():
        if name not in ("cpu", "gpu"):
            assert not requirement_names(requirements) & runtimes, name
            assert not any(f"facexplain[{x}" in r or f",{x}" in r for r in requirements
                           for x in ("cpu", "gpu")), name
    assert not any("setuptools" in r for r in extras["regions-dense"])


def test_setup_takes_gpu_and_refuses_anything_else() -> None:
    text = (ROOT / "scripts" / "setup").read_text()
    assert "--gpu)" in text and "TORCH_INDEX_URL" in text and '".[all,dev,$runtime]"' in text
    done = subprocess.run(["bash", str(ROOT / "scripts" / "setup"), "--tpu"], capture_output=True,
                          text=True, timeout=30)
    assert done.returncode == 2 and "usage: bash scripts/setup [--cpu|--gpu]" in done.stderr
