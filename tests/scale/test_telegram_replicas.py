"""Two ``facexplain serve telegram --webhook`` replicas (two ports) on one PostgreSQL store (a
fresh schema, made by Alembic) and one Celery queue on Redis (a real worker with the real face
models); a load balancer POSTs each chat's updates to the replicas in turn, three chats at
once. Each person's first photo lands on one replica and the second on the other (the first
face travels through the Redis shelf), the questions and /table alternate too; every reply
arrives once, in order, with the right content, and nothing is left on the shelf."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from bot.dialogue import texts
from tests.adapters.fake_telegram import FakeTelegram, Request
from tests.adapters.telegram_person import GENUINE, IMPOSTOR, lfw_bytes, plain
from tests.conftest import needs_shared
from tests.databases import postgres_skipped
from tests.scale.replicas import (
    assert_stored_once_and_nothing_shelved,
    common_ground,
    finish_all,
    start_all,
)
from tests.scale.telegram_replicas import LoadBalancer, ServeTelegram, telegram_env

pytest.importorskip("celery")
pytestmark = [pytest.mark.redis, pytest.mark.postgres, needs_shared,
              pytest.mark.skipif(postgres_skipped(), reason="PostgreSQL left out")]
QUICK = "tests.scale.jobs:quick_held_engines"  # real models, a tiny saliency grid
PAIRS = [GENUINE, IMPOSTOR, (GENUINE[1], GENUINE[0])]
SUGGESTIONS = "You can ask me, for example:"  # the last reply after the heatmaps
LOST = (texts.NO_PHOTOS_YET, texts.NO_COMPARISON, texts.FIRST_LOST, texts.HEATMAPS_INTERRUPTED,
        texts.ONLY_FIRST_YET)


def replies(fake: FakeTelegram, chat: int) -> list[Request]:
    """What the person sees arrive: new messages and photos (progress edits left out)."""
    return [r for r in fake.delivered(chat) if r.method != "editMessageText"]


def command(fake: FakeTelegram, chat: dict[str, Any], user: dict[str, Any],
            name: str) -> dict[str, Any]:
    return fake.message(chat, user, text=f"/{name}",
                        entities=[{"type": "bot_command", "offset": 0, "length": len(name) + 1}])


class Person:
    def __init__(self, fake: FakeTelegram, balancer: LoadBalancer, number: int) -> None:
        self.fake, self.balancer, self.number = fake, balancer, number
        self.user = fake.user(7000 + number, f"Person{number}")
        self.chat = fake.private_chat(self.user)
        self.replicas: list[int] = []
        self.steps: dict[str, list[str]] = {}

    def seen(self) -> list[str]:
        return [plain(r) for r in replies(self.fake, self.chat["id"])]

    async def send(self, step: str, message: dict[str, Any], *, until: Any,
                   timeout: float = 60.0) -> list[str]:
        """Post the message (to the next replica), wait until ``until(new replies)``; the new
        replies are kept under ``step``."""
        before = len(self.seen())
        update_id = self.fake.push({"message": message})  # the update id the Bot API gives
        self.replicas.append(await self.balancer.post({"update_id": update_id,
                                                       "message": message}, self.number % 2))
        await self.fake.wait_until(lambda: until(self.seen()[before:]), timeout,
                                   f"person {self.number}: {step}")
        self.steps[step] = self.seen()[before:]
        return self.steps[step]

    async def converse(self) -> None:
        fake, chat, user = self.fake, self.chat, self.user
        first, second = PAIRS[self.number]
        await self.send("agree", command(fake, chat, user, "agree"),
                        until=lambda new: texts.CONSENT_THANKS in new)
        await self.send("first photo", fake.message(chat, user, photo=fake.photo(
            lfw_bytes(*first))), until=lambda new: any(t.startswith("Got it") for t in new))
        await self.send("second photo", fake.message(chat, user, photo=fake.photo(
            lfw_bytes(*second))), until=lambda new: SUGGESTIONS in new, timeout=120)
        await self.send("why", fake.message(chat, user, text="why?"),
                        until=lambda new: any("threshold" in t.lower() for t in new))
        await self.send("table", command(fake, chat, user, "table"),
                        until=lambda new: any(t.startswith(texts.TABLE_TITLE) for t in new))
        await self.send("chin", fake.message(chat, user, text="and the chin?"),
                        until=lambda new: any("chin" in t.lower() for t in new))

    def check(self) -> None:
        sent = replies(self.fake, self.chat["id"])
        seen = [plain(r) for r in sent]
        assert [t.startswith("Got it") for t in self.steps["first photo"]] == [True], seen
        decision, *after = [t for t in self.steps["second photo"] if not t.startswith(
            texts.EXPLAINING)]
        same = PAIRS[self.number][0][0] == PAIRS[self.number][1][0]
        verdict = "SAME PERSON" if same else "DIFFERENT PEOPLE"
        assert decision.startswith(f"Decision: {verdict}"), seen
        # the heatmaps (delivered by the replica that decided) follow the decision, once
        assert [t.startswith(texts.COLLAGE_CAPTION[:20]) for t in after[:1]] == [True], seen
        assert [t.split("\n")[0] for t in after[1:]] == [texts.TABLE_TITLE, SUGGESTIONS], seen
        assert len(self.steps["why"]) == 1 and "threshold" in self.steps["why"][0].lower()
        assert [t.startswith(texts.TABLE_TITLE) for t in self.steps["table"]] == [True]
        assert len(self.steps["chin"]) == 1 and "chin" in self.steps["chin"][0].lower()
        assert sum(t.startswith("Decision: ") for t in seen) == 1
        assert sum(r.method == "sendPhoto" for r in sent) == 1
        assert not any(t.startswith(LOST) or "went wrong" in t for t in seen), seen
        assert set(self.replicas) == {0, 1}, self.replicas


async def test_two_webhook_replicas_answer_every_conversation_once_and_in_order(
        redis_url: str, queue: str, markers: Path, tmp_path: Path) -> None:
    ground = common_ground(tmp_path, redis_url, queue, markers)
    workers = ground.workers
    async with FakeTelegram() as fake:
        env = telegram_env(fake, ground.database, redis_url, queue, ground.data)
        replicas = [ServeTelegram(name, env, tmp_path / f"{name}.log") for name in ("a", "b")]
        try:
            worker = workers.start("faces", concurrency=2, context=QUICK)
            await start_all(replicas)
            await asyncio.to_thread(worker.wait_ready, 120)
            balancer = LoadBalancer(replicas)
            people = [Person(fake, balancer, number) for number in range(3)]
            await asyncio.gather(*(person.converse() for person in people))
            for person in people:
                person.check()

            assert_stored_once_and_nothing_shelved(ground.database, redis_url, queue, 3)
        finally:
            statuses = finish_all(replicas)
            workers.stop()
        assert statuses == [0, 0], [r.output[-3000:] for r in replicas]
