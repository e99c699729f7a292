"""First use of `facexplain chat`: it names the one thing the user must provide, or says in one
screen what it will do, calibrates the pipeline with progress, and goes on into the chat."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from bot.cli.main import cli
from tests.conftest import LFW, MODELS, lfw_image, needs_shared

pytestmark = needs_shared
GENUINE = (("George_W_Bush", 1), ("George_W_Bush", 3))


def small_lfw(folder: Path, per_class: int = 6) -> Path:
    """LFW with View 1 cut to ``per_class`` genuine and impostor pairs per file (same images)."""
    folder.mkdir()
    (folder / "deepfunneled").symlink_to(LFW / "deepfunneled")
    for name in ("pairsDevTrain.txt", "pairsDevTest.txt"):
        lines = (LFW / name).read_text().splitlines()
        n = int(lines[0])
        kept = lines[1:1 + per_class] + lines[1 + n:1 + n + per_class]
        (folder / name).write_text("\n".join([str(per_class), *kept]) + "\n")
    return folder


def chat(env: dict[str, str], *args: str, text: str = "") -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["chat", "--no-heatmaps", "--json", *args], input=text, env=env)
    return result.exit_code, result.output


def test_without_models_it_names_the_command_that_fetches_them(tmp_path: Path) -> None:
    code, out = chat({"FACEXPLAIN_MODEL_DIR": str(tmp_path / "models"),
                      "FACEXPLAIN_DATA_DIR": str(tmp_path / "data")})
    assert code == 1
    assert "facexplain models download buffalo_l" in out and str(tmp_path / "models") in out
    assert "Traceback" not in out


def test_without_lfw_it_names_the_command_that_fetches_it(tmp_path: Path) -> None:
    code, out = chat({"FACEXPLAIN_MODEL_DIR": str(MODELS), "FACEXPLAIN_DATA_DIR": str(tmp_path / "data"),
                      "FACEXPLAIN_LFW_DIR": str(tmp_path / "no-lfw")})
    assert code == 1
    assert "facexplain data download lfw" in out and str(tmp_path / "no-lfw") in out


def test_first_use_says_what_it_will_do_calibrates_and_reaches_the_chat(tmp_path: Path) -> None:
    data = tmp_path / "data"
    env = {"FACEXPLAIN_MODEL_DIR": str(MODELS), "FACEXPLAIN_DATA_DIR": str(data),
           "FACEXPLAIN_LFW_DIR": str(small_lfw(tmp_path / "lfw"))}
    photos = [str(lfw_image(*p)) for p in GENUINE]
    code, out = chat(env, *photos, text="What is the decision?\n")
    assert code == 0, out
    lines = out.splitlines()
    assert lines[0] == "First use of this face pipeline: it has no calibration yet."
    assert "calibrate on LFW View 1 (24 pairs in" in out and "facexplain train attributes" in out
    assert "Saved " in out and len(list((data / "calibration").glob("*.json"))) == 1
    replies = [json.loads(line) for line in lines if line.startswith("{")]
    verification = next(r for r in replies if r["type"] == "verification")
    assert verification["same_person"] is True
    # the second time it goes straight to the chat
    code, again = chat(env, *photos)
    assert code == 0 and "First use" not in again
