"""``facexplain chat`` stopped between the heatmaps and a follow-up, by SIGTERM or by SIGKILL
(no clean-up at all): started again on the same data folder, it goes on with the stored
comparison (issue 15's console restart)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.settings import Settings
from tests.bot.dialogue_helpers import GENUINE
from tests.conftest import lfw_image, needs_shared

ROOT = Path(__file__).resolve().parents[2]


def chat_process(env: dict[str, str], *photos: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "bot.cli.main", "chat", "--json", *map(str, photos)],
        cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL, text=True)


def read_until(chat: subprocess.Popen[str], kind: str, timeout_s: float = 240.0) -> list[dict[str, object]]:
    """The replies up to and including the first of type ``kind``."""
    assert chat.stdout is not None
    replies: list[dict[str, object]] = []
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        line = chat.stdout.readline()
        if not line:
            break
        if line.startswith("{"):
            replies.append(json.loads(line))
            if replies[-1]["type"] == kind:
                return replies
    raise AssertionError(f"no {kind} reply; got {replies}")


@needs_shared
@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGKILL], ids=["sigterm", "sigkill"])
def test_a_chat_stopped_after_the_heatmaps_goes_on_with_the_stored_comparison(
        calibrated_settings: Settings, tmp_path: Path, stop: signal.Signals) -> None:
    env = os.environ | {
        "FACEXPLAIN_MODEL_DIR": str(calibrated_settings.model_dir),
        "FACEXPLAIN_DATA_DIR": str(calibrated_settings.data_dir),
        "FACEXPLAIN_DATABASE_URL": f"sqlite:///{tmp_path / 'console.db'}",
        "HF_HUB_OFFLINE": "1", "PYTHONUNBUFFERED": "1"}
    with chat_process(env, lfw_image(*GENUINE[0]), lfw_image(*GENUINE[1])) as first:
        try:
            before = read_until(first, "table")
            assert [r for r in before if r["type"] == "verification"][0]["same_person"] is True
            first.send_signal(stop)
            first.wait(timeout=30)
        finally:
            first.kill()

    with chat_process(env) as again:
        out, _ = again.communicate("and the chin?\n/table\n", timeout=240)
    replies = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    assert str(replies[0]["text"]).startswith("Continuing your comparison of "), replies
    answers = [r for r in replies if r.get("kind") == "answer"]
    assert len(answers) == 1 and "chin" in str(answers[0]["text"]), replies
    assert [r["type"] for r in replies].count("table") == 1, replies
    assert not any(r.get("kind") == "error" for r in replies), replies
