"""Whole Telegram conversations: the real python-telegram-bot client (long polling, HTTP)
against the fake Bot API server, on the real dialogue with the real models from ../shared.
Every assertion is on what the fake server received."""

from __future__ import annotations

from adapters.telegram.service import TelegramBot
from bot.dialogue import Dialogue
from bot.dialogue import texts as said
from bot.store.repository import Store
from tests.adapters.fake_telegram import FakeTelegram
from tests.adapters.telegram_person import (
    GENUINE,
    IMPOSTOR,
    PDF,
    Person,
    faceless_jpeg,
    lfw_bytes,
    texts,
)
from tests.conftest import needs_shared

pytestmark = needs_shared
GOT_FIRST = "Got it: I found a face. Now send the second photo."


async def test_two_photos_give_the_decision_collage_table_and_answers(
        fake: FakeTelegram, telegram: TelegramBot, dialogue: Dialogue, store: Store) -> None:
    ann = Person(fake, telegram, dialogue, 1001, "Ann_<*b*>")
    menu = fake.calls("setMyCommands")
    assert len(menu) == 1 and [c["command"] for c in menu[0].params["commands"]] == [
        "start", "help", "new", "explain", "table", "describe", "why", "forget", "privacy"]

    hello = await ann.say("/start")
    assert texts(hello) == [said.WELCOME, said.PRIVACY, said.CONSENT_ASK]
    assert all(r.params["parse_mode"] == "HTML" for r in hello)
    assert hello[2].params["reply_markup"] == {
        "inline_keyboard": [[{"text": "I agree", "callback_data": "consent|yes"}]]}

    assert texts(await ann.press("consent|yes")) == [said.CONSENT_THANKS]
    assert len(fake.calls("answerCallbackQuery")) == 1

    sizes = fake.photo(lfw_bytes(*GENUINE[0]))
    assert texts(await ann.send(photo=sizes)) == [GOT_FIRST]
    assert fake.downloads == [f"files/file_{sizes[1]['file_id'].split('-')[1]}.jpg"]  # largest

    second = lfw_bytes(*GENUINE[1])  # sent as a file (uncompressed), not as a photo
    result = await ann.send(document=fake.document(second, "Abel_Pacheco.jpg", "image/jpeg"))
    decision = result[0]
    assert decision.method == "sendMessage"
    assert decision.text.startswith("<b>Decision: SAME PERSON</b>\nConfidence: ")
    status = result[1]
    assert status.method == "sendMessage" and status.text == said.EXPLAINING
    edits = [r for r in result if r.method == "editMessageText"]
    assert edits and all(e.params["message_id"] == status.result["message_id"] for e in edits)
    assert edits[-1].text == said.EXPLAIN_DONE
    assert [r.method for r in result[-3:]] == ["sendPhoto", "sendMessage", "sendMessage"]
    collage, table, suggestions = result[-3:]
    assert collage.files["photo"].startswith(b"\x89PNG") and collage.text == said.COLLAGE_CAPTION
    assert table.text.startswith(f"<b>{said.TABLE_TITLE}</b>\n<pre>")
    assert "eyebrow" in table.text and "Mean" in table.text and table.text.endswith("</pre>")
    keyboard = suggestions.params["reply_markup"]
    assert [row[0]["text"] for row in keyboard["keyboard"]] == list(said.SUGGESTED_QUESTIONS)
    assert keyboard["one_time_keyboard"] is True
    assert len(result) == 2 + len(edits) + 3  # decision, status + edits, collage, table, buttons

    for question, expected in (("What is the decision?", "same person"),
                               (said.SUGGESTED_QUESTIONS[0], "threshold"),  # a button tap
                               ("How sure are you?", "%")):
        answer = texts(await ann.say(question))
        assert expected in answer[0], (question, answer)
        assert all(a == "You can ask me, for example:" for a in answer[1:])
    conversation = store.find_conversation(store.ensure_user("telegram", "1001"), "1001")
    assert conversation is not None and len(store.history(conversation.id)) == 3  # once each

    forgot = texts(await ann.say("/forget"))
    assert len(forgot) == 1 and forgot[0].startswith("Done: I deleted everything")
    assert len(fake.downloads) == 2 and all(r.status == 200 for r in fake.requests)


async def test_an_album_is_one_comparison_and_what_follows_waits_for_it(
        fake: FakeTelegram, telegram: TelegramBot, dialogue: Dialogue) -> None:
    bo = Person(fake, telegram, dialogue, 1002, "Bo")
    await bo.say("/start")
    assert texts(await bo.say("/agree")) == [said.CONSENT_THANKS]
    a, b = lfw_bytes(*IMPOSTOR[0]), lfw_bytes(*IMPOSTOR[1])
    parts = [fake.push_message(bo.chat, bo.user, photo=fake.photo(p), media_group_id="77")
             for p in (a, b)]
    table_please = fake.push_message(bo.chat, bo.user, text="/table")  # right behind the album
    replies = await bo.settle(*parts, table_please)
    decisions = [r for r in replies if r.text.startswith("<b>Decision:")]
    assert len(decisions) == 1 and "DIFFERENT PEOPLE" in decisions[0].text
    assert len(fake.downloads) == 2 and len([r for r in replies if r.method == "sendPhoto"]) == 1
    tables = [r for r in replies if r.text.startswith(f"<b>{said.TABLE_TITLE}</b>")]
    assert len(tables) == 2  # the comparison's own table, then the one /table asked for
    assert replies.index(decisions[0]) < replies.index(tables[0]) < replies.index(tables[1])
    assert replies[-1] == tables[1]


async def test_files_that_are_not_photos_too_large_or_faceless_are_refused_kindly(
        fake: FakeTelegram, telegram: TelegramBot, dialogue: Dialogue) -> None:
    cy = Person(fake, telegram, dialogue, 1003, "Cy")
    await cy.say("/start")
    await cy.say("/agree")

    pdf = texts(await cy.send(document=fake.document(PDF, "scan.pdf", "application/pdf")))
    assert len(pdf) == 1 and pdf[0].startswith("Photo 1: That file is") and "not a photo" in pdf[0]

    downloads_before = len(fake.downloads)
    huge = fake.document(b"\xff\xd8\xff" + bytes(30 * 1024 * 1024), "huge.jpg", "image/jpeg")
    too_big = texts(await cy.send(document=huge))
    assert too_big == ["That photo is too large: I accept photos up to 10 MB (the configured "
                       "limit). Please send a smaller or more compressed photo."]
    assert len(fake.downloads) == downloads_before  # refused from the declared size alone
    assert not [r for r in fake.calls("getFile") if r.params["file_id"] == huge["file_id"]]
    liar = fake.document(b"\xff\xd8\xff" + bytes(11 * 1024 * 1024), "small.jpg", "image/jpeg",
                         size=20_000, chunked=True)  # claims 20 KB, sends 11 MB, no length
    assert texts(await cy.send(document=liar)) == too_big  # the transfer was cut off
    assert len(fake.downloads) == downloads_before + 1

    no_face = texts(await cy.send(photo=fake.photo(faceless_jpeg())))
    assert len(no_face) == 1 and no_face[0].startswith("Photo 1: I could not find a face")
    assert texts(await cy.send(photo=fake.photo(lfw_bytes(*GENUINE[0])))) == [GOT_FIRST]


async def test_in_a_group_the_bot_answers_only_when_mentioned_or_replied_to(
        fake: FakeTelegram, telegram: TelegramBot, dialogue: Dialogue) -> None:
    group = fake.group_chat(-100500)
    dee = Person(fake, telegram, dialogue, 1004, "Dee", chat=group)
    assert await dee.say("lunch anyone?") == []  # not for the bot: ignored
    mention = "@facexplain_test_bot"
    asked = await dee.say(f"{mention} what do you do?",
                          entities=[{"type": "mention", "offset": 0, "length": len(mention)}])
    assert texts(asked)[0] == said.WELCOME and texts(asked)[-1] == said.NO_PHOTOS_YET
    quoted = {r.params["reply_parameters"]["message_id"] for r in asked}
    assert len(quoted) == 1  # every reply quotes the message it answers
    bot_said = fake.bot_message(group, said.NO_PHOTOS_YET)
    assert texts(await dee.send(text="and now?", reply_to_message=bot_said)) == [
        said.NO_PHOTOS_YET]
    assert texts(await dee.say(f"/help{mention}")) == [said.HELP]
    assert await dee.say("/help@some_other_bot") == []
