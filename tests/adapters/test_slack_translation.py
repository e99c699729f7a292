"""Translation at the edge, without the network: Slack events and button presses -> neutral
messages and conversation keys; replies -> Block Kit; the adapter's small parts."""

from __future__ import annotations

import pytest

from adapters.seen import Seen
from adapters.slack import blocks as kit
from adapters.slack.config import TEXT_COMMANDS
from adapters.slack.incoming import action_place, clean_text, parse_event, text_message
from adapters.slack.markup import escape, plain
from adapters.slack.once import retry_number
from adapters.slack.outgoing import as_words
from bot.messages import CommandMessage, ConversationKey, TextMessage, VerificationReply
from bot.platform_settings import SlackSettings
from bot.settings import load_settings, with_changes

BOT = "UFACEX"
COMMANDS = TEXT_COMMANDS


def event(**fields: object) -> dict[str, object]:
    base: dict[str, object] = {"type": "message", "channel_type": "im", "channel": "D1",
                               "user": "UANA", "text": "hi", "ts": "100.1"}
    return base | fields


def test_a_direct_message_is_one_conversation_and_each_dm_thread_another() -> None:
    top = parse_event(event(), BOT)
    threaded = parse_event(event(ts="100.5", thread_ts="100.2"), BOT)
    assert top is not None and threaded is not None
    assert top.place.key == ConversationKey("slack", "D1", "UANA", None, shared=False)
    assert top.place.thread_ts is None  # answers at the DM's top level
    assert threaded.place.key.thread == threaded.place.thread_ts == "100.2"


def test_a_channel_mention_starts_a_shared_thread_and_mentions_in_it_join_it() -> None:
    start = parse_event(event(type="app_mention", channel="C1", channel_type=None,
                              text="<@UFACEX> look", ts="200.1"), BOT)
    reply = parse_event(event(type="app_mention", channel="C1", user="UBEN",
                              text="<@UFACEX> and?", ts="200.9", thread_ts="200.1"), BOT)
    assert start is not None and reply is not None
    assert start.place.thread_ts == reply.place.thread_ts == "200.1"
    assert start.place.key.shared and start.place.key.scope() == reply.place.key.scope()
    assert (start.text, reply.text) == ("look", "and?")


@pytest.mark.parametrize("fields", [
    {"user": BOT}, {"bot_id": "B1"}, {"subtype": "bot_message"}, {"subtype": "message_changed"},
    {"subtype": "message_deleted"}, {"channel_type": "channel"}, {"user": None},
    {"type": "reaction_added"},
], ids=str)
def test_what_the_assistant_does_not_answer(fields: dict[str, object]) -> None:
    assert parse_event(event(**fields), BOT) is None


def test_files_are_read_from_the_event_without_downloading() -> None:
    shared = {"id": "F1", "name": "a.jpg", "mimetype": "image/jpeg", "size": 1234,
              "url_private": "https://files/a", "url_private_download": "https://files/a?dl"}
    inbound = parse_event(event(subtype="file_share", files=[shared, {"mode": "tombstone"}]), BOT)
    assert inbound is not None
    [only] = inbound.files
    assert (only.name, only.size, only.url) == ("a.jpg", 1234, "https://files/a?dl")


def test_text_drops_only_the_assistants_mention_and_undoes_slack_escaping() -> None:
    assert clean_text("<@UFACEX> is <@UANA> &lt;me&gt; &amp; you?", BOT) == (
        "is <@UANA> <me> & you?")
    assert clean_text("<@UFACEX|facexplain> hi", BOT) == "hi"


@pytest.mark.parametrize(("text", "expected"), [
    ("forget", CommandMessage), ("Forget.", CommandMessage), ("/forget", CommandMessage),
    ("help", CommandMessage), ("forget me please", TextMessage), ("why?", TextMessage),
    ("explain the nose", TextMessage),
])
def test_commands_are_plain_words_in_slack(text: str, expected: type) -> None:
    message = text_message(ConversationKey("slack", "D1", "U1"), text, COMMANDS)
    assert type(message) is expected
    if isinstance(message, CommandMessage):
        assert message.name == text.strip("/.").lower()


def test_replies_offer_commands_as_the_words_slack_lets_people_send() -> None:
    assert as_words("Send /forget at any time; /help lists them.", COMMANDS) == (
        "Send “forget” at any time; “help” lists them.")
    unchanged = "See https://example.org/help, a/new path, /unknown and /newer."
    assert as_words(unchanged, COMMANDS) == unchanged


def test_a_button_press_belongs_to_the_conversation_of_its_message() -> None:
    in_thread = action_place({"user": {"id": "UBEN"}, "channel": {"id": "C1"},
                              "container": {"message_ts": "300.2", "channel_id": "C1"},
                              "message": {"ts": "300.2", "thread_ts": "300.1"}})
    in_dm = action_place({"user": {"id": "UANA"}, "channel": {"id": "D1"},
                          "container": {"message_ts": "400.2"}, "message": {"ts": "400.2"}})
    assert in_thread is not None and in_dm is not None
    assert (in_thread.key.thread, in_thread.key.shared) == ("300.1", True)
    assert (in_dm.key.thread, in_dm.key.shared, in_dm.thread_ts) == (None, False, None)


def test_texts_become_plain_text_blocks_cut_at_line_ends() -> None:
    text = "\n".join(f"line {n} with *stars* _under_ <tags>" + "." * 60 for n in range(100))
    pieces = kit.text_blocks(text)
    assert all(b["text"]["type"] == "plain_text" for b in pieces)  # never read as markup
    assert all(len(b["text"]["text"]) <= kit.SECTION_LIMIT for b in pieces)
    assert "\n".join(b["text"]["text"] for b in pieces) == text
    assert escape("a <b> & c") == "a &lt;b&gt; &amp; c"


def test_the_decision_header_and_the_review_controls() -> None:
    reply = VerificationReply("Decision: DIFFERENT PEOPLE", False, 0.1, 0.28, -2.0, 0.97,
                              (1, 2), comparison_id=7)
    shown = kit.verification_blocks(reply, reviews=True)
    assert shown[0] == {"type": "header", "text": plain(
        ":x: Different people · confidence 97%")}
    [actions] = [b for b in shown if b["type"] == "actions"]
    assert [(e["action_id"], e["value"]) for e in actions["elements"]] == [
        ("fx_review_confirm", "7"), ("fx_review_reject", "7"), ("fx_review_escalate", "7")]
    assert not any(b["type"] == "actions" for b in kit.verification_blocks(reply, reviews=False))

    once = kit.with_review(shown, "first")
    twice = kit.with_review(once, "second")
    [listed] = [b for b in twice if b.get("block_id") == kit.REVIEWS_BLOCK]
    assert listed["text"]["text"] == "*Reviews*\nfirst\nsecond"
    assert len(twice) == len(shown) + 1


def test_buttons_carry_their_neutral_action_and_value() -> None:
    [_, actions] = kit.buttons_blocks("Pick", [("I agree", "consent", "yes")])
    [button] = actions["elements"]
    assert kit.button_press(button["value"]) == ("consent", "yes")
    assert kit.button_press("not json") is None


def test_events_are_remembered_up_to_a_limit_and_retries_are_recognised() -> None:
    seen = Seen(2)
    assert [seen.first_time(e) for e in ("a", "b", "a", "c", "b")] == [
        True, True, False, True, True]  # "b" was forgotten when "c" came
    assert len(seen) == 2
    assert retry_number({"x-slack-retry-num": ["2"]}) == 2
    assert retry_number({}) == retry_number({"x-slack-retry-num": "x"}) == 0


def test_the_configuration_comes_from_the_environment_with_the_other_settings(
        monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {"BOT_TOKEN": "xoxb-1", "API_URL": "http://127.0.0.1:9/api",
                        "PORT": "8080"}.items():
        monkeypatch.setenv(f"FACEXPLAIN_SLACK_{name}", value)
    config = with_changes(load_settings().slack, mode="http")  # --http
    assert (config.api_url, config.port, config.mode) == ("http://127.0.0.1:9/api/", 8080, "http")
    assert config.missing() == ["FACEXPLAIN_SLACK_SIGNING_SECRET"]
    assert "xoxb-1" not in repr(config) and "xoxb-1" not in repr(load_settings())
    assert SlackSettings(bot_token="").missing() == ["FACEXPLAIN_SLACK_BOT_TOKEN",
                                                     "FACEXPLAIN_SLACK_APP_TOKEN"]
    with pytest.raises(ValueError, match="mode"):
        SlackSettings(bot_token="x", mode="webhook")  # type: ignore[arg-type]
