"""Two ``facexplain serve slack --http`` replicas (two ports) on one PostgreSQL store (a fresh
schema, made by Alembic) and one Celery queue on Redis (a real worker with the real face
models); a load balancer POSTs each conversation's signed events to the replicas in turn:
Ann's and Bo's direct messages and Cy's channel thread, at once. Each person's first photo
lands on one replica and the second on the other (the first face travels through the Redis
shelf), the questions and "table" alternate too; every decision, upload and answer arrives
once, in order, with the right content, and nothing is left on the shelf. Dee, in Cy's
thread, is the first the second replica hears of it: it goes on with Cy's thread all the
same, and Dee's questions are answered about Cy's comparison. Slack's retry of
Ann's second photo (the same ``event_id``) goes to the other replica, which drops it: the
store's inbox, not a replica's memory, makes it once."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

from bot.dialogue import texts
from tests.adapters.fake_slack import BOT_USER, TEAM, FakeSlack
from tests.adapters.slack_world import lfw_jpeg, said
from tests.adapters.telegram_person import GENUINE, IMPOSTOR
from tests.conftest import needs_shared
from tests.databases import postgres_skipped
from tests.scale.replicas import (
    assert_stored_once_and_nothing_shelved,
    common_ground,
    finish_all,
    start_all,
)
from tests.scale.slack_replicas import (
    FILE,
    SlackBalancer,
    shown,
    slack_env,
    slack_replica,
    uploaded,
)
from tests.scale.slack_serve import wait_until

pytest.importorskip("celery")
pytestmark = [pytest.mark.redis, pytest.mark.postgres, needs_shared,
              pytest.mark.skipif(postgres_skipped(), reason="PostgreSQL left out")]
QUICK = "tests.scale.jobs:quick_held_engines"  # real models, a tiny saliency grid
SUGGESTIONS = "You can ask me, for example:"  # the last reply after the heatmaps
LOST = tuple(said(t) for t in (texts.NO_PHOTOS_YET, texts.NO_COMPARISON, texts.FIRST_LOST,
                               texts.HEATMAPS_INTERRUPTED, texts.ONLY_FIRST_YET))
# (user, channel, pair, guest): two direct messages, and a thread Cy starts in a channel
# where Dee asks the questions
PEOPLE = [("UANN", "D0ANN", GENUINE, None), ("UBO", "D0BO", IMPOSTOR, None),
          ("UCY", "C0REVIEW", (GENUINE[1], GENUINE[0]), "UDEE")]
_stamps = itertools.count(1)


class Person:
    def __init__(self, fake: FakeSlack, balancer: SlackBalancer, number: int) -> None:
        self.fake, self.balancer, self.number = fake, balancer, number
        self.user, self.channel, self.pair, self.guest = PEOPLE[number]
        self.direct = self.channel.startswith("D")
        self.thread: str | None = None  # the channel thread, once the first mention made it
        self.replicas: dict[str, int] = {}  # step -> the replica that got it
        self.steps: dict[str, list[str]] = {}
        self.retried: tuple[int, str] | None = None  # (replica, event id) of the retry

    def seen(self) -> list[str]:
        return shown(self.fake, (self.channel, self.thread))

    def event(self, words: str, files: Sequence[dict[str, Any]], by: str) -> dict[str, Any]:
        """A direct message (``message.im``), or an @mention in Cy's thread."""
        ts = f"1700000300.{next(_stamps):06d}"
        base = {"user": by, "channel": self.channel, "ts": ts, "team": TEAM}
        if self.direct:
            event = base | {"type": "message", "channel_type": "im", "text": words}
            return event | ({"files": list(files), "subtype": "file_share"} if files else {})
        event = base | {"type": "app_mention", "text": f"<@{BOT_USER}> {words}"}
        if self.thread is not None:
            event["thread_ts"] = self.thread
        return event | ({"files": list(files)} if files else {})

    async def send(self, step: str, words: str = "", files: Sequence[dict[str, Any]] = (), *,
                   until: Callable[[list[str]], bool], timeout: float = 60.0,
                   retry_elsewhere: bool = False, by: str | None = None) -> None:
        """Post the event (``by`` someone else than the person, to the conversation's next
        replica; with ``retry_elsewhere`` its retry to the other one as well), wait until
        ``until(new replies)``; those are kept under ``step``."""
        before = len(self.seen())
        event = self.event(words, files, by or self.user)
        event_id = f"Ev{self.number}{next(_stamps):07d}"
        index = self.balancer.next_for(self.channel, self.number % 2)
        await self.balancer.post(index, event, event_id)
        self.replicas[step] = index
        if retry_elsewhere:  # Slack did not see the ack in time: the same event, elsewhere
            other = 1 - index
            await self.balancer.post(other, event, event_id, retry=1)
            self.retried = (other, event_id)
        if self.thread is None and not self.direct:
            self.thread = event["ts"]  # the first mention starts the thread
            before = 0
        await wait_until(lambda: until(self.seen()[before:]), timeout,
                         f"{self.user}: {step}")
        self.steps[step] = self.seen()[before:]

    async def converse(self) -> None:
        first, second = self.pair
        asker = self.guest or self.user
        await self.send("agree", "agree", until=lambda new: texts.CONSENT_THANKS in new)
        if self.guest:  # the other replica first hears Cy's thread from Dee
            await self.send("guest agree", "agree", by=self.guest,
                            until=lambda new: said(texts.CONSENT_ALREADY) in new)
        await self.send("first photo", files=[self.photo(*first)],
                        until=lambda new: any(t.startswith("Got it") for t in new))
        await self.send("second photo", files=[self.photo(*second)],
                        until=lambda new: any(t.startswith(SUGGESTIONS) for t in new),
                        timeout=120, retry_elsewhere=self.number == 0)
        await self.send("why", "why?", by=asker, until=lambda new: any(
            "threshold" in t.lower() for t in new))
        await self.send("table", "table", until=lambda new: FILE + texts.TABLE_TITLE in new)
        await self.send("chin", "and the chin?", by=asker, until=lambda new: any(
            "chin" in t.lower() for t in new))

    def photo(self, name: str, number: int) -> dict[str, Any]:
        return self.fake.host_file(lfw_jpeg(name, number), f"{name}_{number}.jpg", "image/jpeg")

    def check(self) -> None:
        seen = self.seen()
        assert [t.startswith("Got it") for t in self.steps["first photo"]] == [True], seen
        decision, *after = [t for t in self.steps["second photo"]
                            if not t.startswith(texts.EXPLAINING)]
        same = self.pair[0][0] == self.pair[1][0]
        assert decision.startswith(f"Decision: {'SAME PERSON' if same else 'DIFFERENT PEOPLE'}")
        # the heatmaps (delivered by the replica that decided) follow the decision, once
        assert [t.split("\n")[0] for t in after] == [
            FILE + "heatmaps-1.png", FILE + texts.TABLE_TITLE, SUGGESTIONS], seen
        assert len(self.steps["why"]) == 1 and "threshold" in self.steps["why"][0].lower()
        assert self.steps["table"] == [FILE + texts.TABLE_TITLE], seen
        assert len(self.steps["chin"]) == 1 and "chin" in self.steps["chin"][0].lower()
        assert sum(t.startswith("Decision: ") for t in seen) == 1, seen
        place = (self.channel, self.thread)
        [collage] = uploaded(self.fake, place, "heatmaps")
        assert collage.startswith(b"\x89PNG\r\n\x1a\n")
        first_table, again = uploaded(self.fake, place, texts.TABLE_TITLE)
        assert first_table == again and b"Mean" in first_table
        assert not any(t.startswith(LOST) or "went wrong" in t for t in seen), seen
        photos = self.replicas["first photo"], self.replicas["second photo"]
        assert photos[0] != photos[1], self.replicas  # each photo on its own replica
        if self.guest:  # Dee, not Cy, was the first the other replica heard of the thread
            assert self.steps["guest agree"] == [said(texts.CONSENT_ALREADY)], seen
            assert self.replicas["guest agree"] != self.replicas["agree"], self.replicas


async def test_two_slack_http_replicas_answer_every_conversation_once_and_in_order(
        redis_url: str, queue: str, markers: Path, tmp_path: Path) -> None:
    ground = common_ground(tmp_path, redis_url, queue, markers)
    workers = ground.workers
    fake = await FakeSlack().start()
    env = slack_env(ground.data, ground.database, redis_url, queue)
    replicas = [slack_replica(fake, env, tmp_path / f"{name}.log") for name in ("a", "b")]
    try:
        worker = workers.start("faces", concurrency=2, context=QUICK)
        await start_all(replicas)
        await asyncio.to_thread(worker.wait_ready, 120)
        balancer = SlackBalancer(replicas)
        people = [Person(fake, balancer, number) for number in range(len(PEOPLE))]
        await asyncio.gather(*(person.converse() for person in people))
        for person in people:
            person.check()

        assert people[0].retried is not None  # the retry reached the other replica: dropped
        other, event_id = people[0].retried
        await wait_until(lambda: f"dropped retry 1 of event {event_id}" in replicas[
            other].output, 10, "the other replica to drop the retry")
        assert_stored_once_and_nothing_shelved(ground.database, redis_url, queue, 3)
    finally:
        statuses = finish_all(replicas)
        workers.stop()
        await fake.stop()
    assert statuses == [0, 0], [r.output[-3000:] for r in replicas]
