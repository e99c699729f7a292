"""``facexplain serve telegram`` (long polling) as a process of its own against the fake Bot
API server (see ``tests.scale.serve_process``), and a person who writes to it through the fake."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.adapters.fake_telegram import FakeTelegram, Request
from tests.adapters.telegram_person import plain
from tests.scale.serve_process import DELIVERY_ERRORS, ServeProcess, serve_env

READY = "facexplain is running on Telegram as"


class ServeTelegram(ServeProcess):
    """Settings as ``FACEXPLAIN_*`` names without the prefix (``shutdown_grace_s="5"``)."""

    # python-telegram-bot's words for a send on a closed or failing client
    delivery_marks = (*DELIVERY_ERRORS, "not initialized", "NetworkError")

    def __init__(self, fake: FakeTelegram, data_dir: Path, database_url: str,
                 **settings: str) -> None:
        env = serve_env(data_dir, database_url, telegram_token=fake.token,
                        telegram_base_url=fake.base_url, telegram_poll_timeout_s="0.5",
                        telegram_album_window_s="0.3", **settings)
        super().__init__(["telegram"], env, READY)


class Writer:
    """One Telegram user in a private chat with the bot, through the fake."""

    def __init__(self, fake: FakeTelegram, user_id: int, name: str) -> None:
        self.fake = fake
        self.user = fake.user(user_id, name)
        self.chat = fake.private_chat(self.user)

    def say(self, text: str) -> int:
        fields: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            fields["entities"] = [{"type": "bot_command", "offset": 0,
                                   "length": len(text.split()[0])}]
        return self.fake.push_message(self.chat, self.user, **fields)

    def send_photo(self, data: bytes) -> int:
        return self.fake.push_message(self.chat, self.user, photo=self.fake.photo(data))

    def seen(self) -> list[Request]:
        """Every message the bot sent (or edited) in this chat, in order."""
        return self.fake.delivered(self.chat["id"])

    def texts(self) -> list[str]:
        return [plain(r) for r in self.seen()]

    def collages(self) -> list[bytes]:
        return [r.files["photo"] for r in self.seen() if r.method == "sendPhoto"]

    def tables(self) -> list[str]:
        return [t for t in self.texts() if t.startswith("Region table")]

    async def wait(self, check: Callable[[], Any], what: str, timeout: float = 60) -> None:
        await self.fake.wait_until(lambda: bool(check()), timeout, what)

    async def answer(self, question: str, word: str, timeout: float = 60) -> str:
        """Ask; the first new message with ``word`` in it (lower case)."""
        before = len(self.seen())
        self.say(question)

        def found() -> list[str]:
            return [t for t in self.texts()[before:] if word in t.lower()]

        await self.wait(found, f"an answer to {question!r}", timeout)
        return found()[0]
