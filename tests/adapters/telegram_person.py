"""What the Telegram tests share: the bot's settings against the fake Bot API server, photos,
and a person who talks to the bot through the fake, transcript-style.

The fixtures (the fake, the real bot on the real dialogue) are in tests/adapters/conftest.py.
"""

from __future__ import annotations

import html
import io
import re
from typing import Any

from PIL import Image

from adapters.telegram.service import TelegramBot
from bot.dialogue import Dialogue
from bot.platform_settings import TelegramSettings
from core.saliency import params_for, with_changes
from tests.adapters.fake_telegram import FakeTelegram, Request
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


def config_for(fake: FakeTelegram, **changes: Any) -> TelegramSettings:
    """The bot's settings against the fake: a short long-poll and album window for speed."""
    values: dict[str, Any] = {"token": fake.token, "base_url": fake.base_url,
                              "base_file_url": fake.base_file_url, "poll_timeout_s": 0.5,
                              "album_window_s": 0.3, **changes}
    return TelegramSettings(**values)


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
            await router.inflight.join()
            await self.dialogue.idle()
            if len(router.inflight) == 0:
                break
        return self.news()

    def news(self) -> list[Request]:
        """What arrived in this chat since the last look."""
        delivered = self.fake.delivered(self.chat["id"])
        fresh, self._cursor = delivered[self._cursor:], len(delivered)
        return fresh
