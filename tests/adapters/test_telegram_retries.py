"""Transient errors retried with bounded backoff and jitter, against the fake Bot API's
injected failures: a 502 from getFile, a 503 on the file download and a 502 on sendMessage
are tried again and the conversation goes on; past the tries the user gets one clear message."""

from __future__ import annotations

from adapters.telegram.delivery import RetryPolicy
from adapters.telegram.service import TelegramBot
from bot.dialogue import Dialogue
from bot.dialogue import texts as said
from tests.adapters.fake_telegram import FakeTelegram
from tests.adapters.telegram_person import GENUINE, Person, lfw_bytes, texts
from tests.conftest import needs_shared

pytestmark = needs_shared


def test_the_backoff_is_bounded_and_jittered() -> None:
    policy = RetryPolicy()
    waits = [policy.backoff(n) for n in range(1, 8) for _ in range(20)]
    assert min(waits) >= 0.5 and max(waits) <= 4.0 * 1.5
    assert len({round(w, 3) for w in waits[:20]}) > 1  # jitter: not all the same


async def test_a_502_from_getfile_and_a_503_download_are_retried(
        fake: FakeTelegram, telegram: TelegramBot, dialogue: Dialogue) -> None:
    mia = Person(fake, telegram, dialogue, 3201, "Mia")
    await mia.press("consent|yes")
    fake.fail("getFile", status=502, description="Bad Gateway")
    fake.fail("download", status=503)
    got = texts(await mia.send(photo=fake.photo(lfw_bytes(*GENUINE[0]))))
    assert got == ["Got it: I found a face. Now send the second photo."]
    assert [r.status for r in fake.calls("getFile")][-2:] == [502, 200]
    assert [r.status for r in fake.calls("download")][-2:] == [503, 200]


async def test_a_502_on_a_send_is_retried_and_delivered_once(
        fake: FakeTelegram, telegram: TelegramBot, dialogue: Dialogue) -> None:
    ned = Person(fake, telegram, dialogue, 3202, "Ned")
    fake.fail("sendMessage", status=502, description="Bad Gateway")
    assert texts(await ned.say("/help")) == [said.HELP]
    tries = [r for r in fake.calls("sendMessage") if r.chat_id == ned.chat["id"]]
    assert [r.status for r in tries] == [502, 200]


async def test_past_the_tries_the_user_gets_one_clear_message(
        fake: FakeTelegram, telegram: TelegramBot, dialogue: Dialogue) -> None:
    oli = Person(fake, telegram, dialogue, 3203, "Oli")
    await oli.press("consent|yes")
    fake.fail("getFile", status=502, description="Bad Gateway", times=3)
    got = texts(await oli.send(photo=fake.photo(lfw_bytes(*GENUINE[0]))))
    assert len(got) == 1 and "again" in got[0].lower(), got
    assert [r.status for r in fake.calls("getFile")][-3:] == [502, 502, 502]
