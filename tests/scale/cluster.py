"""Real moving parts for the fault tests: ``facexplain worker`` subprocesses, and a private
Redis server that a test may stop and start (the shared one at :6379 is never touched).

The private Redis runs with ``appendonly yes``: the broker must keep queued jobs across a
restart, and only its append-only file (AOF) does that.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CONTEXT = "tests.scale.jobs:make_context"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(check: object, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():  # type: ignore[operator]
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def children(pid: int) -> set[int]:
    """The process ids whose parent is ``pid`` (a worker's pool processes)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.add(int(entry.name))
    return found


class Worker:
    """``python -m bot.cli.main worker`` in its own process group, logging to a file."""

    def __init__(self, name: str, env: dict[str, str], log: Path, concurrency: int = 1,
                 context: str | None = CONTEXT, lanes: str = "all") -> None:
        self.name = name
        self.log = log
        options = ["--context", context] if context else []  # None: the real face models
        options += ["--lanes", lanes]
        with log.open("wb") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "bot.cli.main", "worker", "--name", f"{name}@test",
                 "--concurrency", str(concurrency), *options],
                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)

    def wait_ready(self, timeout: float = 60.0) -> Worker:
        def ready() -> bool:
            if self.process.poll() is not None:
                raise AssertionError(f"worker {self.name} exited:\n{self.log.read_text()}")
            return b"ready." in self.log.read_bytes()

        wait_for(ready, timeout, f"worker {self.name}")
        return self

    def pool(self) -> set[int]:
        return children(self.process.pid)

    def kill(self) -> None:
        """SIGKILL the whole worker: its main process and its pool, nothing can clean up."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)


class Cluster:
    """The workers of one test, sharing its Redis URL and queue, marker folder and limits."""

    def __init__(self, redis_url: str, queue: str, folder: Path, **settings: str) -> None:
        self.redis_url = redis_url
        self.folder = folder
        self.settings = {"REDIS_URL": redis_url, "JOB_QUEUE": queue, "JOB_TIMEOUT_S": "20",
                         "JOB_VISIBILITY_TIMEOUT_S": "3", "DATA_DIR": str(folder / "data")}
        self.settings.update(settings)
        self.workers: list[Worker] = []

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("FACEXPLAIN_")}
        env.update({f"FACEXPLAIN_{k}": v for k, v in self.settings.items()})
        env["FACEXPLAIN_TEST_MARKERS"] = str(self.folder)
        env["PYTHONPATH"] = str(ROOT)
        env["C_FORCE_ROOT"] = "1"  # CI runs as root; Celery refuses pickle workers as root
        return env

    def start(self, name: str, concurrency: int = 1, context: str | None = CONTEXT,
              lanes: str = "all") -> Worker:
        worker = Worker(name, self.env(), self.folder / f"{name}.log", concurrency, context,
                        lanes)
        self.workers.append(worker)
        return worker

    def logs(self) -> str:
        return "\n".join(f"--- {w.name}\n{w.log.read_text()}" for w in self.workers)

    def stop(self) -> None:
        for worker in self.workers:
            worker.stop()


class PrivateRedis:
    """A redis-server of this test only, with AOF on, in ``folder``."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> PrivateRedis:
        self.folder.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
             "--appendonly", "yes", "--dir", str(self.folder), "--save", ""],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(self._answers, 10, "the private Redis")
        return self

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as conn:
                conn.sendall(b"PING\r\n")
                return conn.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        """A clean shutdown (SIGTERM): Redis flushes its AOF and exits."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)
        self.process = None
