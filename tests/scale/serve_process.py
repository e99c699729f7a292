"""A ``facexplain serve ...`` command as a process of its own, started as an operator would
(settings from the environment): wait until it says it is ready, stop it with SIGTERM or kill
it with SIGKILL (no clean-up at all). Its output (stdout and stderr) is kept in ``lines`` (and
copied to ``log`` when given). ``launch`` then ``wait_ready`` start several at once.
``stop_within_grace`` is the shutdown check every platform's serve test makes (issue 15.6)."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from tests.conftest import MODELS

ROOT = Path(__file__).resolve().parents[2]
# what a log line of a delivery that failed (or anything that went wrong) looks like, on any
# platform; a platform's serve process adds its client's own words (``delivery_marks``)
DELIVERY_ERRORS = ("could not deliver", "Traceback", "ERROR")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def serve_env(data_dir: Path, database_url: str, **settings: str) -> dict[str, str]:
    """The environment of a serve process: the shared models, its data folder and store,
    and ``settings`` as ``FACEXPLAIN_<NAME>`` variables."""
    return os.environ | {
        "FACEXPLAIN_MODEL_DIR": str(MODELS), "FACEXPLAIN_DATA_DIR": str(data_dir),
        "FACEXPLAIN_DATABASE_URL": database_url, "HF_HUB_OFFLINE": "1", "PYTHONUNBUFFERED": "1",
        **{f"FACEXPLAIN_{name.upper()}": value for name, value in settings.items()}}


class ServeProcess:
    """``python -m bot.cli.main [flags] serve <args>``; ready once a line of its output has
    ``ready``. ``flags`` go before ``serve`` (``["-v"]``: INFO lines too)."""

    delivery_marks: tuple[str, ...] = DELIVERY_ERRORS

    def __init__(self, args: list[str], env: dict[str, str], ready: str, *,
                 log: Path | None = None, flags: tuple[str, ...] = ()) -> None:
        self.args, self.env, self.ready = args, env, ready
        self.log, self.flags = log, flags
        self.lines: list[str] = []  # the output of the latest run
        self.times: list[float] = []  # when each line came (time.monotonic())
        self.process: subprocess.Popen[str] | None = None
        self._reader: threading.Thread | None = None

    @property
    def output(self) -> str:
        return "".join(self.lines)

    def start(self, timeout: float = 180.0) -> None:
        """Start it and wait until it is ready."""
        self.launch()
        self.wait_ready(timeout)

    def launch(self) -> None:
        """Start it; do not wait."""
        self.lines, self.times = [], []
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli.main", *self.flags, "serve", *self.args],
            cwd=ROOT, env=self.env, text=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self._reader = threading.Thread(target=self._read, args=(self.process,), daemon=True)
        self._reader.start()

    def wait_ready(self, timeout: float = 180.0) -> None:
        assert self.process is not None, "not launched"
        deadline = time.monotonic() + timeout
        while not any(self.ready in line for line in self.lines):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.kill()
                raise AssertionError(f"serve {self.args[0]} did not start:\n{self.output}")
            time.sleep(0.1)

    def _read(self, process: subprocess.Popen[str]) -> None:
        assert process.stdout is not None
        with contextlib.ExitStack() as stack:
            copy = stack.enter_context(self.log.open("a")) if self.log is not None else None
            for line in process.stdout:
                self.times.append(time.monotonic())
                self.lines.append(line)
                if copy is not None:
                    copy.write(line)
                    copy.flush()

    def stop(self, timeout: float = 60.0) -> tuple[int, float]:
        """SIGTERM: (exit status, seconds it took to exit)."""
        assert self.process is not None
        began = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        status = self.process.wait(timeout)
        took = time.monotonic() - began
        self._reap()
        return status, took

    def stop_within_grace(self, grace_s: float) -> float:
        """SIGTERM, then what a stopping serve process promises: it exits 0 within
        ``grace_s`` + 5 s, and its log has no delivery error. When the signal was sent
        (``time.monotonic()``), to tell what it delivered after it."""
        signalled = time.monotonic()
        status, took = self.stop(grace_s + 30)
        assert status == 0 and took < grace_s + 5, (status, took, self.output)
        assert self.delivery_errors() == [], self.output
        return signalled

    def delivery_errors(self) -> list[str]:
        """The lines of its latest run that tell of a failed delivery (or any error)."""
        return [line for line in self.lines if any(e in line for e in self.delivery_marks)]

    def finish(self, timeout: float = 30.0) -> int | None:
        """SIGTERM, then SIGKILL if it is still running after ``timeout``: its exit status
        (None: it had to be killed or never ran)."""
        if self.process is None:
            return None
        if self.process.poll() is not None:
            self._reap()
            return self.process.returncode
        try:
            return self.stop(timeout)[0]
        except subprocess.TimeoutExpired:
            self.kill()
            return None

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
