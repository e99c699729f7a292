"""Events through the real slack-bolt app: signed HTTP requests and Socket Mode envelopes, each
processed once, the assistant's own messages ignored, 429s retried, a burst answered in order.
Conversations without photos, so no models are loaded."""

from __future__ import annotations

from adapters.ratelimit import RATE_LIMITED
from adapters.seen import Seen
from bot.dialogue import texts
from core.errors import ImageTooLarge
from tests.adapters.fake_slack import BOT_ID, BOT_USER
from tests.adapters.slack_world import SlackWorld, said


async def test_first_contact_in_a_direct_message_greets_and_asks_for_consent(
        slack_text: SlackWorld) -> None:
    world = slack_text
    assert await world.http_event(world.message("UALICE", "hello")) == 200
    await world.settle()

    assert world.texts() == [said(texts.WELCOME), said(texts.PRIVACY), said(texts.CONSENT_ASK),
                             said(texts.NO_PHOTOS_YET)]
    assert "/help" in texts.WELCOME and "“help” lists the commands" in world.texts()[0]
    consent = world.posts()[2]
    [actions] = [b for b in consent["blocks"] if b["type"] == "actions"]
    assert [e["text"]["text"] for e in actions["elements"]] == ["I agree"]
    # replies in a DM go to its top level (no thread), and Bolt asked who it is once
    assert all(post.get("thread_ts") is None for post in world.posts())
    assert len(world.fake.to("auth.test")) == 1

    pressed = world.press("UALICE", consent["ts"], actions["elements"][0]["action_id"])
    assert await world.http_action(pressed) == 200
    await world.settle()
    assert world.texts()[-1] == said(texts.CONSENT_THANKS)


async def test_a_duplicate_event_and_slack_retries_are_processed_once(
        slack_text: SlackWorld) -> None:
    world = slack_text
    event = world.message("UALICE", "help")
    assert await world.http_event(event, event_id="EvSAME") == 200
    assert await world.http_event(event, event_id="EvSAME") == 200  # a duplicate delivery
    assert await world.http_event(event, event_id="EvSAME", retry=1) == 200  # Slack's retry
    ack = await world.socket_event(event, event_id="EvSAME")  # the same event by Socket Mode
    assert ack["envelope_id"]
    # a retry of an event whose first delivery never reached a running assistant is handled,
    # once: its later retries are dropped
    lost = world.message("UALICE", "privacy")
    assert await world.http_event(lost, event_id="EvLOST", retry=2) == 200
    await world.socket_event(lost, event_id="EvLOST", retry=3)
    await world.settle()

    assert world.texts() == [said(texts.HELP), said(texts.PRIVACY)]
    assert world.store.take_event("slack", "EvSAME") is False  # recorded as handled


async def test_an_event_handled_before_a_restart_is_dropped_after_it(
        slack_text: SlackWorld) -> None:
    world = slack_text
    event = world.message("UALICE", "help")
    assert await world.http_event(event, event_id="EvBEFORE") == 200
    await world.settle()
    world.assistant.seen = Seen(world.assistant.seen.size)  # a new process remembers nothing
    assert await world.http_event(event, event_id="EvBEFORE", retry=1) == 200
    await world.settle()
    assert world.texts() == [said(texts.HELP)]


async def test_socket_mode_events_are_acknowledged_and_answered(slack_text: SlackWorld) -> None:
    world = slack_text
    ack = await world.socket_event(world.message("UBOB", "/help"))
    assert set(ack) == {"envelope_id"}  # a plain acknowledgement, the work comes after
    await world.settle()
    assert world.texts() == [said(texts.HELP)]


async def test_the_assistants_own_messages_and_edits_are_ignored(slack_text: SlackWorld) -> None:
    world = slack_text
    await world.http_event(world.message(BOT_USER, "I am the bot"))
    await world.http_event(world.message("UALICE", "echo", bot_id=BOT_ID))
    await world.http_event(world.message("UALICE", "a bot", subtype="bot_message"))
    await world.http_event(world.message("UALICE", "edited", subtype="message_changed"))
    await world.settle()
    assert world.fake.to("chat.postMessage") == []


async def test_a_rate_limited_reply_is_retried_after_retry_after_and_delivered_once(
        slack_text: SlackWorld) -> None:
    world = slack_text
    world.fake.rate_limit("chat.postMessage", times=2)
    await world.http_event(world.message("UALICE", "help"))
    await world.settle()
    assert [c.args["text"] for c in world.fake.refused] == [said(texts.HELP), said(texts.HELP)]
    assert world.texts() == [said(texts.HELP)]


async def test_a_burst_of_50_messages_is_rate_limited_per_user_as_on_telegram(
        slack_text: SlackWorld) -> None:
    world = slack_text
    world.assistant.rate.clock = lambda: 0.0  # the burst takes no time at all
    sent = ["help" if n % 2 == 0 else "privacy" for n in range(50)]
    statuses = [await world.http_event(world.message("UALICE", word)) for word in sent]
    assert statuses == [200] * 50  # all acknowledged before the answers went out
    assert await world.http_event(world.message("UBOB", "help", channel="DBOB")) == 200
    await world.settle()

    # the first 20 answered once each, in order; one polite notice; the rest not answered
    expected = [said(texts.HELP) if word == "help" else said(texts.PRIVACY) for word in sent]
    assert world.texts() == expected[:20] + [f":warning: {RATE_LIMITED}"]
    assert world.texts("DBOB") == [said(texts.HELP)]  # another user is not held back


async def test_a_download_larger_than_declared_is_cut_off_at_the_cap(
        slack_text: SlackWorld) -> None:
    world = slack_text
    cap = world.assistant.files.max_bytes
    liar = world.fake.host_file(b"\xff\xd8\xff" + b"\0" * cap, "small.jpg", "image/jpeg",
                                size=2048, chunked=True)
    await world.http_event(world.message("UALICE", "", files=[liar]))
    await world.settle()
    assert world.fake.files[liar["id"]].requests == 1
    assert world.texts() == [f":warning: small.jpg: {ImageTooLarge.over(cap).user_message}"]
