"""Whole conversations through the service ``build_service`` builds, on the fakes of
``tests/fakes.py`` (fake face models in the real pipeline, a real SQLite store, the real QA
engine on a hashing encoder): no ../shared needed. The real-model versions are test_dialogue*."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.composition import Service
from bot.dialogue import texts
from bot.messages import (
    ButtonPress,
    CommandMessage,
    ConversationKey,
    ImageReply,
    Incoming,
    Photo,
    ProgressReply,
    Reply,
    SuggestionsReply,
    TableReply,
    TextReply,
    VerificationReply,
)
from bot.store.port import AlreadyReviewed, UnknownRecord
from tests.bot.dialogue_helpers import Chat, only, texts_of
from tests.fakes import InlineRunner, fake_service, person_photo, sky_photo


def shot(person: int, number: int) -> Photo:
    return Photo(person_photo(person, number), f"person{person}_{number}.jpg", "image/jpeg")


@pytest.fixture
async def service(tmp_path: Path) -> AsyncIterator[Service]:
    talk = fake_service(tmp_path, consent="ask")
    await talk.start()
    yield talk
    await talk.close()


async def test_from_hello_to_the_decision_the_heatmaps_and_answers(service: Service) -> None:
    alice = Chat(service.dialogue, "alice")
    hello = await alice.say("/start")
    assert texts_of(hello) == [texts.WELCOME, texts.PRIVACY]
    assert texts_of(await alice.send(ButtonPress(alice.key, "consent", "yes"))) == [
        texts.CONSENT_THANKS]

    assert texts_of(await alice.photos(shot(3, 1))) == [
        "Got it: I found a face. Now send the second photo."]
    second = await alice.photos(shot(3, 2))
    result = only(second, VerificationReply)
    assert result.same_person and result.score > 0.9 > result.threshold
    assert "Decision: SAME PERSON" in result.text and result.comparison_id is not None
    assert [type(r).__name__ for r in second][-3:] == ["ImageReply", "TableReply",
                                                        "SuggestionsReply"]
    assert [r for r in second if isinstance(r, ProgressReply)][-1].final
    assert only(second, ImageReply).png.startswith(b"\x89PNG")
    table = only(second, TableReply)
    assert [row[0] for row in table.rows][:2] == ["left eyebrow", "right eyebrow"]
    assert only(second, SuggestionsReply).questions

    decision = texts_of(await alice.ask("What is the decision?"), "answer")
    assert len(decision) == 1 and "same person" in decision[0]
    assert isinstance(service.runner, InlineRunner)
    assert service.runner.jobs_run == ["prepare_job", "verify_job", "explain_job"]


async def test_two_people_no_face_and_a_photo_over_the_limit(service: Service) -> None:
    bob = Chat(service.dialogue, "bob")
    await bob.send(ButtonPress(bob.key, "consent", "yes"))
    result = only(await bob.photos(shot(4, 1), shot(9, 1)), VerificationReply)
    assert not result.same_person and result.score < result.threshold
    assert "Decision: DIFFERENT PEOPLE" in result.text

    sky = await bob.photos(Photo(sky_photo(), "sky.jpg", "image/jpeg"))
    assert any("could not find a face" in t for t in texts_of(sky, "error")), sky

    limit = service.dialogue.parts.config.max_photo_bytes
    huge = Photo(b"\xff\xd8\xff" + b"\0" * limit, "huge.jpg", "image/jpeg")
    refused = texts_of(await bob.photos(huge), "error")
    assert len(refused) == 1 and refused[0].startswith("Photo 1: ")
    assert f"{limit // (1024 * 1024)} MB" in refused[0]  # the configured limit, in the text


async def test_forget_deletes_what_the_store_kept(service: Service) -> None:
    carol = Chat(service.dialogue, "carol")
    await carol.send(ButtonPress(carol.key, "consent", "yes"))
    only(await carol.photos(shot(5, 1), shot(5, 3)), VerificationReply)
    gone = texts_of(await carol.say("/forget"))
    assert len(gone) == 1 and gone[0].startswith(texts.FORGOTTEN[:20])
    assert not service.store.forget_user("test", "carol").found  # nothing left of carol
    hello = texts_of(await carol.say("Hi"))
    assert hello[:2] == [texts.WELCOME, texts.PRIVACY]  # a stranger again: consent anew


async def test_a_review_goes_through_the_dialogue_once_per_reviewer(service: Service) -> None:
    dan = Chat(service.dialogue, "dan", chat="review-room")
    await dan.send(ButtonPress(dan.key, "consent", "yes"))
    decided = only(await dan.photos(shot(6, 1), shot(6, 2)), VerificationReply)
    number = decided.comparison_id
    eve = Chat(service.dialogue, "eve", chat="review-room").key
    await service.dialogue.review(eve, number, "confirm", "  looks right  ")
    with pytest.raises(AlreadyReviewed):
        await service.dialogue.review(eve, number, "reject")
    await service.dialogue.review(dan.key, number, "escalate")  # another reviewer may
    assert service.store.forget_user("test", "eve").deleted["reviews"] == 1
    with pytest.raises(UnknownRecord):
        await service.dialogue.review(eve, 999_999, "confirm")


async def test_why_right_after_the_decision_is_about_the_decision(service: Service) -> None:
    bo = Chat(service.dialogue, "bo")
    await bo.send(ButtonPress(bo.key, "consent", "yes"))
    await bo.photos(shot(4, 1))
    await bo.photos(shot(5, 1))
    why = texts_of(await bo.ask("why?"), "answer")
    assert len(why) == 1 and "threshold" in why[0]
    assert "confident" in texts_of(await bo.ask("really?"), "answer")[0]
    assert "PIC" in texts_of(await bo.ask("tell me more"), "answer")[0]


async def test_a_conversations_messages_are_answered_in_arrival_order(service: Service) -> None:
    """The dialogue alone orders a conversation: three messages arrive at once, the first still
    being prepared (a photo downloading, an album collecting); the second, whole at once, and
    the third's notice (a file it could not read) wait their turn, while another conversation
    is answered meanwhile."""
    talk = service.dialogue
    ann, bob = ConversationKey("test", "chat-ann", "ann"), ConversationKey("test", "c-bob", "bob")
    heard: list[Reply] = []
    downloaded = asyncio.Event()

    async def sink(reply: Reply) -> None:
        heard.append(reply)

    async def downloading(say: object) -> Incoming:
        await downloaded.wait()
        return CommandMessage(ann, "privacy")

    async def unreadable(say: object) -> None:
        assert callable(say)
        await say(TextReply("I could not read that file.", "error"))

    arrivals = [asyncio.create_task(talk.turn(ann, sink, downloading)),
                asyncio.create_task(talk.handle(CommandMessage(ann, "help"), sink)),
                asyncio.create_task(talk.turn(ann, sink, unreadable))]
    assert texts_of(await talk.replies(CommandMessage(bob, "help"))) == [texts.HELP]
    assert heard == [] and not any(task.done() for task in arrivals)
    downloaded.set()
    await asyncio.wait_for(asyncio.gather(*arrivals), timeout=30)
    assert texts_of(heard) == [texts.PRIVACY, texts.HELP, "I could not read that file."]
