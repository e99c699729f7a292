"""A global cap on comparisons in hand: over it, an honest "busy" reply, the first photo kept."""

from __future__ import annotations

from bot.dialogue import Dialogue, DialogueConfig, texts
from bot.jobs import JobRunner
from bot.messages import PhotoMessage, Reply, VerificationReply
from bot.services import Answerer
from bot.store.repository import Store
from tests.bot.dialogue_helpers import GENUINE, IMPOSTOR, Chat, HeldHeatmaps, only, photo, texts_of
from tests.conftest import needs_shared

pytestmark = needs_shared


async def test_over_the_cap_a_pair_gets_an_honest_busy_reply_and_keeps_its_first_photo(
        thread_runner: JobRunner, store: Store, answerer: Answerer) -> None:
    held = HeldHeatmaps(thread_runner)
    talk = Dialogue(held, store, answerer,
                    DialogueConfig(consent="on_first_photo", max_comparisons=1))
    ann, bo = Chat(talk, "busy-ann"), Chat(talk, "busy-bo")
    got: list[Reply] = []

    async def collect(reply: Reply) -> None:
        got.append(reply)

    await ann.photos(photo(*GENUINE[0]))
    await talk.handle(PhotoMessage(ann.key, (photo(*GENUINE[1]),)), collect)  # heatmaps held
    assert only(got, VerificationReply).same_person

    await bo.photos(photo(*IMPOSTOR[0]))
    busy = texts_of(await bo.photos(photo(*IMPOSTOR[1])))
    assert busy[-1] == texts.BUSY.format(ahead=1, minutes=1), busy

    held.release.set()
    await talk.idle(ann.key)  # Ann's heatmaps done: room again, Bo's first photo was kept
    assert not only(await bo.photos(photo(*IMPOSTOR[1])), VerificationReply).same_person
    await talk.close()
