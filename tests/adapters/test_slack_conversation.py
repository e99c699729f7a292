"""Whole Slack conversations through the real slack-bolt/slack_sdk clients, the real models from
../shared, the real store and QA engine, against the fake Slack: what it received, once each."""

from __future__ import annotations

import json

from sqlalchemy.orm import Session

from bot.dialogue import texts
from bot.store.audit import iter_events
from core.comparison import REGIONS
from tests.adapters.slack_world import (
    CHANNEL,
    DM,
    GENUINE,
    SlackWorld,
    blocks_of,
    buttons,
    header,
    lfw_jpeg,
    said,
    sky_jpeg,
    with_button,
)
from tests.conftest import needs_shared

pytestmark = needs_shared


async def test_a_direct_message_from_two_photos_to_questions_and_forget(slack: SlackWorld) -> None:
    world, alice = slack, "UALICE"
    await world.http_event(world.message(alice, "hi"))
    await world.settle()
    consent = with_button(world.posts(), "I agree")
    await world.http_action(world.press(alice, consent["ts"], buttons(consent)["I agree"]))
    await world.settle()
    assert world.texts() == [said(texts.WELCOME), said(texts.PRIVACY), said(texts.CONSENT_ASK),
                             said(texts.NO_PHOTOS_YET), said(texts.CONSENT_THANKS)]

    # two photos shared in one message
    shared = [world.fake.host_file(lfw_jpeg(*GENUINE[0]), "ana-1.jpg", "image/jpeg"),
              world.fake.host_file(lfw_jpeg(*GENUINE[1]), "ana-2.jpg", "image/jpeg")]
    before = len(world.posts())
    assert await world.http_event(world.message(alice, "", files=shared)) == 200
    await world.settle()

    assert [hosted.downloads for hosted in world.fake.files.values()] == [1, 1]
    posts = world.posts()[before:]
    decision, status, suggestions = posts
    assert header(decision).startswith(":white_check_mark: Same person · confidence ")
    assert "Decision: SAME PERSON" in decision["text"] and "PIC-score" in decision["text"]
    assert buttons(decision) == {}  # no review buttons in a direct message
    assert status["text"] == texts.EXPLAINING
    edits = world.fake.to("chat.update")  # one status message, edited in place
    assert {edit.args["ts"] for edit in edits} == {status["ts"]}
    assert edits[-1].args["text"] == texts.EXPLAIN_DONE
    assert list(buttons(suggestions)) == list(texts.SUGGESTED_QUESTIONS)

    # the collage and the table, each uploaded once (URL, upload, completion) into the DM
    asked = world.fake.to("files.getUploadURLExternal")
    done = world.fake.to("files.completeUploadExternal")
    assert [c.args["filename"] for c in asked] == ["heatmaps-1.png", "region-table.txt"]
    assert [c.args["channel_id"] for c in done] == [DM, DM]
    assert all("thread_ts" not in c.args for c in done)
    collage, table = (world.fake.uploads[json.loads(c.args["files"])[0]["id"]] for c in done)
    assert collage.startswith(b"\x89PNG") and len(collage) > 10_000
    assert table.decode().splitlines()[0].startswith("Region")
    assert done[0].args["initial_comment"] == texts.COLLAGE_CAPTION
    assert json.loads(done[1].args["files"])[0]["title"] == texts.TABLE_TITLE

    # three questions: typed, from a suggestion button, typed
    before = len(world.posts())
    await world.http_event(world.message(alice, "Why did you decide that?"))
    await world.http_action(world.press(alice, suggestions["ts"],
                                        buttons(suggestions)["How sure are you?"]))
    await world.http_event(world.message(alice, "Which region mattered most?"))
    await world.settle()
    why, sure, region = world.texts()[before:]
    assert "threshold" in why
    assert "%" in sure
    assert "most important" in region and any(name in region for name in REGIONS), region

    # forget: everything about Alice is deleted, and said so
    await world.http_event(world.message(alice, "forget"))
    await world.settle()
    assert world.texts()[-1].startswith("Done: I deleted everything I had stored about you")
    assert world.store.forget_user("slack", alice).found is False
    assert world.fake.refused == []


async def test_a_review_team_in_a_channel_thread_over_socket_mode(slack: SlackWorld) -> None:
    world, ana, ben = slack, "UANA", "UBEN"
    first = world.message(ana, "<@UFACEX> is this the same person?", channel=CHANNEL, files=[
        world.fake.host_file(lfw_jpeg(*GENUINE[0]), "one.jpg", "image/jpeg")])
    thread = first["ts"]
    await world.socket_event(first)
    await world.settle()
    consent = with_button(world.posts(CHANNEL, thread), "I agree")
    await world.socket_action(world.press(ana, consent["ts"], buttons(consent)["I agree"],
                                          channel=CHANNEL))
    await world.settle()
    assert world.texts(CHANNEL, thread)[-1] == "Got it: I found a face. Now send the second photo."

    # Ben adds the second photo in the same thread: one shared conversation
    await world.socket_event(world.message(ben, "<@UFACEX>", channel=CHANNEL,
                                           thread_ts=thread, files=[world.fake.host_file(
                                               lfw_jpeg(*GENUINE[1]), "two.jpg", "image/jpeg")]))
    await world.settle()
    assert world.posts(CHANNEL) == []  # nothing outside the thread
    decision = next(p for p in world.posts(CHANNEL, thread) if blocks_of(p, "header"))
    assert list(buttons(decision)) == ["Confirm match", "Reject match", "Escalate"]
    comparison_id = int(blocks_of(decision, "actions")[0]["elements"][0]["value"])
    uploads = world.fake.to("files.completeUploadExternal", channel_id=CHANNEL, thread_ts=thread)
    assert len(uploads) == 2

    # Ana confirms with a comment; the message now says who reviewed it
    review = buttons(decision)
    await world.socket_action(world.press(ana, decision["ts"], review["Confirm match"],
                                          channel=CHANNEL, comment="Same scar & <ears>"))
    await world.settle()
    [update] = world.fake.to("chat.update", ts=decision["ts"])
    shown = json.dumps(update.args["blocks"])
    assert "<@UANA> confirmed the match" in shown and "Same scar &amp; &lt;ears&gt;" in shown

    # a second press by Ana is refused politely, to her only; Ben escalates
    await world.socket_action(world.press(ana, decision["ts"], review["Reject match"],
                                          channel=CHANNEL))
    await world.socket_action(world.press(ben, decision["ts"], review["Escalate"],
                                          channel=CHANNEL))
    await world.settle()
    [note] = world.fake.to("chat.postEphemeral")
    assert (note.args["user"], note.args["channel"], note.args["thread_ts"]) == (ana, CHANNEL,
                                                                                  thread)
    assert note.args["text"].startswith("You have already reviewed this comparison.")
    updates = world.fake.to("chat.update", ts=decision["ts"])
    assert len(updates) == 2
    final = json.dumps(updates[-1].args["blocks"])
    assert "<@UANA> confirmed the match" in final and "<@UBEN> escalated" in final

    # stored once each, under pseudonyms, with the audit trail
    stored = world.store.reviews(comparison_id)
    assert [(r.verdict, r.comment) for r in stored] == [("confirm", "Same scar & <ears>"),
                                                         ("escalate", "")]
    assert len({r.reviewer_id for r in stored}) == 2
    with Session(world.store.engine) as session:
        recorded = [e for e in iter_events(session) if e.kind == "review_recorded"]
    assert len(recorded) == 2 and "UANA" not in json.dumps([e.payload for e in recorded])
    assert world.store.verify_audit().ok


async def test_files_that_are_not_usable_photos_are_refused_kindly(slack: SlackWorld) -> None:
    world, cy = slack, "UCY"
    await world.http_event(world.message(cy, "/agree"))
    await world.settle()
    fake = world.fake
    pdf = fake.host_file(b"%PDF-1.7\n%%EOF\n", "scan.pdf", "application/pdf")
    huge = fake.host_file(b"\xff\xd8\xff" + b"\0" * 100, "huge.jpg", "image/jpeg",
                          size=30 * 1024 * 1024)
    walled = fake.host_file(lfw_jpeg(*GENUINE[0]), "walled.jpg", "image/jpeg", login_page=True)
    sky = fake.host_file(sky_jpeg(), "sky.jpg", "image/jpeg")
    before = len(world.posts())
    for shared in (pdf, huge, walled, sky):
        await world.http_event(world.message(cy, "", files=[shared]))
    await world.http_event(world.message(cy, "", files=[
        fake.host_file(sky_jpeg(), f"s{n}.jpg", "image/jpeg") for n in range(3)]))
    await world.settle()

    said = world.texts()[before:]
    assert said[0].startswith(":warning: scan.pdf: That file is not a photo I can read.")
    assert said[1].startswith(":warning: huge.jpg: That photo is too large: I accept photos up to "
                              "10 MB (the configured limit).")
    assert said[2].startswith(":warning: walled.jpg: I could not download that photo from Slack")
    assert said[3].startswith(":warning: Photo 1: I could not find a face in that photo.")
    assert said[4].startswith(":warning: I compare exactly two photos at a time, and you sent 3.")
    assert len(said) == 5
    # the PDF, the 30 MB file and the three at once were never requested; the sign-in page
    # was (with the token) and refused
    assert [fake.files[f["id"]].requests for f in (pdf, huge, walled, sky)] == [0, 0, 1, 1]
    assert sum(hosted.requests for hosted in fake.files.values()) == 2
