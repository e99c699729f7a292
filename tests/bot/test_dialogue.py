"""Whole conversations through ``Dialogue.handle`` with the real models, store and QA engine."""

from __future__ import annotations

import asyncio

import pytest

from bot.dialogue import Dialogue, texts
from bot.messages import (
    ButtonPress,
    ButtonsReply,
    ImageReply,
    ProgressReply,
    SuggestionsReply,
    TableReply,
    VerificationReply,
)
from bot.store.repository import Store
from tests.bot.dialogue_helpers import (
    GENUINE,
    IMPOSTOR,
    IMPOSTOR_2,
    PDF,
    Chat,
    flat_photo,
    only,
    photo,
    texts_of,
    two_faces_photo,
)
from tests.conftest import needs_shared

pytestmark = needs_shared


async def test_the_happy_path_from_hello_to_follow_up_questions(dialogue: Dialogue) -> None:
    alice = Chat(dialogue, "alice")

    hello = await alice.say("/start")
    assert texts_of(hello) == [texts.WELCOME, texts.PRIVACY]
    assert only(hello, ButtonsReply).buttons == (("I agree", "consent", "yes"),)

    agreed = await alice.send(ButtonPress(alice.key, "consent", "yes"))
    assert texts_of(agreed) == [texts.CONSENT_THANKS]

    first = await alice.photos(photo(*GENUINE[0]))
    assert texts_of(first) == ["Got it: I found a face. Now send the second photo."]

    second = await alice.photos(photo(*GENUINE[1]))
    result = only(second, VerificationReply)
    assert result.same_person and result.score >= result.threshold
    assert result.faces_found == (1, 1) and result.comparison_id is not None
    assert "Decision: SAME PERSON" in result.text and "PIC-score" in result.text
    kinds = [type(r).__name__ for r in second]
    # the decision first, then progress, then the heatmaps, the table and suggested questions
    assert kinds[0] == "VerificationReply"
    assert kinds[-3:] == ["ImageReply", "TableReply", "SuggestionsReply"]
    progress = [r for r in second if isinstance(r, ProgressReply)]
    assert progress[0].text == texts.EXPLAINING and progress[-1].final
    collage = only(second, ImageReply)
    assert collage.png.startswith(b"\x89PNG") and len(collage.png) > 10_000
    table = only(second, TableReply)
    assert [row[0] for row in table.rows][:2] == ["left eyebrow", "right eyebrow"]
    assert table.columns == ("Region", "S0-", "S1-", "S0+", "S1+", "AVG", "Mean", "Ratio of 1s")
    assert "Most important:" in table.text

    decision = texts_of(await alice.ask("What is the decision?"), "answer")
    assert len(decision) == 1 and "same person" in decision[0]
    why = texts_of(await alice.ask("Why?"), "answer")  # a follow-up: about the decision
    assert len(why) == 1 and "threshold" in why[0], why
    sure = texts_of(await alice.ask("How sure are you?"), "answer")
    assert len(sure) == 1 and "%" in sure[0]
    nose = texts_of(await alice.ask("What is the importance of the nose?"), "answer")
    assert len(nose) == 1 and "nose" in nose[0]
    evidence = texts_of(await alice.say("/why"))
    assert evidence == ['The answer to "What is the importance of the nose?" came from: the '
                        'region table (nose, both photos).']

    again = await alice.say("/explain")
    assert only(again, ImageReply).png == collage.png
    assert only(await alice.say("/table"), TableReply).text == table.text
    assert texts_of(await alice.say("/describe")) == [texts.NO_DESCRIPTIONS]


async def test_two_photos_at_once_then_a_new_comparison(dialogue: Dialogue, store: Store) -> None:
    bob = Chat(dialogue, "bob")
    await bob.say("/agree")
    impostor = await bob.photos(photo(*IMPOSTOR[0]), photo(*IMPOSTOR[1]))
    result = only(impostor, VerificationReply)
    assert not result.same_person and "Decision: DIFFERENT PEOPLE" in result.text
    assert isinstance(impostor[-1], SuggestionsReply)

    next_one = await bob.photos(photo(*GENUINE[0]))
    assert texts_of(next_one) == [texts.STARTING_NEXT.format(number=2),
                                  "Got it: I found a face. Now send the second photo."]
    assert only(await bob.photos(photo(*GENUINE[1])), VerificationReply).same_person
    answer = texts_of(await bob.ask("What is the decision?"), "answer")[0]
    assert "same person" in answer  # about the new comparison, not the first one


async def test_bad_inputs_and_wrong_order_each_get_a_helpful_reply(dialogue: Dialogue) -> None:
    carol = Chat(dialogue, "carol")
    greeting = await carol.ask("is this the same guy?")  # a question before anything
    assert texts_of(greeting)[-1] == texts.NO_PHOTOS_YET
    assert texts_of(await carol.say("/frobnicate")) == [
        "I don't know the command /frobnicate. Send /help to see what I can do."]
    assert texts_of(await carol.say("/explain")) == [texts.NO_COMPARISON]

    held = await carol.photos(photo(*GENUINE[0]))  # before consent: held, not processed
    assert only(held, ButtonsReply).text == texts.CONSENT_NEEDED
    released = await carol.say("/agree")
    assert texts_of(released) == ["Got it: I found a face. Now send the second photo."]
    assert texts_of(await carol.ask("and?")) == [texts.ONLY_FIRST_YET]

    pdf = await carol.photos(PDF)
    assert texts_of(pdf, "error")[0].startswith("Photo 2: That file is a PDF document, not a photo")
    assert texts_of(pdf)[-1] == texts.KEEPING_FIRST
    no_face = await carol.photos(flat_photo())
    assert texts_of(no_face, "error")[0].startswith("Photo 2: I could not find a face")

    three = await carol.photos(photo(*GENUINE[0]), photo(*GENUINE[1]), flat_photo())
    assert texts_of(three) == [texts.TOO_MANY_PHOTOS.format(count=3)]

    two = await carol.photos(two_faces_photo())  # the second photo: two faces, largest used
    result = only(two, VerificationReply)
    assert result.faces_found == (1, 2) and result.same_person
    assert "Photo 2: 2 faces found (I used the largest)" in result.text

    await carol.say("/new")
    first_bad = await carol.photos(PDF)
    assert texts_of(first_bad, "error")[0].startswith("Photo 1: That file is a PDF document, not a photo")
    multi = await carol.photos(two_faces_photo())
    assert texts_of(multi)[0].startswith("Got it: I found 2 faces and will use the largest one")


async def test_a_third_photo_while_the_heatmaps_are_made_is_not_used(dialogue: Dialogue) -> None:
    dave = Chat(dialogue, "dave")
    await dave.say("/agree")
    await dave.photos(photo(*GENUINE[0]))
    sent: list[object] = []

    async def collect(reply: object) -> None:
        sent.append(reply)

    from bot.messages import PhotoMessage

    await dialogue.handle(PhotoMessage(dave.key, (photo(*GENUINE[1]),)), collect)
    third = await dave.photos(photo(*IMPOSTOR[0]))  # the heatmaps are still being made
    assert texts.STILL_EXPLAINING in texts_of(third)
    await dialogue.idle(dave.key)
    assert [type(r).__name__ for r in sent][-3:] == ["ImageReply", "TableReply", "SuggestionsReply"]
    assert only(await dave.say("/explain"), ImageReply)  # the comparison is intact


async def test_new_while_the_heatmaps_are_made_stops_them(dialogue: Dialogue) -> None:
    ivan = Chat(dialogue, "ivan")
    await ivan.say("/agree")
    await ivan.photos(photo(*GENUINE[0]))
    sent: list[object] = []

    async def collect(reply: object) -> None:
        sent.append(reply)

    from bot.messages import PhotoMessage

    await dialogue.handle(PhotoMessage(ivan.key, (photo(*GENUINE[1]),)), collect)
    stopped = await ivan.say("/new")
    assert texts_of(stopped) == [texts.NEW_STARTED]
    assert only(stopped, ProgressReply).final  # the status message is closed
    await dialogue.idle(ivan.key)
    assert not any(isinstance(r, ImageReply) for r in sent)  # its result was dropped
    assert texts_of(await ivan.say("/explain")) == [texts.NO_COMPARISON]


async def test_forget_deletes_everything_and_starts_afresh(dialogue: Dialogue, store: Store) -> None:
    erin = Chat(dialogue, "erin")
    await erin.say("/agree")
    await erin.photos(photo(*IMPOSTOR[0]), photo(*IMPOSTOR[1]))
    await erin.ask("What is the decision?")
    user_id = store.ensure_user("test", "erin")
    conversation = store.find_conversation(user_id, "chat-erin")
    assert conversation is not None and len(store.history(conversation.id)) == 1

    forgot = texts_of(await erin.say("/forget"))
    assert len(forgot) == 1 and forgot[0].startswith("Done: I deleted everything")
    assert "1 comparison," in forgot[0] and "1 turn," in forgot[0]
    assert store.find_conversation(store.ensure_user("test", "erin"), "chat-erin") is None
    assert store.verify_audit().ok

    after = await erin.ask("What is the decision?")
    assert texts_of(after)[0] == texts.WELCOME and texts_of(after)[-1] == texts.NO_PHOTOS_YET
    assert texts_of(await erin.say("/explain"))[-1] == texts.NO_COMPARISON


async def test_two_users_interleaved_never_see_each_other(dialogue: Dialogue, store: Store) -> None:
    frank, grace = Chat(dialogue, "frank", "group-1"), Chat(dialogue, "grace", "group-1")
    await asyncio.gather(frank.say("/agree"), grace.say("/agree"))
    await asyncio.gather(frank.photos(photo(*GENUINE[0])), grace.photos(photo(*IMPOSTOR_2[0])))
    f_result, g_result = await asyncio.gather(frank.photos(photo(*GENUINE[1])),
                                              grace.photos(photo(*IMPOSTOR_2[1])))
    assert only(f_result, VerificationReply).same_person
    assert not only(g_result, VerificationReply).same_person
    f_answer, g_answer = await asyncio.gather(frank.ask("What is the decision?"),
                                              grace.ask("What is the decision?"))
    assert "same person" in texts_of(f_answer, "answer")[0]
    assert "different people" in texts_of(g_answer, "answer")[0]
    f_score = only(f_result, VerificationReply).score
    g_score = only(g_result, VerificationReply).score
    f_sim, g_sim = await asyncio.gather(frank.ask("What is the similarity score?"),
                                        grace.ask("What is the similarity score?"))
    assert f"{f_score:.2f}"[:3] in texts_of(f_sim, "answer")[0]
    assert f"{g_score:.2f}"[:3] in texts_of(g_sim, "answer")[0]
    for user, asked in (("frank", 2), ("grace", 2)):
        conversation = store.find_conversation(store.ensure_user("test", user), "group-1")
        assert conversation is not None
        assert len(store.history(conversation.id)) == asked

    await grace.say("/forget")
    still = texts_of(await frank.ask("What is the decision?"), "answer")
    assert "same person" in still[0]  # grace forgetting leaves frank's conversation alone


@pytest.mark.parametrize("consent", ["on_first_photo"])
async def test_consent_on_first_photo_is_recorded_before_processing(
    dialogue: Dialogue, store: Store, consent: str
) -> None:
    from bot.dialogue import DialogueConfig

    quick = Dialogue(dialogue.parts.runner, store, dialogue.parts.answerer,
                     DialogueConfig(consent="on_first_photo", explain=False))
    heidi = Chat(quick, "heidi")
    first = await heidi.photos(photo(*GENUINE[0]))
    assert texts_of(first)[:2] == [texts.WELCOME, f"{texts.PRIVACY}\n{texts.CONSENT_IMPLIED}"]
    assert texts_of(first)[-1].startswith("Got it")
    conversation = store.find_conversation(store.ensure_user("test", "heidi"), "chat-heidi")
    assert conversation is not None and conversation.consent_given_at is not None
    second = await heidi.photos(photo(*GENUINE[1]))
    assert isinstance(second[0], VerificationReply) and isinstance(second[-1], SuggestionsReply)
    assert not any(isinstance(r, ImageReply) for r in second)  # explain=False: no heatmaps
