"""``facexplain serve telegram --webhook`` replicas as processes of their own, started as an
operator would (settings from the environment), and a load balancer that POSTs updates to
them in turn, as Telegram POSTs them to the one public webhook URL."""

from __future__ import annotations

import itertools
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import aiohttp

from adapters.telegram.webhook import SECRET_HEADER
from tests.adapters.fake_telegram import FakeTelegram
from tests.conftest import MODELS
from tests.scale.cluster import ROOT, free_port

READY = "facexplain is running on Telegram"
SECRET = "replica-test-secret"


class ServeTelegram:
    """One replica: its own webhook port, everything else shared (``env``)."""

    def __init__(self, name: str, env: dict[str, str], log: Path) -> None:
        self.name, self.port, self.log = name, free_port(), log
        self.env = env | {"FACEXPLAIN_TELEGRAM_WEBHOOK_PORT": str(self.port)}
        self.process: subprocess.Popen[str] | None = None
        self.lines: list[str] = []
        self._reader: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/telegram"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli.main", "serve", "telegram", "--webhook"],
            cwd=ROOT, env=self.env, text=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            start_new_session=True)
        self._reader = threading.Thread(target=self._read, args=(self.process,), daemon=True)
        self._reader.start()

    def _read(self, process: subprocess.Popen[str]) -> None:
        assert process.stdout is not None
        with self.log.open("w") as out:
            for line in process.stdout:
                self.lines.append(line)
                out.write(line)
                out.flush()

    def wait_ready(self, timeout: float = 120.0) -> None:
        deadline = time.monotonic() + timeout
        while not any(READY in line for line in self.lines):
            assert self.process is not None
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"replica {self.name} did not start:\n" + "".join(self.lines))
            time.sleep(0.1)

    def stop(self) -> int | None:
        """SIGTERM (then SIGKILL): its exit status (None: it had to be killed)."""
        process = self.process
        if process is None:
            return None
        status: int | None = process.poll()
        if status is None:
            process.send_signal(signal.SIGTERM)
            try:
                status = process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(10)
        if self._reader is not None:  # its last lines, then the pipe closed
            self._reader.join(10)
        if process.stdout is not None:
            process.stdout.close()
        return status


def replica_env(fake: FakeTelegram, database_url: str, redis_url: str, queue: str,
                data_dir: Path) -> dict[str, str]:
    """What every replica shares: the bot, the store, the job queue, the keys."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("FACEXPLAIN_")}
    return env | {
        "FACEXPLAIN_MODEL_DIR": str(MODELS), "FACEXPLAIN_DATA_DIR": str(data_dir),
        "FACEXPLAIN_DATABASE_URL": database_url, "FACEXPLAIN_DB_MIGRATE_ON_START": "false",
        "FACEXPLAIN_PSEUDONYM_KEY": "replica-test-pseudonym-key-0123456789",
        "FACEXPLAIN_AUDIT_KEY": "replica-test-audit-key-0123456789abcdef",
        "FACEXPLAIN_JOB_RUNNER": "celery", "FACEXPLAIN_REDIS_URL": redis_url,
        "FACEXPLAIN_JOB_QUEUE": queue, "FACEXPLAIN_JOB_TIMEOUT_S": "60",
        "FACEXPLAIN_TELEGRAM_TOKEN": fake.token, "FACEXPLAIN_TELEGRAM_BASE_URL": fake.base_url,
        "FACEXPLAIN_TELEGRAM_BASE_FILE_URL": fake.base_file_url,
        "FACEXPLAIN_TELEGRAM_WEBHOOK_URL": "https://bot.example.org/telegram",
        "FACEXPLAIN_TELEGRAM_WEBHOOK_SECRET": SECRET, "FACEXPLAIN_SHUTDOWN_GRACE_S": "10",
        "HF_HUB_OFFLINE": "1", "PYTHONUNBUFFERED": "1", "PYTHONPATH": str(ROOT)}


class LoadBalancer:
    """POSTs each update of a chat to the next replica in turn (round robin per chat), as a
    load balancer in front of the one webhook URL might; returns which replica got it."""

    def __init__(self, replicas: list[ServeTelegram]) -> None:
        self.replicas = replicas
        self._turns: dict[int, itertools.cycle[int]] = {}

    async def post(self, update: dict[str, Any], start: int = 0) -> int:
        chat = int(update["message"]["chat"]["id"])
        turn = self._turns.setdefault(
            chat, itertools.cycle([(start + i) % len(self.replicas)
                                   for i in range(len(self.replicas))]))
        index = next(turn)
        async with aiohttp.ClientSession() as session, session.post(
                self.replicas[index].url, json=update,
                headers={SECRET_HEADER: SECRET}) as response:
            assert response.status == 200, await response.text()
        return index
