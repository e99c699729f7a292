"""``facexplain serve telegram --webhook`` replicas as processes of their own, started as an
operator would (settings from the environment; see ``tests.scale.serve_process`` and
``tests.scale.replicas``), and a load balancer that POSTs updates to them in turn, as Telegram
POSTs them to the one public webhook URL."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import aiohttp

from adapters.telegram.webhook import SECRET_HEADER
from tests.adapters.fake_telegram import FakeTelegram
from tests.scale.replicas import replica_env
from tests.scale.serve_process import ServeProcess, free_port

READY = "facexplain is running on Telegram"
SECRET = "replica-test-secret"


class ServeTelegram(ServeProcess):
    """One replica: its own webhook port, everything else shared (``env``)."""

    def __init__(self, name: str, env: dict[str, str], log: Path) -> None:
        self.name, self.port = name, free_port()
        super().__init__(["telegram", "--webhook"],
                         env | {"FACEXPLAIN_TELEGRAM_WEBHOOK_PORT": str(self.port)}, READY,
                         log=log)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/telegram"


def telegram_env(fake: FakeTelegram, database_url: str, redis_url: str, queue: str,
                 data_dir: Path) -> dict[str, str]:
    """What every replica shares: the bot, the store, the job queue, the keys."""
    return replica_env(data_dir, database_url, redis_url, queue, telegram_token=fake.token,
                       telegram_base_url=fake.base_url,
                       telegram_base_file_url=fake.base_file_url,
                       telegram_webhook_url="https://bot.example.org/telegram",
                       telegram_webhook_secret=SECRET)


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
