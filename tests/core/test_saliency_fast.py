"""The ``fast`` profile: the removal's first pass scored by a cheaper, approximate copy of the
recognizer (bf16 via OpenVINO in the product), the picks still made by the exact one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from numpy.typing import NDArray

from core.saliency import PROFILES, SaliencyParams, explain_face, with_changes
from tests.conftest import MODELS
from tests.core.saliency_fakes import TINY, PatchRecognizer, textured_face

LAZY = with_changes(TINY, lazy=4, tmax=4)


class NoisyCopy(PatchRecognizer):
    """The same recognizer with a little deterministic noise on every embedding, as bf16 has."""

    def embed(self, crops: NDArray[Any]) -> NDArray[np.float32]:
        rows = super().embed(crops)
        noise = np.random.default_rng(len(self.calls)).normal(scale=1e-3, size=rows.shape)
        return (rows + noise).astype(np.float32)


def face_and_other() -> tuple[NDArray[np.float32], NDArray[np.float32]]:
    return textured_face(), PatchRecognizer().embed(textured_face(3)[None])[0]


def test_a_rough_copy_equal_to_the_recognizer_changes_nothing_but_who_scored_the_first_pass() -> None:
    face, other = face_and_other()
    alone = explain_face(PatchRecognizer(), face, other, LAZY)
    helped = explain_face(PatchRecognizer(), face, other, with_changes(LAZY, first_pass="bf16"),
                          rough=PatchRecognizer())
    assert helped.rough_evaluations == 2 * (LAZY.grid_points + 1)  # both first passes + their start
    assert helped.steps == alone.steps
    for method, values in alone.grid_values.items():
        np.testing.assert_allclose(helped.grid_values[method], values, atol=1e-9)


def test_with_a_noisy_copy_the_greedy_gains_are_still_the_recognizers_own() -> None:
    face, other = face_and_other()
    params = with_changes(LAZY, first_pass="bf16-removal")
    exact = explain_face(PatchRecognizer(), face, other, params)  # no copy given: all f32
    rough = explain_face(PatchRecognizer(), face, other, params, rough=NoisyCopy())
    assert exact.rough_evaluations == 0 and rough.rough_evaluations == LAZY.grid_points + 1
    # the aggregation never used the copy; the removal's single-blob map is close, not equal
    np.testing.assert_array_equal(rough.grid_values["S0+"], exact.grid_values["S0+"])
    assert np.corrcoef(rough.grid_values["S0-"], exact.grid_values["S0-"])[0, 1] > 0.95
    # the first S1- step records a gain the exact recognizer measured on the original face
    taken = np.flatnonzero(rough.grid_values["S1-"])
    assert len(taken) == rough.steps["S1-"]
    first_step = np.isclose(rough.grid_values["S1-"][taken], exact.grid_values["S0-"][taken], atol=1e-9)
    assert first_step.any()


def test_a_rough_first_pass_needs_lazy_rescoring_and_a_known_name() -> None:
    with pytest.raises(ValueError, match="lazy"):
        SaliencyParams(nh=31, d=14, tmax=3, th=0.01, first_pass="bf16")
    with pytest.raises(ValueError, match="first_pass"):
        SaliencyParams(nh=31, d=14, tmax=3, th=0.01, lazy=4, first_pass="int8")


def test_fast_is_the_paper_grid_and_blob_with_lazy_passes_and_a_bf16_removal_pass() -> None:
    fast, paper = PROFILES["fast"], PROFILES["paper"]
    assert (fast.nh, fast.d, fast.th) == (paper.nh, paper.d, paper.th)
    assert fast.lazy and fast.first_pass == "bf16-removal" and paper.first_pass == "f32"


SHARED_MODEL = MODELS / "mobilefacenet" / "mobilefacenet_128d.onnx"


@pytest.mark.skipif(not SHARED_MODEL.is_file(), reason="needs ../shared (the MobileFaceNet export)")
def test_the_openvino_copy_of_mobilefacenet_embeds_as_onnx_runtime_does() -> None:
    pytest.importorskip("openvino")
    from core.openvino_session import OpenVinoSession, bf16_recognizer
    from core.recognizer import OnnxRecognizer

    crops = np.stack([textured_face(s) for s in range(4)])
    onnx = OnnxRecognizer.from_file(SHARED_MODEL).embed(crops)
    f32 = OnnxRecognizer(OpenVinoSession.open(SHARED_MODEL, precision="f32"), name="f32",
                         sha256="").embed(crops)
    np.testing.assert_allclose(f32, onnx, atol=1e-4)
    rough = bf16_recognizer(SHARED_MODEL)
    if rough is None:
        pytest.skip("this CPU has no bf16 units")
    cosine = np.sum(rough.embed(crops) * onnx, axis=1)
    assert np.all(cosine > 0.98)


def test_the_service_builds_the_bf16_copy_only_for_a_bf16_profile_on_the_cpu(tmp_path: Path) -> None:
    from bot.composition import build_rough_recognizer
    from bot.settings import Settings

    on_cpu = Settings(model_dir=tmp_path, data_dir=tmp_path)
    on_gpu = Settings(model_dir=tmp_path, data_dir=tmp_path,
                      onnx_providers=["CUDAExecutionProvider", "CPUExecutionProvider"])
    assert build_rough_recognizer(on_cpu, PROFILES["paper"]) is None  # exact: never bf16
    assert build_rough_recognizer(on_gpu, PROFILES["fast"]) is None  # the passes run on the GPU
    if not SHARED_MODEL.is_file():
        return
    pytest.importorskip("openvino")
    shared = Settings(model_dir=SHARED_MODEL.parents[1], data_dir=tmp_path)
    rough = build_rough_recognizer(shared, PROFILES["fast"])
    from core.openvino_session import bf16_supported

    assert (rough is not None) == bf16_supported()
    if rough is not None:
        assert rough.name.endswith("(bf16)")
