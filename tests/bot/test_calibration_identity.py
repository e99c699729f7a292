"""A calibration belongs to one pipeline: another detector or setting is refused, never served
with the scores of the pipeline that was calibrated."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli.main import cli
from bot.composition import attribute_folder, build_pipeline, load_calibration, pipeline_identity
from bot.settings import Settings, load_settings
from core.calibration import Calibration
from core.errors import NotCalibrated
from tests.conftest import lfw_image


def with_(settings: Settings, **changes: object) -> Settings:
    return load_settings(**{**settings.model_dump(), **changes})


def test_the_calibrated_pipeline_gets_its_own_calibration(calibrated_settings: Settings) -> None:
    pipeline = build_pipeline(calibrated_settings)
    calibration = load_calibration(calibrated_settings, pipeline)
    assert calibration.identity == pipeline_identity(calibrated_settings, pipeline).to_dict()


@pytest.mark.parametrize("change", [
    {"detector": "mtcnn"},
    {"flip_average": False},
    {"detector_max_size": 320},
    {"recognizer_mean": 127.0},
    {"recognizer_std": 127.5},
], ids=lambda c: next(iter(c)))
def test_a_pipeline_changed_without_calibrating_is_refused(calibrated_settings: Settings, change: dict[str, object]) -> None:
    settings = with_(calibrated_settings, **change)
    with pytest.raises(NotCalibrated) as caught:
        load_calibration(settings, build_pipeline(settings))
    assert "facexplain calibrate" in caught.value.user_message
    assert "facexplain calibrate" in caught.value.detail
    base = pipeline_identity(calibrated_settings, build_pipeline(calibrated_settings))
    changed = pipeline_identity(settings, build_pipeline(settings))
    assert changed.key != base.key
    assert "differs in" in caught.value.detail  # names what the calibration on file differs in


def test_compare_with_another_detector_or_without_mirror_averaging_is_refused(calibrated_settings: Settings) -> None:
    a, b = lfw_image("George_W_Bush", 1), lfw_image("George_W_Bush", 3)
    env = {"FACEXPLAIN_MODEL_DIR": str(calibrated_settings.model_dir),
           "FACEXPLAIN_DATA_DIR": str(calibrated_settings.data_dir)}
    for extra in ({"FACEXPLAIN_DETECTOR": "mtcnn"}, {"FACEXPLAIN_FLIP_AVERAGE": "false"}):
        result = CliRunner().invoke(cli, ["compare", str(a), str(b)], env=env | extra)
        assert result.exit_code != 0, result.output
        assert "facexplain calibrate" in result.output and "PIC-score" not in result.output
    assert CliRunner().invoke(cli, ["compare", str(a), str(b)], env=env).exit_code == 0


def test_two_pipelines_are_calibrated_side_by_side(calibrated_settings: Settings, tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(calibrated_settings.calibration_dir, data / "calibration")
    mirror, plain = with_(calibrated_settings, data_dir=data), with_(calibrated_settings, data_dir=data, flip_average=False)
    own = load_calibration(mirror, build_pipeline(mirror))
    other = Calibration(**{**own.to_dict(), "threshold": 0.5,
                           "identity": pipeline_identity(plain, build_pipeline(plain)).to_dict()})
    other.save(plain.calibration_dir)
    assert load_calibration(plain, build_pipeline(plain)).threshold == 0.5
    assert load_calibration(mirror, build_pipeline(mirror)).threshold == own.threshold
    assert len(list((data / "calibration").glob("*.json"))) == 2
    env = {"FACEXPLAIN_MODEL_DIR": str(mirror.model_dir), "FACEXPLAIN_DATA_DIR": str(data)}
    for extra, threshold in (({}, own.threshold), ({"FACEXPLAIN_FLIP_AVERAGE": "false"}, 0.5)):
        listed = json.loads(CliRunner().invoke(cli, ["models", "list", "--json"], env=env | extra).output)
        in_use = [c for c in listed["calibrations"] if c["in_use"]]
        assert len(listed["calibrations"]) == 2 and [c["threshold"] for c in in_use] == [round(threshold, 4)]


def legacy_file(settings: Settings, data: Path, **recorded: object) -> Path:
    """A calibration as written before identities: ``<recognizer sha256>.json``."""
    own = load_calibration(settings, build_pipeline(settings)).to_dict()
    own.pop("identity")
    own["pipeline"] = {"detector_max_size": settings.detector_max_size, "flip_average": True,
                       "face_policy": "centre"} | recorded.pop("pipeline", {})  # type: ignore[operator]
    own |= recorded
    path = data / "calibration" / f"{own['recognizer_sha256']}.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(own), encoding="utf-8")
    return path


def test_a_pre_identity_calibration_is_migrated_to_the_pipeline_it_records(calibrated_settings: Settings, tmp_path: Path) -> None:
    data = tmp_path / "data"
    settings = with_(calibrated_settings, data_dir=data)
    legacy = legacy_file(calibrated_settings, data)
    heads = data / "attributes" / legacy.stem
    heads.mkdir(parents=True)
    (heads / "model.json").write_text("{}", encoding="utf-8")
    calibration = load_calibration(settings, build_pipeline(settings))
    assert calibration.stats["migrated_from"] == legacy.name
    assert not legacy.exists() and (data / "calibration" / "legacy" / legacy.name).is_file()
    key = pipeline_identity(settings, build_pipeline(settings)).key
    assert (data / "calibration" / f"{key}.json").is_file()
    assert attribute_folder(settings, build_pipeline(settings)) == data / "attributes" / key
    assert (data / "attributes" / key / "model.json").is_file() and not heads.exists()
    # the migrated file serves this pipeline only
    with pytest.raises(NotCalibrated):
        plain = with_(settings, flip_average=False)
        load_calibration(plain, build_pipeline(plain))


@pytest.mark.parametrize("recorded", [
    {"detector": "mtcnn"},
    {"pipeline": {"flip_average": False}},
    {"pipeline": {"detector_max_size": 320}},
], ids=["other detector", "no mirror", "other input size"])
def test_a_pre_identity_calibration_of_another_pipeline_is_not_served(
        calibrated_settings: Settings, tmp_path: Path, recorded: dict[str, object]) -> None:
    data = tmp_path / "data"
    settings = with_(calibrated_settings, data_dir=data)
    legacy = legacy_file(calibrated_settings, data, **recorded)
    with pytest.raises(NotCalibrated):
        load_calibration(settings, build_pipeline(settings))
    assert legacy.is_file()  # left for the pipeline it belongs to
