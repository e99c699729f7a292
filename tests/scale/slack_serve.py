"""``facexplain serve slack --http`` as a process of its own against the fake Slack: started
as an operator would (settings from the environment), stopped with SIGTERM or killed with
SIGKILL (no clean-up at all)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from tests.adapters.fake_slack import BOT_TOKEN, FakeSlack
from tests.adapters.slack_world import SECRET
from tests.conftest import MODELS

READY = "facexplain listens for Slack on"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class ServeSlack:
    def __init__(self, fake: FakeSlack, data_dir: Path, database_url: str, port: int) -> None:
        self.fake, self.port = fake, port
        self.env = os.environ | {
            "FACEXPLAIN_MODEL_DIR": str(MODELS), "FACEXPLAIN_DATA_DIR": str(data_dir),
            "FACEXPLAIN_DATABASE_URL": database_url, "FACEXPLAIN_JOB_RUNNER": "threads",
            "FACEXPLAIN_JOB_WORKERS": "1", "FACEXPLAIN_SHUTDOWN_GRACE_S": "10",
            "FACEXPLAIN_SLACK_BOT_TOKEN": BOT_TOKEN, "FACEXPLAIN_SLACK_SIGNING_SECRET": SECRET,
            "HF_HUB_OFFLINE": "1", "PYTHONUNBUFFERED": "1"}
        self.lines: list[str] = []
        self.process: subprocess.Popen[str] | None = None
        self._reader: threading.Thread | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}/slack/events"

    def start(self, timeout: float = 180.0) -> None:
        """Start it and wait until it listens."""
        self.lines = []
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli.main", "serve", "slack", "--http", "--port",
             str(self.port), "--api-url", self.fake.api_url], env=self.env, text=True,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self._reader = threading.Thread(target=self._read, args=(self.process,), daemon=True)
        self._reader.start()
        deadline = time.monotonic() + timeout
        while not any(READY in line for line in self.lines):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.kill()
                raise AssertionError("serve slack did not start:\n" + "".join(self.lines))
            time.sleep(0.1)

    def _read(self, process: subprocess.Popen[str]) -> None:
        assert process.stdout is not None
        for line in process.stdout:
            self.lines.append(line)

    def stop(self, timeout: float = 30.0) -> tuple[int, float]:
        """SIGTERM: (exit status, seconds it took to exit)."""
        assert self.process is not None
        began = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        status = self.process.wait(timeout)
        took = time.monotonic() - began
        self._reap()
        return status, took

    def kill(self) -> None:
        """SIGKILL: gone at once, nothing closed."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)
        self._reap()

    def _reap(self) -> None:
        """Read its last output and close the pipe."""
        if self._reader is not None:
            self._reader.join(10)
        if self.process is not None and self.process.stdout is not None:
            self.process.stdout.close()
