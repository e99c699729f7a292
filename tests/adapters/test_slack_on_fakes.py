"""A whole Slack conversation with no ../shared: the real slack-bolt/slack_sdk clients against
the fake Slack, on the service ``build_service`` builds with the fakes of ``tests/fakes.py``.
The real-model versions are in test_slack_conversation."""

from __future__ import annotations

import json

from bot.dialogue import texts
from tests.adapters.slack_world import DM, SlackWorld, buttons, header, said, with_button
from tests.fakes import person_photo, sky_photo


async def test_a_direct_message_from_consent_to_the_decision_questions_and_forget(
        slack_fakes: SlackWorld) -> None:
    world, alice = slack_fakes, "UALICE"
    await world.http_event(world.message(alice, "hi"))
    await world.settle()
    consent = with_button(world.posts(), "I agree")
    await world.http_action(world.press(alice, consent["ts"], buttons(consent)["I agree"]))
    await world.settle()
    assert world.texts() == [said(texts.WELCOME), said(texts.PRIVACY), said(texts.CONSENT_ASK),
                             said(texts.NO_PHOTOS_YET), said(texts.CONSENT_THANKS)]

    shared = [world.fake.host_file(person_photo(2, 1), "ana-1.jpg", "image/jpeg"),
              world.fake.host_file(person_photo(2, 5), "ana-2.jpg", "image/jpeg")]
    before = len(world.posts())
    assert await world.http_event(world.message(alice, "", files=shared)) == 200
    await world.settle()
    decision, status, suggestions = world.posts()[before:]
    assert header(decision).startswith(":white_check_mark: Same person · confidence ")
    assert status["text"] == texts.EXPLAINING
    assert world.fake.to("chat.update")[-1].args["text"] == texts.EXPLAIN_DONE
    assert list(buttons(suggestions)) == list(texts.SUGGESTED_QUESTIONS)
    done = world.fake.to("files.completeUploadExternal")
    assert [c.args["channel_id"] for c in done] == [DM, DM]
    collage, table = (world.fake.uploads[json.loads(c.args["files"])[0]["id"]] for c in done)
    assert collage.startswith(b"\x89PNG")
    assert table.decode().splitlines()[0].startswith("Region")

    before = len(world.posts())
    await world.http_event(world.message(alice, "What is the decision?"))
    await world.settle()
    assert "same person" in world.texts()[before].lower()

    other = world.fake.host_file(sky_photo(), "sky.jpg", "image/jpeg")
    await world.http_event(world.message(alice, "", files=[other]))
    await world.settle()
    assert world.texts()[-1].endswith(
        "I could not find a face in that photo. Please send a clear photo where the face is "
        "visible, well lit and facing the camera.")

    await world.http_event(world.message(alice, "forget"))
    await world.settle()
    assert world.texts()[-1].startswith("Done: I deleted everything I had stored about you")
    assert world.store.forget_user("slack", alice).found is False
    assert world.fake.refused == []
