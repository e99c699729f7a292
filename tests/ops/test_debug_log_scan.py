"""Each chat service at ``-vv`` (DEBUG, the root logger configured as ``facexplain -vv``
configures it) through a whole conversation on the fake servers and fake models; then the
log, every library's records included (python-telegram-bot, httpx, slack_sdk, slack_bolt,
aiohttp, our own), is searched for the secrets and the personal data that passed through."""

from __future__ import annotations

import asyncio
import base64
import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from adapters.telegram.service import TelegramBot
from adapters.telegram.webhook import SECRET_HEADER
from bot.ops.logging import configure_logging, secret_values
from tests.adapters.fake_slack import APP_TOKEN, BOT_TOKEN
from tests.adapters.fake_telegram import FakeTelegram
from tests.adapters.slack_world import DM, SECRET, SlackWorld, open_world
from tests.adapters.telegram_person import config_for
from tests.fakes import fake_service, fake_settings, person_photo

NAME, SURNAME, HANDLE = "Annabel", "Quixote", "annabelq"
QUESTION = "Which region mattered most for the zebracorn decision?"


@pytest.fixture
def debug_log() -> Iterator[io.StringIO]:
    """The root logger at DEBUG through the product's redacting handler, as ``-vv`` sets it."""
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    stream = io.StringIO()
    secrets = secret_values(fake_settings(Path("/nonexistent"), audit_key="not-used-here"))
    configure_logging(logging.DEBUG, "text", secrets, stream)
    try:
        yield stream
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])


def photo_traces(*photos: bytes) -> list[str]:
    """How image bytes could show in a log: repr, hex, base64 of a stretch of the middle."""
    traces = []
    for data in photos:
        middle = data[len(data) // 2 : len(data) // 2 + 24]
        traces += [repr(middle)[2:-1], middle.hex(), base64.b64encode(middle).decode()[:24]]
    return traces


def assert_clean(log: str, forbidden: dict[str, str]) -> None:
    assert len(log.splitlines()) > 100, "the services logged little: is DEBUG on?"
    found = {what: value for what, value in forbidden.items() if value in log}
    lines = [line for line in log.splitlines() if any(v in line for v in found.values())]
    assert found == {}, "\n".join(lines[:20])


# --- Telegram, webhook mode ------------------------------------------------------------------


async def test_telegram_at_debug_logs_no_token_secret_ids_names_text_or_image_bytes(
        tmp_path: Path, debug_log: io.StringIO) -> None:
    webhook_secret = "wh-secret-Zq9_41xY7"
    user_id, group_id = 730_001_234, -1_001_234_567_890
    service = fake_service(tmp_path, consent="ask")
    photos = [person_photo(4, 1), person_photo(4, 2)]
    async with FakeTelegram() as fake:
        config = config_for(fake, mode="webhook", webhook_url="https://bot.example.org/tg",
                            webhook_port=0, webhook_path="/tg", webhook_secret=webhook_secret)
        configure_logging(logging.DEBUG, "text", [fake.token, webhook_secret], debug_log)
        user = {"id": user_id, "is_bot": False, "first_name": NAME, "last_name": SURNAME,
                "username": HANDLE}
        chat = {"id": user_id, "type": "private", "first_name": NAME, "last_name": SURNAME,
                "username": HANDLE}
        async with TelegramBot(config, service.dialogue) as bot, \
                httpx.AsyncClient(trust_env=False) as http:
            assert bot.webhook is not None
            ids = iter(range(100, 200))

            async def post(update: dict[str, Any]) -> None:
                update_id = next(ids)
                response = await http.post(bot.webhook.url, content=json.dumps(
                    {"update_id": update_id, **update}), headers={
                    SECRET_HEADER: webhook_secret, "Content-Type": "application/json"})
                assert response.status_code == 200
                await fake.wait_until(lambda: update_id in bot.router.seen)
                while True:
                    await bot.router.inflight.join()
                    await service.dialogue.idle()
                    if len(bot.router.inflight) == 0:
                        return

            def say(text: str, **fields: Any) -> dict[str, Any]:
                return {"message": fake.message(chat, user, text=text, **fields)}

            await post(say("/start", entities=[{"type": "bot_command", "offset": 0,
                                                "length": 6}]))
            await post({"callback_query": {
                "id": "77", "from": user, "chat_instance": "1", "data": "consent|yes",
                "message": fake.bot_message(chat, "(buttons)")}})
            for data in photos:
                await post({"message": fake.message(chat, user, photo=fake.photo(data),
                                                    caption=f"{NAME}'s photo")})
            await post(say(QUESTION))
            await post(say("/forget", entities=[{"type": "bot_command", "offset": 0,
                                                 "length": 7}]))
            group = {"id": group_id, "type": "supergroup", "title": f"{SURNAME} family"}
            await post({"message": fake.message(group, user, text="@facexplain_test_bot hi")})
            sent = [r.text for r in fake.delivered(user_id)]
        assert any("Decision" in text for text in sent)  # the conversation really happened
        assert fake.calls("setWebhook")[0].params["secret_token"] == webhook_secret
    log = debug_log.getvalue()
    assert "setWebhook" in log and "telegram" in log and "httpx" in log
    assert_clean(log, {
        "bot token": fake.token, "bot token (secret part)": fake.token.split(":")[1],
        "webhook secret": webhook_secret, "user id": str(user_id), "group id": str(group_id),
        "first name": NAME, "last name": SURNAME, "username": HANDLE,
        "message text": "zebracorn", **dict(enumerate(photo_traces(*photos)))})  # type: ignore[dict-item]


# --- Slack, HTTP mode and Socket Mode --------------------------------------------------------


async def test_slack_at_debug_logs_no_token_secret_ids_names_text_or_image_bytes(
        tmp_path: Path, debug_log: io.StringIO) -> None:
    configure_logging(logging.DEBUG, "text", [SECRET, BOT_TOKEN, APP_TOKEN], debug_log)
    service = fake_service(tmp_path, consent="on_first_photo")
    user = "U07ANNA1X"
    photos = [person_photo(5, 1), person_photo(5, 2)]
    async for world in open_world(fake_settings(tmp_path), tmp_path, service):
        await run_slack_conversation(world, user, photos)
    log = debug_log.getvalue()
    assert "slack_bolt" in log and "slack_sdk" in log
    assert_clean(log, {
        "signing secret": SECRET, "bot token": BOT_TOKEN, "app token": APP_TOKEN,
        "user id": user, "channel id": DM, "file name": f"{NAME}-portrait",
        "message text": "zebracorn", **dict(enumerate(photo_traces(*photos)))})  # type: ignore[dict-item]


async def run_slack_conversation(world: SlackWorld, user: str, photos: list[bytes]) -> None:
    shared = [world.fake.host_file(data, f"{NAME}-portrait-{n}.jpg", "image/jpeg")
              for n, data in enumerate(photos)]
    assert await world.http_event(world.message(user, "", files=shared)) == 200
    await world.settle()
    await world.http_event(world.message(user, QUESTION))
    await world.settle()
    await world.socket_event(world.message(user, f"{QUESTION} (socket)"))
    await world.settle()
    await world.http_event(world.message(user, "forget"))
    await world.settle()
    assert any("Same person" in str(post) or "Different" in str(post)
               for post in world.posts())
    await asyncio.sleep(0)
