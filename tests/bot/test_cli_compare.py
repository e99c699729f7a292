"""`facexplain compare` as a user runs it: a readable block, or JSON for scripts."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from bot.cli.main import cli
from bot.settings import Settings
from tests.conftest import lfw_image


def env_for(settings: Settings) -> dict[str, str]:
    return {"FACEXPLAIN_MODEL_DIR": str(settings.model_dir), "FACEXPLAIN_DATA_DIR": str(settings.data_dir)}


def test_compare_prints_faces_score_threshold_decision_and_confidence(calibrated_settings: Settings) -> None:
    a, b = lfw_image("George_W_Bush", 1), lfw_image("George_W_Bush", 3)
    result = CliRunner().invoke(cli, ["compare", str(a), str(b)], env=env_for(calibrated_settings))
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Photo 1: 1 face found" in out
    assert "Similarity:" in out and "threshold" in out
    assert out.startswith("Decision: SAME PERSON\nConfidence: ")
    assert "Confidence:" in out and "PIC-score" in out


def test_compare_json_is_machine_readable(calibrated_settings: Settings) -> None:
    a, b = lfw_image("George_W_Bush", 1), lfw_image("Serena_Williams", 1)
    result = CliRunner().invoke(cli, ["compare", str(a), str(b), "--json"], env=env_for(calibrated_settings))
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["decision"] == "different people" and data["same_person"] is False
    assert 0.0 <= data["pic"] <= 1.0 and data["confidence"] == round(1 - data["pic"], 6)


def test_compare_explains_a_bad_file_without_a_traceback(calibrated_settings: Settings, tmp_path: Path) -> None:
    fake = tmp_path / "scan.jpg"
    fake.write_bytes(b"%PDF-1.4 not a photo")
    result = CliRunner().invoke(cli, ["compare", str(fake), str(lfw_image("George_W_Bush", 1))],
                                env=env_for(calibrated_settings))
    assert result.exit_code == 1
    assert "Photo 1:" in result.output and "PDF" in result.output
    assert "Traceback" not in result.output


def test_compare_without_calibration_says_what_to_run(calibrated_settings: Settings, tmp_path: Path) -> None:
    env = env_for(calibrated_settings) | {"FACEXPLAIN_DATA_DIR": str(tmp_path)}
    a = lfw_image("George_W_Bush", 1)
    result = CliRunner().invoke(cli, ["compare", str(a), str(a)], env=env)
    assert result.exit_code != 0
    assert "facexplain calibrate" in result.output
