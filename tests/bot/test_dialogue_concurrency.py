"""Many conversations at once through worker processes: every reply delivered exactly once and
in order per conversation; a worker killed mid-job fails that one job only."""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest

from bot.composition import build_runner
from bot.dialogue import Dialogue, DialogueConfig, texts
from bot.jobs import ProcessJobRunner, WorkerCrashed
from bot.messages import (
    CommandMessage,
    ConversationKey,
    ImageReply,
    Incoming,
    PhotoMessage,
    ProgressReply,
    Reply,
    TextMessage,
    TextReply,
    VerificationReply,
)
from bot.services import Answerer
from bot.settings import Settings
from bot.store.repository import Store
from tests.bot.dialogue_helpers import (
    GENUINE,
    GENUINE_2,
    IMPOSTOR,
    IMPOSTOR_2,
    TINY_SALIENCY,
    photo,
)
from tests.conftest import needs_shared
from tests.pools import whole_pool

pytestmark = needs_shared
PAIRS = [(GENUINE, True), (IMPOSTOR, False), (GENUINE_2, True), (IMPOSTOR_2, False)]


@pytest.fixture
async def processes(calibrated_settings: Settings) -> AsyncIterator[ProcessJobRunner]:
    runner = build_runner(calibrated_settings, saliency=TINY_SALIENCY, workers=2)
    assert isinstance(runner, ProcessJobRunner)
    await runner.start()
    yield runner
    await runner.close()


@dataclass
class Inbox:
    """What one conversation received, in delivery order."""

    replies: list[Reply] = field(default_factory=list)

    async def __call__(self, reply: Reply) -> None:
        self.replies.append(reply)
        await asyncio.sleep(0)  # a real platform call yields to the loop

    def kinds(self) -> list[str]:
        return [type(r).__name__ for r in self.replies if not isinstance(r, ProgressReply)]


def conversation(n: int) -> tuple[ConversationKey, list[Incoming], bool]:
    (a, b), same = PAIRS[n % len(PAIRS)]
    key = ConversationKey("test", f"chat-{n}", f"user-{n}")
    messages: list[Incoming] = [PhotoMessage(key, (photo(*a),)), PhotoMessage(key, (photo(*b),)),
                                TextMessage(key, "What is the decision?")]
    return key, messages, same


async def drive(talk: Dialogue, count: int) -> dict[ConversationKey, tuple[Inbox, bool]]:
    """Every message of every conversation handed over at once, as an adapter would: one task
    per incoming message, created in arrival order."""
    inboxes: dict[ConversationKey, tuple[Inbox, bool]] = {}
    tasks = []
    plans = [conversation(n) for n in range(count)]
    for step in range(3):
        for key, messages, same in plans:
            inbox = inboxes.setdefault(key, (Inbox(), same))[0]
            tasks.append(asyncio.create_task(talk.handle(messages[step], inbox)))
    await asyncio.gather(*tasks)
    await talk.idle()
    return inboxes


async def test_twenty_conversations_at_once_each_get_every_reply_once_in_order(
    processes: ProcessJobRunner, store: Store, answerer: Answerer
) -> None:
    talk = Dialogue(processes, store, answerer, DialogueConfig(consent="on_first_photo"))
    inboxes = await drive(talk, 20)
    assert len(inboxes) == 20
    every = [id(r) for inbox, _ in inboxes.values() for r in inbox.replies]
    assert len(every) == len(set(every))  # nothing delivered twice
    for inbox, same in inboxes.values():
        assert inbox.kinds() == [
            "TextReply", "TextReply",  # welcome, privacy
            "TextReply",  # got the first photo
            "VerificationReply", "ImageReply", "TableReply", "SuggestionsReply",
            "TextReply",  # the answer, after the heatmaps it waited for
        ]
        result = next(r for r in inbox.replies if isinstance(r, VerificationReply))
        assert result.same_person == same
        answer = inbox.replies[-1]
        assert isinstance(answer, TextReply) and answer.kind == "answer"
        assert ("same person" if same else "different people") in answer.text
        progress = [r for r in inbox.replies if isinstance(r, ProgressReply)]
        assert progress and progress[-1].final
        assert inbox.replies.index(progress[-1]) < inbox.replies.index(
            next(r for r in inbox.replies if isinstance(r, ImageReply)))
    await talk.close()


async def test_a_worker_killed_mid_job_fails_that_conversation_only(
    processes: ProcessJobRunner, store: Store, answerer: Answerer
) -> None:
    talk = Dialogue(processes, store, answerer,
                    DialogueConfig(consent="on_first_photo"))
    plans = [conversation(n) for n in range(100, 104)]
    inboxes = {key: Inbox() for key, _, _ in plans}
    for key, messages, _ in plans:  # everyone sends the first photo
        await talk.handle(messages[0], inboxes[key])
    victim = plans[0][0]
    label = talk.job_label(victim, "explain")
    second = [asyncio.create_task(talk.handle(messages[1], inboxes[key]))
              for key, messages, _ in plans]

    async def started() -> None:  # the victim's heatmaps are being made
        while label not in processes.running():
            await asyncio.sleep(0.002)

    await asyncio.wait_for(started(), timeout=120)
    os.kill(processes.running()[label], signal.SIGKILL)
    await asyncio.gather(*second)
    await talk.idle()

    killed = inboxes[victim]
    assert killed.kinds() == ["TextReply", "TextReply", "TextReply", "VerificationReply",
                              "TextReply"]
    error = killed.replies[-1]
    assert isinstance(error, TextReply) and error.kind == "error"
    assert error.text == texts.EXPLAIN_FAILED.format(message=WorkerCrashed.user_message)
    for key, _, _ in plans[1:]:
        assert inboxes[key].kinds()[-4:] == ["VerificationReply", "ImageReply", "TableReply",
                                             "SuggestionsReply"]
    # the victim can go on: the pool has recovered and its comparison still answers questions
    answer = await talk.replies(TextMessage(victim, "What is the decision?"))
    assert isinstance(answer[0], TextReply) and answer[0].kind == "answer"
    table = await talk.replies(CommandMessage(victim, "table"))
    assert [r.text for r in table if isinstance(r, TextReply)] == [texts.NO_EXPLANATION]
    await whole_pool(processes, 2)  # the dead worker is replaced
    (a, _), _ = PAIRS[0]
    retry = await talk.replies(PhotoMessage(victim, (photo(*a),)))
    assert [r.text for r in retry if isinstance(r, TextReply)] == [
        texts.STARTING_NEXT.format(number=2), "Got it: I found a face. Now send the second photo."]
    await talk.close()
