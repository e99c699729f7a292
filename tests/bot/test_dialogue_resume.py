"""The conversation lives in the store: a restarted bot (a new ``Dialogue`` on the same store)
and an evicted conversation go on with the comparison; what cannot survive is said so."""

from __future__ import annotations

import asyncio
import contextlib

from bot.dialogue import Dialogue, DialogueConfig, texts
from bot.jobs import JobRunner
from bot.messages import (
    ConversationKey,
    ImageReply,
    PhotoMessage,
    Reply,
    TableReply,
    VerificationReply,
)
from bot.services import Answerer
from bot.store.repository import Store
from tests.bot.dialogue_helpers import (
    GENUINE,
    IMPOSTOR,
    Chat,
    HeldHeatmaps,
    only,
    photo,
    texts_of,
)
from tests.conftest import needs_shared

pytestmark = needs_shared


def bot(runner: JobRunner, store: Store, answerer: Answerer, **config: object) -> Dialogue:
    return Dialogue(runner, store, answerer,
                    DialogueConfig(consent="on_first_photo", **config))  # type: ignore[arg-type]


async def compared(chat: Chat, pair: tuple[tuple[str, int], tuple[str, int]]) -> bytes:
    """Both photos; returns the collage the bot sent."""
    await chat.photos(photo(*pair[0]))
    replies = await chat.photos(photo(*pair[1]))
    only(replies, VerificationReply)
    png: bytes = only(replies, ImageReply).png
    return png


async def test_a_restarted_bot_answers_follow_ups_from_the_stored_comparison(
        thread_runner: JobRunner, store: Store, answerer: Answerer) -> None:
    before = bot(thread_runner, store, answerer)
    collage = await compared(Chat(before, "resume-ann"), GENUINE)
    assert texts_of(await Chat(before, "resume-ann").ask("What is the decision?"), "answer")
    await before.close()

    after = bot(thread_runner, store, answerer)  # the restart: nothing in memory
    ann = Chat(after, "resume-ann")
    why = texts_of(await ann.ask("why?"), "answer")
    assert len(why) == 1 and "threshold" in why[0], why
    chin = texts_of(await ann.ask("and the chin?"), "answer")
    assert len(chin) == 1 and "chin" in chin[0], chin
    table = only(await ann.say("/table"), TableReply)
    assert [row[0] for row in table.rows][:2] == ["left eyebrow", "right eyebrow"]
    assert only(await ann.say("/explain"), ImageReply).png == collage
    await after.close()


async def test_an_evicted_conversation_is_read_back_from_the_store(
        thread_runner: JobRunner, store: Store, answerer: Answerer) -> None:
    talk = bot(thread_runner, store, answerer, max_conversations=1)
    bo = Chat(talk, "evict-bo")
    await compared(bo, IMPOSTOR)
    await Chat(talk, "evict-cy").say("/help")  # Bo's idle state leaves memory
    assert all(state.key.user != "evict-bo" for state in talk.states.all())
    nose = texts_of(await bo.ask("What about the nose?"), "answer")
    assert len(nose) == 1 and "nose" in nose[0], nose
    assert texts_of(await bo.ask("How sure are you?"), "answer")
    await talk.close()


async def test_a_restart_before_the_second_photo_is_said_plainly(
        thread_runner: JobRunner, store: Store, answerer: Answerer) -> None:
    before = bot(thread_runner, store, answerer)
    await Chat(before, "lost-di").photos(photo(*GENUINE[0]))
    await before.close()

    after = bot(thread_runner, store, answerer)
    di = Chat(after, "lost-di")
    assert texts_of(await di.photos(photo(*GENUINE[1]))) == [texts.FIRST_LOST]
    again = await di.photos(photo(*GENUINE[0]))
    assert texts_of(again) == ["Got it: I found a face. Now send the second photo."]
    assert only(await di.photos(photo(*GENUINE[1])), VerificationReply).same_person
    await after.close()


async def test_new_and_forget_clear_the_stored_context(
        thread_runner: JobRunner, store: Store, answerer: Answerer) -> None:
    before = bot(thread_runner, store, answerer)
    await compared(Chat(before, "clear-ed"), GENUINE)
    await Chat(before, "clear-ed").say("/new")
    await before.close()
    after = bot(thread_runner, store, answerer)
    ed = Chat(after, "clear-ed")
    assert texts_of(await ed.ask("why?")) == [texts.NO_PHOTOS_YET]

    await compared(ed, IMPOSTOR)
    conversation = after.states.get(ed.key).conversation_id
    assert conversation is not None and store.load_session(conversation) is not None
    await ed.say("/forget")
    assert store.load_session(conversation) is None
    again = bot(thread_runner, store, answerer)
    assert texts_of(await Chat(again, "clear-ed").ask("why?"))[-1] == texts.NO_PHOTOS_YET
    assert store.verify_audit().ok
    await after.close()
    await again.close()


def in_thread(talk: Dialogue, user: str) -> Chat:
    """``user`` in a Slack channel thread everyone in it shares."""
    chat = Chat(talk, user)
    chat.key = ConversationKey("slack", "CRESUME", user, "1700000000.000700", shared=True)
    return chat


async def test_a_shared_thread_first_heard_from_someone_else_goes_on_with_its_comparison(
        thread_runner: JobRunner, store: Store, answerer: Answerer) -> None:
    """Fay started the thread and compared; a restarted bot (or another replica) first hears
    the thread from Gus: both go on with Fay's comparison, and /forget from Gus leaves it."""
    before = bot(thread_runner, store, answerer)
    await compared(in_thread(before, "thread-fay"), GENUINE)
    await before.close()

    after = bot(thread_runner, store, answerer)
    gus, fay = in_thread(after, "thread-gus"), in_thread(after, "thread-fay")
    why = texts_of(await gus.ask("why?"), "answer")
    assert len(why) == 1 and "threshold" in why[0], why
    chin = texts_of(await fay.ask("and the chin?"), "answer")
    assert len(chin) == 1 and "chin" in chin[0], chin
    await gus.say("/forget")  # his question goes; Fay's comparison stays
    assert len(texts_of(await fay.ask("How sure are you?"), "answer")) == 1
    await after.close()


async def test_a_shutdown_during_a_captioned_pairs_heatmaps_leaves_its_decision_stored(
        thread_runner: JobRunner, store: Store, answerer: Answerer) -> None:
    """Two photos with a question (a Slack mention with files, a Telegram caption): the answer
    waits for the heatmaps, and a shutdown cuts both short (its grace spent, the platform
    cancels the message's handling). The decision was already stored: the restart says the
    heatmaps were interrupted and answers about the decision."""
    held = HeldHeatmaps(thread_runner)
    before = bot(held, store, answerer)
    key = ConversationKey("test", "chat-caption-ivy", "caption-ivy")
    seen: list[Reply] = []

    async def collect(reply: Reply) -> None:
        seen.append(reply)

    handling = asyncio.create_task(before.handle(PhotoMessage(
        key, (photo(*GENUINE[0]), photo(*GENUINE[1])), "same person?"), collect))
    async with asyncio.timeout(60):
        while not any(isinstance(r, VerificationReply) for r in seen):
            await asyncio.sleep(0.05)
    await asyncio.sleep(0.2)
    assert not handling.done()  # the caption's answer waits for the heatmaps
    handling.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await handling
    await before.close()  # the heatmaps are cancelled too

    after = bot(thread_runner, store, answerer)  # the restart: nothing in memory
    ivy = Chat(after, "caption-ivy")
    assert texts_of(await ivy.say("/explain")) == [texts.HEATMAPS_INTERRUPTED]
    why = texts_of(await ivy.ask("why?"), "answer")
    assert len(why) == 1 and "threshold" in why[0], why
    await after.close()
