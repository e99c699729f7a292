"""Shutdown in the right order: the bot stops taking updates, the heatmaps already running are
delivered while the Bot API client is still open, and only then is the client closed; what
does not finish within the grace is left in the store, and the next start says so."""

from __future__ import annotations

import asyncio
import logging
import time

import pytest

from adapters.telegram.service import TelegramBot
from bot.dialogue import Dialogue, DialogueConfig
from bot.dialogue import texts as said
from bot.jobs import JobRunner
from bot.settings import Settings
from bot.store.repository import Store
from tests.adapters.fake_telegram import FakeTelegram
from tests.adapters.telegram_person import GENUINE, Person, config_for, lfw_bytes, plain
from tests.bot.dialogue_helpers import HeldHeatmaps, shared_answerer
from tests.conftest import needs_shared

pytestmark = needs_shared


async def pair_sent(fake: FakeTelegram, person: Person) -> None:
    fake.push_message(person.chat, person.user, photo=fake.photo(lfw_bytes(*GENUINE[0])))
    fake.push_message(person.chat, person.user, photo=fake.photo(lfw_bytes(*GENUINE[1])))
    await fake.wait_until(lambda: any(plain(r).startswith("Decision")
                                      for r in fake.delivered(person.chat["id"])),
                          60, "the decision")


async def test_heatmaps_that_finish_in_the_grace_are_delivered_before_the_client_closes(
        fake: FakeTelegram, runner: JobRunner, store: Store, calibrated_settings: Settings,
        caplog: pytest.LogCaptureFixture) -> None:
    held = HeldHeatmaps(runner)
    talk = Dialogue(held, store, shared_answerer(calibrated_settings),
                    DialogueConfig(consent="on_first_photo"))
    bot = TelegramBot(config_for(fake), talk, grace_s=30)
    await bot.start()
    kim = Person(fake, bot, talk, 3101, "Kim")
    await pair_sent(fake, kim)
    stopping = asyncio.create_task(bot.stop())  # SIGTERM while the heatmaps run
    await asyncio.sleep(0.5)
    assert not stopping.done()
    held.release.set()  # they finish within the grace
    await asyncio.wait_for(stopping, 30)
    sent = fake.delivered(kim.chat["id"])
    assert sum(r.method == "sendPhoto" for r in sent) == 1
    assert any(plain(r).startswith("Region table") for r in sent)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    await talk.close()


async def test_heatmaps_past_the_grace_are_left_and_the_next_start_says_so(
        fake: FakeTelegram, runner: JobRunner, store: Store,
        calibrated_settings: Settings) -> None:
    held = HeldHeatmaps(runner)
    answerer = shared_answerer(calibrated_settings)
    talk = Dialogue(held, store, answerer, DialogueConfig(consent="on_first_photo"))
    bot = TelegramBot(config_for(fake), talk, grace_s=1.0)
    await bot.start()
    lea = Person(fake, bot, talk, 3102, "Lea")
    await pair_sent(fake, lea)
    began = time.monotonic()
    await bot.stop()
    await talk.close()
    assert time.monotonic() - began < 1.0 + 5.0  # the grace, and then it goes
    assert not any(r.method == "sendPhoto" for r in fake.delivered(lea.chat["id"]))

    again = Dialogue(runner, store, answerer, DialogueConfig(consent="on_first_photo"))
    async with TelegramBot(config_for(fake), again) as restarted:
        lea.bot, lea.dialogue = restarted, again
        lea.news()
        replies = [plain(r) for r in await lea.say("/explain")]
        assert replies == [said.HEATMAPS_INTERRUPTED]
        answer = [plain(r) for r in await lea.say("How sure are you?")]
        assert answer and "%" in answer[0]  # the decision is answered from the store
    await again.close()
