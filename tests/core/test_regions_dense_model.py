"""regions-dense finds dlib's 68-landmark file from face_recognition_models' location without
importing that package (its __init__ needs pkg_resources, gone from setuptools 81)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys

import pytest


def test_the_landmark_file_is_found_without_pkg_resources() -> None:
    if importlib.util.find_spec("face_recognition_models") is None:
        pytest.skip("the regions-dense extra is not installed")
    code = ("import sys; from core.regions_dense import _model_path; p = _model_path(None); "
            "print(p.name, p.stat().st_size > 10**6, 'pkg_resources' in sys.modules, "
            "'face_recognition_models' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["shape_predictor_68_face_landmarks.dat", "True", "False", "False"]
