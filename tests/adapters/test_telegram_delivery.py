"""The Telegram bot under pressure and at its edges, through the real client and the fake Bot
API server: a burst of 50 messages, a duplicate update, flood control (429), the webhook's
checks, and replies that must survive Telegram's parse mode and length limits."""

from __future__ import annotations

import asyncio
import json
import logging

import httpx
import pytest
from telegram import Bot

from adapters.telegram.callbacks import CallbackData
from adapters.telegram.delivery import RetryPolicy
from adapters.telegram.outgoing import Outgoing, Target
from adapters.telegram.router import RATE_LIMITED
from adapters.telegram.service import TelegramBot
from adapters.telegram.webhook import SECRET_HEADER
from bot.dialogue import Dialogue
from bot.dialogue import texts as said
from bot.messages import ConversationKey, ImageReply, ProgressReply, TableReply, TextReply
from tests.adapters.fake_telegram import FakeTelegram
from tests.adapters.telegram_person import Person, config_for, texts
from tests.conftest import needs_shared

pytestmark = needs_shared


async def test_a_burst_of_50_messages_is_rate_limited_politely(
        fake: FakeTelegram, telegram: TelegramBot, dialogue: Dialogue,
        caplog: pytest.LogCaptureFixture) -> None:
    telegram.router.rate.clock = lambda: 0.0  # the burst takes no time at all
    eve = Person(fake, telegram, dialogue, 2001, "Eve")
    burst = [fake.push_message(eve.chat, eve.user, text=f"same person? #{i}") for i in range(50)]
    other = Person(fake, telegram, dialogue, 2002, "Finn")
    meanwhile = fake.push_message(other.chat, other.user, text="/help")
    replies = texts(await eve.settle(*burst, meanwhile))
    assert replies[:3] == [said.WELCOME, said.PRIVACY, said.CONSENT_ASK]
    assert replies[3:] == [said.NO_PHOTOS_YET] * 20 + [RATE_LIMITED]  # 20 answered, once each
    assert texts(other.news()) == [said.HELP]  # another user is not held back
    assert all(r.status == 200 for r in fake.requests)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_a_duplicate_update_is_handled_once(
        fake: FakeTelegram, telegram: TelegramBot, dialogue: Dialogue) -> None:
    gus = Person(fake, telegram, dialogue, 2003, "Gus")
    update = {"update_id": 9000, "message": fake.message(gus.chat, gus.user, text="/privacy")}
    fake.push(update)
    fake.push(update)  # Telegram delivering the same update again
    assert texts(await gus.settle(9000)) == [said.PRIVACY]


async def test_an_update_handled_before_a_restart_is_dropped_after_it(
        fake: FakeTelegram, dialogue: Dialogue) -> None:
    """The inbox is in the store: a new bot process (nothing in memory) that is given an
    update the last one handled drops it; an update it never handled is handled."""
    async with TelegramBot(config_for(fake), dialogue) as before:
        ian = Person(fake, before, dialogue, 2010, "Ian")
        update = {"update_id": 9100, "message": fake.message(ian.chat, ian.user, text="/privacy")}
        fake.push(update)
        assert texts(await ian.settle(9100)) == [said.PRIVACY]
    async with TelegramBot(config_for(fake), dialogue) as after:  # the restart
        ian.bot = after
        # the old bot's last long poll (offset 9101) may still be open on the server: let it
        # end first, or it would confirm - and so drop - the redelivery pushed next
        await asyncio.sleep(fake.max_poll_s + 0.5)
        fake.push(update)  # redelivered: the restart came before Telegram saw the offset move
        fresh = {"update_id": 9101, "message": fake.message(ian.chat, ian.user, text="/help")}
        fake.push(fresh)
        assert texts(await ian.settle(9100, 9101)) == [said.HELP]


async def test_flood_control_is_waited_out_and_the_message_delivered_once(
        fake: FakeTelegram, dialogue: Dialogue) -> None:
    async with TelegramBot(config_for(fake, retry_attempts=2), dialogue) as bot:
        hal = Person(fake, bot, dialogue, 2004, "Hal")
        fake.fail("sendMessage", status=429, retry_after=1)
        assert texts(await hal.say("/help")) == [said.HELP]
        tries = [r for r in fake.calls("sendMessage") if r.chat_id == hal.chat["id"]]
        assert [r.status for r in tries] == [429, 200] and tries[0].text == tries[1].text
        assert tries[1].at - tries[0].at >= 1.0  # retried after retry_after, not before

        fake.fail("sendMessage", status=429, retry_after=1, times=2)  # more than it will try
        assert await hal.say("/privacy") == []  # given up after 2 tries; nothing crashed
        assert texts(await hal.say("/privacy")) == [said.PRIVACY]


async def test_the_webhook_refuses_bad_requests_and_takes_good_ones_once(
        fake: FakeTelegram, dialogue: Dialogue) -> None:
    config = config_for(fake, mode="webhook", webhook_url="https://bot.example.org/tg",
                        webhook_port=0, webhook_path="/tg", webhook_secret="s3cret_token-1")
    async with TelegramBot(config, dialogue) as bot, httpx.AsyncClient(trust_env=False) as http:
        assert bot.webhook is not None
        url = bot.webhook.url
        registered = fake.calls("setWebhook")
        assert len(registered) == 1 and registered[0].params["url"] == "https://bot.example.org/tg"
        assert registered[0].params["secret_token"] == "s3cret_token-1"
        ivy = Person(fake, bot, dialogue, 2005, "Ivy")
        good = {"update_id": 7001, "message": fake.message(ivy.chat, ivy.user, text="/help")}
        body = json.dumps(good).encode()

        async def post(content: bytes, secret: str | None = "s3cret_token-1") -> int:
            headers = {"Content-Type": "application/json"}
            if secret is not None:
                headers[SECRET_HEADER] = secret
            return (await http.post(url, content=content, headers=headers)).status_code

        assert await post(body, "wrong") == 403
        assert await post(body, "s3cret_token-") == 403
        assert await post(body, None) == 403
        assert await post(b'{"update_id": 7001, "message": {') == 400  # malformed JSON
        assert await post(b"\xff\xfe not utf-8") == 400
        assert await post(b"[1, 2, 3]") == 400  # JSON, but not an update
        assert await post(b'{"update_id": "7001"}') == 400
        assert await post(b'{"message": {"text": "hi"}}') == 400
        assert await post(b'{"update_id": 1, "message": {"text": "no chat"}}') == 400
        assert await post(b"{" + b" " * (300 * 1024) + b"}") == 413
        assert (await http.get(url)).status_code == 405
        await asyncio.sleep(0.2)
        assert 7001 not in bot.router.seen and fake.delivered() == []  # nothing processed

        assert await post(body) == 200
        assert await post(body) == 200  # Telegram retrying a delivery
        assert texts(await ivy.settle(7001)) == [said.HELP]
        assert fake.calls("getUpdates") == []  # webhook mode does not poll


async def test_replies_survive_html_escaping_and_telegram_limits(fake: FakeTelegram) -> None:
    async with Bot(fake.token, base_url=fake.base_url, base_file_url=fake.base_file_url) as bot:
        out = Outgoing(bot, RetryPolicy(), CallbackData())
        chat = fake.private_chat(fake.user(2006))
        target = Target(chat["id"], ConversationKey("telegram", str(chat["id"]), "2006"))
        await out.send(target, TextReply("Is <Dean_Barker> the *same* as Dean & Co_?"))
        await out.send(target, TextReply("\n".join(f"Region {i}: " + "x" * 90 for i in range(100))))
        await out.send(target, ImageReply(b"\x89PNG fake", "caption " * 200, "c.png"))
        await out.send(target, TableReply("Table <1..5>", (), (), "a_b  | 1\nc*d  | 2"))
        for progress in (ProgressReply("saliency", 0, 4, "Working... 0%"),
                         ProgressReply("saliency", 1, 4, "Working... 0%"),  # unchanged text
                         ProgressReply("saliency", 4, 4, "Done.", final=True)):
            await out.send(target, progress)
        await out.send(target, ProgressReply("render", 0, 2, "Again... 0%"))
        fake.fail("editMessageText", status=400,
                  description="Bad Request: message to edit not found")  # the user deleted it
        await out.send(target, ProgressReply("render", 1, 2, "Again... 50%"))
    sent = fake.requests[1:]  # after getMe
    assert sent[0].text == "Is &lt;Dean_Barker&gt; the *same* as Dean &amp; Co_?"
    long = [r for r in sent if r.text.startswith("Region")]
    assert len(long) == 3 and all(len(r.text) <= 4096 for r in long)
    assert "\n".join(r.text for r in long).count("Region ") == 100
    photo = next(r for r in sent if r.method == "sendPhoto")
    follow_up = sent[sent.index(photo) + 1]
    assert len(photo.text) <= 1024 and (photo.text + " " + follow_up.text).split() == [
        "caption"] * 200
    assert any(r.text == "<b>Table &lt;1..5&gt;</b>\n<pre>a_b  | 1\nc*d  | 2</pre>" for r in sent)
    status = [r for r in sent if r.text.startswith(("Working", "Done"))]
    assert [(r.method, r.status) for r in status] == [
        ("sendMessage", 200), ("editMessageText", 400), ("editMessageText", 200)]
    assert {r.params.get("message_id") for r in status[1:]} == {status[0].result["message_id"]}
    again = [(r.method, r.status, r.text) for r in sent if r.text.startswith("Again")]
    assert again == [("sendMessage", 200, "Again... 0%"), ("editMessageText", 400, "Again... 50%"),
                     ("sendMessage", 200, "Again... 50%")]  # a fresh status message
    assert all(r.params.get("parse_mode") == "HTML" for r in sent)
