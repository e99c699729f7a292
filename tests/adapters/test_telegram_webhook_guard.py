"""The Telegram webhook against requests an outsider (or a broken client) can send: each gets a
4xx or an acknowledgement, never a 500, with one WARNING line and no traceback; an update whose
file is of the wrong shape is acknowledged and its sender told the file could not be read.

Runs the real bot (python-telegram-bot, webhook mode) against the fake Bot API server, on a
dialogue that only records what reaches it, so no models are needed."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from adapters.telegram.router import UNREADABLE_FILE
from adapters.telegram.service import TelegramBot
from adapters.telegram.webhook import SECRET_HEADER
from bot.dialogue.port import Prepare
from bot.messages import ConversationKey, Incoming, ReplySink, TextReply
from tests.adapters.fake_telegram import FakeTelegram
from tests.adapters.telegram_person import config_for, texts

SECRET = "s3cret_token-1"


class Recorder:
    """A dialogue that answers every message with "heard" and remembers it."""

    def __init__(self) -> None:
        self.heard: list[Incoming] = []

    async def handle(self, incoming: Incoming, send: ReplySink) -> None:
        self.heard.append(incoming)
        await send(TextReply("heard"))

    async def turn(self, key: ConversationKey, send: ReplySink, prepare: Prepare) -> None:
        incoming = await prepare(send)
        if incoming is not None:
            await self.handle(incoming, send)

    async def recover(self, platform: str, sink_for: Any) -> int:
        return 0

    async def idle(self, key: object = None) -> None:
        return None

    async def take_event(self, platform: str, event_key: str) -> bool:
        return True

    async def finish_event(self, platform: str, event_key: str) -> None:
        return None


class Hook:
    def __init__(self, fake: FakeTelegram, bot: TelegramBot, http: httpx.AsyncClient,
                 dialogue: Recorder) -> None:
        self.fake, self.bot, self.http, self.dialogue = fake, bot, http, dialogue
        assert bot.webhook is not None
        self.url = bot.webhook.url

    async def post(self, content: bytes, secret: str | bytes = SECRET) -> int:
        headers = {"Content-Type": "application/json", SECRET_HEADER: secret}
        return (await self.http.post(self.url, content=content, headers=headers)).status_code

    async def settle(self) -> None:
        await self.bot.router.inflight.join()


@pytest.fixture
async def hook() -> AsyncIterator[Hook]:
    async with FakeTelegram() as fake:
        dialogue = Recorder()
        config = config_for(fake, mode="webhook", webhook_url="https://bot.example.org/tg",
                            webhook_port=0, webhook_path="/tg", webhook_secret=SECRET)
        async with TelegramBot(config, dialogue) as bot, \
                httpx.AsyncClient(trust_env=False) as http:  # type: ignore[arg-type]
            yield Hook(fake, bot, http, dialogue)


def one_warning(caplog: pytest.LogCaptureFixture, contains: str) -> None:
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING
                and r.name.startswith("adapters.telegram")]
    assert any(contains in r.getMessage() for r in warnings), [r.getMessage() for r in warnings]
    assert all("\n" not in r.getMessage() and r.exc_info is None for r in warnings)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_a_secret_header_with_a_non_ascii_byte_is_403_not_500(
        hook: Hook, caplog: pytest.LogCaptureFixture) -> None:
    update = b'{"update_id": 1}'
    assert await hook.post(update, "s3cret_tokén-1".encode()) == 403
    assert await hook.post(update, b"\xff\xfe") == 403
    one_warning(caplog, "403 wrong secret token")


async def test_100000_nested_brackets_are_400_before_json_parses_them(
        hook: Hook, caplog: pytest.LogCaptureFixture) -> None:
    assert await hook.post(b"[" * 100_000) == 400
    assert await hook.post(b'{"update_id": 1, "message": ' + b"{\"a\": " * 40 + b"1" + b"}" * 41
                           ) == 400
    one_warning(caplog, "400 body too_deep")


@pytest.mark.parametrize("update", [
    b'{"update_id": 5, "message": [1]}',
    b'{"update_id": 5, "message": {"message_id": 1, "date": 0, "chat": {"id": "x", "type": 1}}}',
    b'{"update_id": true}',
    b'{"update_id": 5, "callback_query": {"id": 1, "from": 2}}',
])
async def test_updates_of_the_wrong_shape_are_400(
        hook: Hook, update: bytes, caplog: pytest.LogCaptureFixture) -> None:
    assert await hook.post(update) == 400
    await hook.settle()
    assert hook.dialogue.heard == [] and hook.fake.delivered() == []
    one_warning(caplog, "400 not a Telegram update")


@pytest.mark.parametrize("files", [
    {"photo": 5},
    {"photo": [{"file_id": "a", "file_unique_id": "b", "width": "wide", "height": 2}]},
    {"document": {"file_id": "a", "file_unique_id": "b", "file_size": "big"}},
    {"document": [1]},
])
async def test_a_signed_update_with_an_unreadable_file_is_acknowledged_and_answered(
        hook: Hook, files: dict[str, Any], caplog: pytest.LogCaptureFixture) -> None:
    fake = hook.fake
    user = fake.user(3001, "Uma")
    chat = fake.private_chat(user)

    body = json.dumps({"update_id": 41, "message": fake.message(chat, user, **files)}).encode()
    assert await hook.post(body) == 200
    await fake.wait_until(lambda: len(fake.delivered(chat["id"])) == 1, what="the answer")
    assert texts(fake.delivered(chat["id"])) == [UNREADABLE_FILE]
    assert hook.dialogue.heard == []
    assert await hook.post(body) == 200  # Telegram retrying: answered once only
    await hook.settle()
    assert len(fake.delivered(chat["id"])) == 1
    one_warning(caplog, "its file could not be read")


async def test_a_message_from_a_bot_is_ignored(hook: Hook) -> None:
    fake = hook.fake
    other_bot = {"id": 4001, "is_bot": True, "first_name": "Spam"}
    chat = fake.private_chat(other_bot)

    for update_id, fields in ((51, {"text": "/start"}), (52, {"photo": 5})):
        body = json.dumps({"update_id": update_id,
                           "message": fake.message(chat, other_bot, **fields)}).encode()
        assert await hook.post(body) == 200
    person = fake.user(4002, "Vic")
    body = json.dumps({"update_id": 53, "message": fake.message(
        fake.private_chat(person), person, text="hello")}).encode()
    assert await hook.post(body) == 200
    await fake.wait_until(lambda: len(hook.dialogue.heard) == 1, what="the person's message")
    await hook.settle()
    assert [m.key.user for m in hook.dialogue.heard] == ["4002"]
    assert fake.delivered(chat["id"]) == []
