"""Which files of a tree run between ``facexplain serve telegram`` and the replies to a pair of
photos (the real models from ../shared, the threads runner, the fake Bot API server): a
profiler records every function call. See docs/telegram-photo-path.md.

    python benchmarks/trace_telegram_path.py [TREE] [OUT.json]
"""

from __future__ import annotations

import json
import os
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

TREE = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parents[1]).resolve()
OUT = Path(sys.argv[2] if len(sys.argv) > 2 else "telegram-path.json")
SHARED = TREE.parent / "shared" if (TREE.parent / "shared").is_dir() else Path("../shared")
sys.path.insert(0, str(TREE))

from tests.adapters.fake_telegram import FakeTelegram  # noqa: E402


def calibrate(data: Path) -> None:
    """A calibration for the shared recognizer (synthetic scores: only the path matters)."""
    from core.calibration import Calibration
    from core.model_files import resolve_model
    from core.recognizer import file_sha256

    model = resolve_model(SHARED / "models", "mobilefacenet_128d.onnx")
    Calibration(file_sha256(model), "mobilefacenet", "scrfd", "synthetic", "2026-01-01", 0.3,
                "fixed", [0.5 + i / 200 for i in range(100)],
                [-0.2 + i / 200 for i in range(100)]).save(data / "calibration")


def drive(fake: FakeTelegram) -> None:
    """/agree, two photos of one person, then SIGINT once the collage and table are sent."""
    lfw = SHARED / "data" / "lfw" / "deepfunneled" / "Abel_Pacheco"
    while not fake.calls("getUpdates"):
        time.sleep(0.2)
    user = fake.user(7, "Ann")
    chat = fake.private_chat(user)
    fake.push_message(chat, user, text="/agree",
                      entities=[{"type": "bot_command", "offset": 0, "length": 6}])
    time.sleep(2)
    fake.push_message(chat, user, photo=fake.photo((lfw / "Abel_Pacheco_0001.jpg").read_bytes()))
    while len(fake.delivered(chat["id"])) < 2:
        time.sleep(0.2)
    fake.push_message(chat, user, photo=fake.photo((lfw / "Abel_Pacheco_0004.jpg").read_bytes()))
    deadline = time.time() + 300
    while time.time() < deadline and not any(
            r.method == "sendPhoto" for r in fake.delivered(chat["id"])):
        time.sleep(0.5)
    time.sleep(3)  # the table after the collage
    os.kill(os.getpid(), signal.SIGINT)


def main() -> None:
    data = Path(tempfile.mkdtemp())
    calibrate(data)
    fake = FakeTelegram()
    os.environ.update({"FACEXPLAIN_MODEL_DIR": str(SHARED / "models"),
                       "FACEXPLAIN_DATA_DIR": str(data), "FACEXPLAIN_JOB_RUNNER": "threads",
                       "FACEXPLAIN_TELEGRAM_TOKEN": fake.token})
    fake.start_thread()
    seen: set[str] = set()
    root = f"{TREE}/"

    def profile(frame: Any, event: str, arg: Any) -> None:
        name = frame.f_code.co_filename
        if event == "call" and name.startswith(root) and "/tests/" not in name:
            seen.add(name[len(root):])

    threading.Thread(target=drive, args=(fake,), daemon=True).start()
    threading.setprofile(profile)
    sys.setprofile(profile)
    from bot.cli.main import cli

    try:
        cli.main(["serve", "telegram", "--base-url", fake.base_url], standalone_mode=False)
    finally:
        sys.setprofile(None)
        threading.setprofile(None)
        fake.stop_thread()
    OUT.write_text(json.dumps(sorted(seen), indent=0))
    print(f"{len(seen)} files -> {OUT}")


if __name__ == "__main__":
    main()
