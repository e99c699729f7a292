"""Whose data /forget removes in a shared thread: the requester's comparisons, questions,
verdicts and identity; other people's questions and verdicts stay (a verdict on a forgotten
comparison keeps the fact that it was reviewed, with no comparison)."""

from __future__ import annotations

from sqlalchemy import select

from bot.dialogue import Dialogue, DialogueConfig
from bot.jobs import JobRunner
from bot.messages import ConversationKey, VerificationReply
from bot.services import Answerer
from bot.store.models import Review
from bot.store.repository import Store
from tests.bot.dialogue_helpers import GENUINE, Chat, only, photo, texts_of
from tests.conftest import needs_shared

pytestmark = needs_shared


def in_thread(talk: Dialogue, user: str) -> Chat:
    chat = Chat(talk, user)
    chat.key = ConversationKey("slack", "CREVIEW", user, "1700000000.000100", shared=True)
    return chat


def verdicts(store: Store) -> list[tuple[int | None, str]]:
    with store._read() as session:
        rows = session.scalars(select(Review).order_by(Review.id)).all()
        return [(row.comparison_id, row.verdict) for row in rows]


async def test_forget_in_a_shared_thread_removes_the_requesters_data_only(
        thread_runner: JobRunner, store: Store, answerer: Answerer) -> None:
    talk = Dialogue(thread_runner, store, answerer, DialogueConfig(consent="on_first_photo"))
    ann, bo, cy = (in_thread(talk, name) for name in ("shared-ann", "shared-bo", "shared-cy"))
    await ann.photos(photo(*GENUINE[0]))
    decided = only(await ann.photos(photo(*GENUINE[1])), VerificationReply)
    number = decided.comparison_id
    assert texts_of(await bo.ask("How sure are you?"), "answer")
    assert texts_of(await ann.ask("What is the decision?"), "answer")
    await talk.review(bo.key, number, "confirm")
    await talk.review(cy.key, number, "reject", "looks off")
    before = len(verdicts(store))

    await ann.say("/forget")
    assert store.get_comparison(number) is None  # Ann's comparison and her questions went
    assert store.forget_user("slack", "shared-ann").found is False
    kept = verdicts(store)[before - 2:]
    assert kept == [(None, "confirm"), (None, "reject")]  # reviewed, no personal data left
    bo_id = store.ensure_user("slack", "shared-bo")
    bo_conversation = store.find_conversation(bo_id, "CREVIEW", "1700000000.000100")
    assert bo_conversation is not None
    assert [t.question for t in store.history(bo_conversation.id)] == ["How sure are you?"]

    await bo.say("/forget")  # Bo's own question and verdict; Cy's verdict stays
    assert verdicts(store)[before - 2:] == [(None, "reject")]
    assert store.verify_audit().ok
    await talk.close()
