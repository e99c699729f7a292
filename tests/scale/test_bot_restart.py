"""The bot process restarts while a user's comparison runs on a Celery worker: the new bot
delivers the decision and the heatmaps, each exactly once.

Real parts: a ``facexplain worker`` subprocess with the real face models, Redis, a SQLite
store, python-telegram-bot against the fake Bot API server. A "bot process" is the Telegram
bot, its dialogue and its Celery runner on an event loop of a thread of its own; a crash stops
that loop dead, so nothing of that bot runs again, not even its clean-up, as when its process
is killed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

import pytest

from adapters.telegram.service import TelegramBot
from bot.dialogue import Dialogue, DialogueConfig
from bot.store.repository import Store
from tests.adapters.fake_telegram import FakeTelegram, Request
from tests.adapters.telegram_person import GENUINE, config_for, lfw_bytes, plain
from tests.conftest import needs_shared
from tests.scale.cluster import wait_for
from tests.scale.conftest import celery_runner
from tests.scale.held_job import assert_stored_once_with_tables, held_job
from tests.scale.own_loop import OwnLoop

pytest.importorskip("celery")
pytestmark = [pytest.mark.redis, needs_shared]
QUICK_HELD = "tests.scale.jobs:quick_held_engines"  # real models, a tiny saliency grid, a hold


class BotProcess(OwnLoop):
    """One run of the bot (Telegram bot + dialogue + Celery runner) on its own event loop."""

    def __init__(self, fake: FakeTelegram, store: Store, redis_url: str, queue: str) -> None:
        super().__init__()
        self.fake, self.store, self.redis_url, self.queue = fake, store, redis_url, queue

    async def start(self) -> int:
        """Start as ``facexplain serve telegram`` does; returns how many jobs it recovered."""
        async def boot() -> int:
            self.runner = celery_runner(self.redis_url, self.queue)
            self.dialogue = Dialogue(self.runner, self.store, answerer=None,  # type: ignore[arg-type]
                                     config=DialogueConfig(consent="on_first_photo"))
            self.telegram = TelegramBot(config_for(self.fake), self.dialogue)
            await self.telegram.start()
            await self.runner.start()
            return await self.telegram.recover()

        return await self._on_loop(boot())

    async def idle(self) -> None:
        await self._on_loop(self.dialogue.idle())

    def leftovers(self) -> list[Coroutine[Any, Any, Any]]:
        return [self.runner.close()]

    async def stop(self) -> None:
        async def shut_down() -> None:
            await self.telegram.stop()
            await self.dialogue.close()
            await self.runner.close()

        await self.stop_with(shut_down())


def decisions(sent: list[Request]) -> list[Request]:
    return [r for r in sent if plain(r).startswith("Decision: ")]


def collages(sent: list[Request]) -> list[Request]:
    return [r for r in sent if r.method == "sendPhoto"]


@pytest.mark.parametrize("in_flight", ["comparison", "heatmaps"])
async def test_the_bot_restarts_while_a_job_runs_and_the_new_bot_answers_exactly_once(
        in_flight: str, redis_url: str, queue: str, markers: Path, tmp_path: Path) -> None:
    ground = held_job(in_flight, redis_url, queue, markers, tmp_path)
    hold, held, faces, store = ground.hold, ground.started, ground.workers, ground.store
    async with FakeTelegram() as fake:
        bots: list[BotProcess] = []
        dead: list[BotProcess] = []
        try:
            worker = faces.start("faces", context=QUICK_HELD)
            await asyncio.to_thread(worker.wait_ready, 90)
            dana = fake.user(4242, "Dana")
            chat = fake.private_chat(dana)

            def sent() -> list[Request]:
                return fake.delivered(chat["id"])

            first_bot = BotProcess(fake, store, redis_url, queue)
            bots.append(first_bot)
            assert await first_bot.start() == 0  # nothing in flight yet
            fake.push_message(chat, dana, photo=fake.photo(lfw_bytes(*GENUINE[0])))
            await fake.wait_until(lambda: any(plain(r).startswith("Got it") for r in sent()),
                                  60, "the first photo to be checked")

            hold.touch()  # the job of the second photo (or its heatmaps) waits on the worker
            second = fake.push_message(chat, dana, photo=fake.photo(lfw_bytes(*GENUINE[1])))
            await asyncio.to_thread(wait_for, lambda: any(markers.glob(held)), 30,
                                    f"the {in_flight} to start on the worker")
            await fake.wait_until(lambda: any(int(r.params.get("offset") or 0) > second
                                              for r in fake.calls("getUpdates")),
                                  10, "the bot to confirm the second photo's update")
            first_bot.crash()  # the bot dies while the job runs
            bots.remove(first_bot)
            dead.append(first_bot)
            assert len(decisions(sent())) == (0 if in_flight == "comparison" else 1)
            assert collages(sent()) == []

            second_bot = BotProcess(fake, store, redis_url, queue)
            bots.append(second_bot)
            assert await second_bot.start() == 1  # the job the first bot awaited
            hold.unlink()  # the job finishes
            await fake.wait_until(lambda: len(collages(sent())) >= 1, 60, "the heatmaps")
            await second_bot.idle()

            transcript = [plain(r) for r in sent()]
            assert len(decisions(sent())) == 1, transcript
            assert plain(decisions(sent())[0]).startswith("Decision: SAME PERSON")
            assert len(collages(sent())) == 1, transcript
            assert sent().index(decisions(sent())[0]) < sent().index(collages(sent())[0])
            assert not any("went wrong" in t or "try again" in t.lower() for t in transcript)
            assert_stored_once_with_tables(store)  # its tables by the new bot
        finally:
            for bot in bots:
                await bot.stop()
            for bot in dead:
                await bot.bury()
            store.close()
            faces.stop()
