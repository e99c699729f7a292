"""What the Telegram tests share: the fake Bot API server, a real bot pointed at it, and a
person who talks to the bot through the fake, transcript-style.

No tests here; the fixtures are imported by the test_telegram* modules.
"""

from __future__ import annotations

import asyncio
import html
import io
import re
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from PIL import Image

from adapters.telegram.service import TelegramBot
from bot.composition import build_runner, build_store
from bot.dialogue import Dialogue, DialogueConfig
from bot.jobs import JobRunner
from bot.platform_settings import TelegramSettings
from bot.settings import Settings
from bot.store.repository import Store
from core.saliency import params_for, with_changes
from tests.adapters.fake_telegram import FakeTelegram, Request
from tests.bot.test_dialogue_kit import shared_answerer
from tests.conftest import lfw_image

# A tiny MinPlus grid: real heatmaps and tables in a fraction of a second a pair.
QUICK_SALIENCY = with_changes(params_for("interactive"), d=37, tmax=1, profile="telegram-test")
GENUINE = (("Abel_Pacheco", 1), ("Abel_Pacheco", 4))
IMPOSTOR = (("Abdel_Madi_Shabneh", 1), ("Dean_Barker", 1))
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer\n%%EOF\n"


def lfw_bytes(name: str, number: int) -> bytes:
    return lfw_image(name, number).read_bytes()


def faceless_jpeg() -> bytes:
    """A valid JPEG of a clear sky: no face in it."""
    out = io.BytesIO()
    Image.new("RGB", (250, 250), (120, 160, 200)).save(out, "JPEG", quality=90)
    return out.getvalue()


@pytest.fixture(scope="module")
def runner(calibrated_settings: Settings) -> Iterator[JobRunner]:
    """Real models on worker threads, built once for the module."""
    jobs = build_runner(calibrated_settings, saliency=QUICK_SALIENCY, kind="threads")
    yield jobs
    asyncio.run(jobs.close())


@pytest.fixture(scope="module")
def store(calibrated_settings: Settings, tmp_path_factory: pytest.TempPathFactory
          ) -> Iterator[Store]:
    """A real SQLite store for the module (each test talks as its own users)."""
    path = tmp_path_factory.mktemp("telegram") / "chat.db"
    chat_store = build_store(calibrated_settings.model_copy(
        update={"database_url": f"sqlite:///{path}"}))
    yield chat_store
    chat_store.close()


@pytest.fixture
async def dialogue(calibrated_settings: Settings, runner: JobRunner,
                   store: Store) -> AsyncIterator[Dialogue]:
    """The real dialogue (consent asked first) with the real QA engine."""
    talk = Dialogue(runner, store, shared_answerer(calibrated_settings),
                    DialogueConfig(consent="ask"))
    yield talk
    await talk.close()


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as server:
        yield server


def config_for(fake: FakeTelegram, **changes: Any) -> TelegramSettings:
    """The bot's settings against the fake: a short long-poll and album window for speed."""
    values: dict[str, Any] = {"token": fake.token, "base_url": fake.base_url,
                              "base_file_url": fake.base_file_url, "poll_timeout_s": 0.5,
                              "album_window_s": 0.3, **changes}
    return TelegramSettings(**values)


@pytest.fixture
async def telegram(fake: FakeTelegram, dialogue: Dialogue) -> AsyncIterator[TelegramBot]:
    """The real bot (python-telegram-bot, long polling) against the fake, on the real dialogue."""
    async with TelegramBot(config_for(fake), dialogue) as bot:
        yield bot


def plain(request: Request) -> str:
    """What the user sees of a message: the HTML tags dropped, the escapes undone."""
    return html.unescape(re.sub(r"</?(b|pre)>", "", request.text))


def texts(requests: list[Request]) -> list[str]:
    return [plain(r) for r in requests]


class Person:
    """One Telegram user in one chat. Each action pushes an update to the fake and returns
    what the bot then sent to this chat (sendMessage, sendPhoto, editMessageText), once the bot
    has handled it and any work it started (the heatmaps) has finished."""

    def __init__(self, fake: FakeTelegram, bot: TelegramBot, dialogue: Dialogue,
                 user_id: int, name: str = "Test", chat: dict[str, Any] | None = None) -> None:
        self.fake, self.bot, self.dialogue = fake, bot, dialogue
        self.user = fake.user(user_id, name)
        self.chat = chat or fake.private_chat(self.user)
        self._cursor = 0

    async def say(self, text: str, **fields: Any) -> list[Request]:
        if text.startswith("/"):
            command = text.split()[0]
            fields.setdefault("entities", [{"type": "bot_command", "offset": 0,
                                            "length": len(command)}])
        return await self.send(text=text, **fields)

    async def send(self, **fields: Any) -> list[Request]:
        return await self.settle(self.fake.push_message(self.chat, self.user, **fields))

    async def press(self, data: str) -> list[Request]:
        return await self.settle(self.fake.push_button(self.chat, self.user, data))

    async def settle(self, *update_ids: int) -> list[Request]:
        router = self.bot.router
        await self.fake.wait_until(lambda: all(i in router.seen for i in update_ids),
                                   what=f"updates {update_ids} to reach the bot")
        while True:
            await router.lanes.join()
            await self.dialogue.idle()
            if router.lanes.busy == 0:
                break
        return self.news()

    def news(self) -> list[Request]:
        """What arrived in this chat since the last look."""
        delivered = self.fake.delivered(self.chat["id"])
        fresh, self._cursor = delivered[self._cursor:], len(delivered)
        return fresh
