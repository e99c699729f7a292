"""`facexplain models make-batchable` on the shared MobileFaceNet: a dynamic-batch copy with the
original's outputs, standing for the original so its calibration applies."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image

from bot.cli.main import cli
from core.batchable import NotBatchable, make_batchable, provenance_path
from core.onnx import intra_op_threads
from core.recognizer import OnnxRecognizer, file_sha256


@pytest.fixture(scope="module")
def original(shared_models: Path) -> Path:
    return shared_models / "mobilefacenet" / "mobilefacenet_128d.onnx"


class CountingSession:
    """Forwards to an ONNX session and notes the batch size of every call."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.batches: list[int] = []

    def get_inputs(self) -> Any:
        return self.inner.get_inputs()

    def run(self, outputs: Any, feeds: dict[str, np.ndarray]) -> Any:
        self.batches.append(len(next(iter(feeds.values()))))
        return self.inner.run(outputs, feeds)


def lfw_crops(lfw_dir: Path, count: int) -> np.ndarray:
    paths = sorted((lfw_dir / "aligned-112").glob("A*/*.jpg"))[:count]
    return np.stack([np.asarray(Image.open(p).convert("RGB")) for p in paths])


def test_the_copy_embeds_36_lfw_faces_in_one_call_exactly_as_the_original_does_one_by_one(
    original: Path, lfw_dir: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "mobilefacenet_batch.onnx"
    record = make_batchable(original, copy, check_batch=36)
    assert record.max_abs_difference == 0.0 and record.reshapes_rewritten == 1
    crops = lfw_crops(lfw_dir, 36)
    one_by_one = OnnxRecognizer.from_file(original, batch_size=1)
    batched = OnnxRecognizer.from_file(copy, batch_size=36)
    batched.session = CountingSession(batched.session)
    np.testing.assert_array_equal(batched.embed(crops), one_by_one.embed(crops))
    assert batched.session.batches == [36]
    # the copy is another file but the same function: it reports the original's digest
    assert file_sha256(copy) != file_sha256(original)
    assert batched.sha256 == one_by_one.sha256 == record.source_sha256 == file_sha256(original)


def test_a_copy_that_no_longer_matches_its_record_reports_its_own_digest(
    original: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "mfn.onnx"
    make_batchable(original, copy, check_batch=4)
    record = json.loads(provenance_path(copy).read_text())
    record["sha256"] = "0" * 64
    provenance_path(copy).write_text(json.dumps(record))
    assert OnnxRecognizer.from_file(copy).sha256 == file_sha256(copy)


def test_a_model_that_already_takes_any_batch_is_refused_with_a_reason(
    original: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "mfn.onnx"
    make_batchable(original, copy, check_batch=2)
    with pytest.raises(NotBatchable, match="already dynamic"):
        make_batchable(copy, tmp_path / "again.onnx")


def test_the_command_writes_the_copy_and_says_which_calibration_applies(
    original: Path, tmp_path: Path
) -> None:
    out = tmp_path / "models" / "mfn_batch.onnx"
    result = CliRunner().invoke(
        cli, ["models", "make-batchable", str(original), "-o", str(out), "--check-batch", "8"]
    )
    assert result.exit_code == 0, result.output
    assert "max difference 0.0e+00" in result.output
    assert f"sha256 {file_sha256(original)[:12]}" in result.output
    assert json.loads(provenance_path(out).read_text())["source_sha256"] == file_sha256(original)


def test_intra_op_threads_share_the_cores_among_concurrent_sessions() -> None:
    assert intra_op_threads(1, cores=2) == 2
    assert intra_op_threads(2, cores=2) == 1
    assert intra_op_threads(4, cores=2) == 1
    assert intra_op_threads(2, cores=16) == 8
