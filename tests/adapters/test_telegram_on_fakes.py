"""A whole Telegram conversation with no ../shared: the real python-telegram-bot client against
the fake Bot API server, started and stopped by the entry layer's lifecycle
(``bot.cli.lifecycle.run_platform``) on the service ``build_service`` builds with the fakes of
``tests/fakes.py``. The real-model versions are in test_telegram_conversation."""

from __future__ import annotations

import asyncio
from pathlib import Path

from adapters.telegram.service import TelegramBot
from bot.cli.lifecycle import run_platform
from bot.composition import Service
from bot.dialogue import texts as said
from tests.adapters.fake_telegram import FakeTelegram
from tests.adapters.telegram_person import Person, config_for, texts
from tests.fakes import InlineRunner, fake_service, fake_settings, person_photo, sky_photo

GOT_FIRST = "Got it: I found a face. Now send the second photo."


async def test_a_conversation_from_start_to_stop_through_the_lifecycle(tmp_path: Path) -> None:
    service = fake_service(tmp_path, consent="ask")
    lines: list[str] = []
    bots: list[TelegramBot] = []
    stop = asyncio.Event()

    def platform(got: Service) -> TelegramBot:
        bots.append(TelegramBot(config_for(fake), got.dialogue))
        return bots[0]

    async with FakeTelegram() as fake:
        running = asyncio.create_task(run_platform(fake_settings(tmp_path), service, platform,
                                                   ready=lines.append, stop=stop))
        while not lines:
            await asyncio.sleep(0.05)
        assert lines == ["facexplain is running on Telegram as @facexplain_test_bot (polling). "
                         "Press Ctrl+C to stop."]
        ann = Person(fake, bots[0], service.dialogue, 2001, "Ann")
        assert texts(await ann.say("/start")) == [said.WELCOME, said.PRIVACY, said.CONSENT_ASK]
        assert texts(await ann.press("consent|yes")) == [said.CONSENT_THANKS]
        assert texts(await ann.send(photo=fake.photo(person_photo(7, 1)))) == [GOT_FIRST]
        replies = await ann.send(photo=fake.photo(person_photo(7, 2)))
        assert replies[0].text.startswith("<b>Decision: SAME PERSON</b>\nConfidence: ")
        assert [r.method for r in replies if r.method == "sendPhoto"] == ["sendPhoto"]
        assert "Region table" in replies[-2].text or "Region table" in replies[-1].text

        answer = texts(await ann.say("What is the decision?"))
        assert len(answer) == 1 and "same person" in answer[0].lower()
        no_face = texts(await ann.send(photo=fake.photo(sky_photo())))
        assert no_face[0] == said.STARTING_NEXT.format(number=2)
        assert len(no_face) == 2 and no_face[1].startswith("Photo 1: I could not find a face")

        stop.set()  # as SIGTERM would
        await asyncio.wait_for(running, 30)
    assert lines[-1] == "Stopping: finishing the messages already received..."
    assert isinstance(service.runner, InlineRunner)
    assert service.runner.jobs_run[:3] == ["prepare_job", "verify_job", "explain_job"]
    assert [r.method for r in fake.requests][:2] == ["getMe", "setMyCommands"]


async def test_a_question_sent_while_the_photo_downloads_is_answered_after_it(
        tmp_path: Path) -> None:
    """The order is the dialogue's (``Dialogue.turn``): the photo's update takes its turn as it
    arrives and is downloaded in it, so the question sent right after it waits (without that,
    it was answered first: "send me two photos")."""
    service = fake_service(tmp_path, consent="on_first_photo")
    await service.start()
    try:
        async with FakeTelegram() as fake:
            fake.download_delay_s = 1.0
            async with TelegramBot(config_for(fake), service.dialogue) as bot:
                ann = Person(fake, bot, service.dialogue, 2002, "Ann")
                sent = fake.push_message(ann.chat, ann.user,
                                         photo=fake.photo(person_photo(7, 1)))
                asked = fake.push_message(ann.chat, ann.user, text="What is the decision?")
                got = texts(await ann.settle(sent, asked))
    finally:
        await service.close()
    assert GOT_FIRST in got and said.NO_PHOTOS_YET not in got, got
    assert got[-1] == said.ONLY_FIRST_YET and got.index(GOT_FIRST) < len(got) - 1, got
