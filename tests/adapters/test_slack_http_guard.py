"""The guard in front of Bolt (HTTP mode): bad requests get a 4xx, never a 500, and never reach
Bolt (the fake Slack sees no call at all); a good one passes."""

from __future__ import annotations

import json
import logging
import time

import pytest

from adapters.slack.incoming import UNREADABLE_FILE
from tests.adapters.slack_world import SlackWorld, event_body, sign


@pytest.fixture
def hello(slack_text: SlackWorld) -> bytes:
    return json.dumps(event_body(slack_text.message("UALICE", "help"))).encode()


async def test_a_correctly_signed_url_verification_is_answered(slack_text: SlackWorld) -> None:
    body = json.dumps({"token": "x", "challenge": "c-123", "type": "url_verification"}).encode()
    status, text = await slack_text.post(body)
    assert (status, json.loads(text)) == (200, {"challenge": "c-123"})


@pytest.mark.parametrize(("case", "status", "error"), [
    ("bad signature", 401, "bad_signature"),
    ("signed with another secret", 401, "bad_signature"),
    ("stale timestamp", 401, "stale_timestamp"),
    ("future timestamp", 401, "stale_timestamp"),
    ("malformed timestamp", 400, "bad_timestamp"),
    ("missing timestamp", 400, "bad_timestamp"),
    ("non-UTF-8 body", 400, "body_not_utf8"),
    ("oversized body", 413, "body_too_large"),
    ("not JSON", 400, "bad_body"),
    ("form without a JSON payload", 400, "bad_body"),
])
async def test_bad_requests_get_4xx_and_never_reach_bolt(
        slack_text: SlackWorld, hello: bytes, case: str, status: int, error: str) -> None:
    now = int(time.time())
    body, stamp, signature, kind = hello, str(now), None, "application/json"
    if case == "bad signature":
        signature = "v0=" + "0" * 64
    elif case == "signed with another secret":
        signature = sign(body, stamp, "not-the-secret")
    elif case == "stale timestamp":
        stamp = str(now - 6 * 60)
    elif case == "future timestamp":
        stamp = str(now + 6 * 60)
    elif case == "malformed timestamp":
        stamp = "12e9"
    elif case == "missing timestamp":
        stamp = ""
    elif case == "non-UTF-8 body":
        body = b'{"type": "event_callback", "x": "\xff\xfe"}'
    elif case == "oversized body":
        body = b'{"pad": "' + b"x" * (1024 * 1024) + b'"}'
    elif case == "not JSON":
        body = b'{"type": "event_callback",'
    elif case == "form without a JSON payload":
        body, kind = b"payload=%7Bnot+json", "application/x-www-form-urlencoded"
    if signature is None and stamp:
        signature = sign(body, stamp)  # correctly signed: the guard must catch the rest

    got, text = await slack_text.post(body, kind, stamp=stamp, signature=signature or "")
    await slack_text.settle()

    assert (got, json.loads(text)["error"]) == (status, error)
    assert slack_text.bot_calls() == []  # not even auth.test: Bolt never saw it


# --- what an outsider (or a broken client) can send: 4xx, never 500, one WARNING line ---------


def one_warning(caplog: pytest.LogCaptureFixture, contains: str) -> None:
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING
                and r.name.startswith("adapters.slack")]
    assert any(contains in r.getMessage() for r in warnings), [r.getMessage() for r in warnings]
    assert all("\n" not in r.getMessage() and r.exc_info is None for r in warnings)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_a_signature_of_v0_and_non_ascii_is_401_not_500(
        slack_text: SlackWorld, hello: bytes, caplog: pytest.LogCaptureFixture) -> None:
    for signature in ("v0=é" + "0" * 63, "v0=" + "\u00ff" * 64):
        status, text = await slack_text.post(hello, signature=signature)
        assert (status, json.loads(text)["error"]) == (401, "bad_signature")
    assert slack_text.bot_calls() == []
    one_warning(caplog, "401 bad_signature")


@pytest.mark.parametrize(("case", "body", "kind", "detail"), [
    ("100,000 nested brackets", b"[" * 100_000, "application/json", "too_deep"),
    ("nested objects in a form payload", b"payload=" + b"%5B" * 5_000,
     "application/x-www-form-urlencoded", "too_deep"),
    ('"event": [1]', json.dumps({"type": "event_callback", "event": [1], "team_id": "T1"}
                                ).encode(), "application/json", "event"),
    ("event without a type", json.dumps({"type": "event_callback", "event": {"user": "U1"}}
                                        ).encode(), "application/json", "event.type"),
    ("authorizations: 5", json.dumps({"type": "event_callback", "event": {"type": "message"},
                                      "authorizations": 5}).encode(), "application/json",
     "authorizations"),
    ("a JSON list", b"[1, 2]", "application/json", "not an object"),
    ("block_actions without actions", b"payload=" + json.dumps(
        {"type": "block_actions", "user": {"id": "U1"}}).encode(),
     "application/x-www-form-urlencoded", "actions"),
])
async def test_signed_bodies_bolt_cannot_read_are_400_and_never_reach_it(
        slack_text: SlackWorld, case: str, body: bytes, kind: str, detail: str,
        caplog: pytest.LogCaptureFixture) -> None:
    status, text = await slack_text.post(body, kind)
    await slack_text.settle()
    assert (status, json.loads(text)["error"]) == (400, "bad_body")
    assert slack_text.bot_calls() == []
    one_warning(caplog, detail)


@pytest.mark.parametrize("files", [
    5,
    [{"id": "F1", "name": "me.jpg", "mimetype": "image/jpeg", "size": "big",
      "url_private_download": "http://x/f"}],
    [7],
    [{"name": "no id"}],
])
async def test_a_signed_event_with_unreadable_files_is_acknowledged_and_answered(
        slack_text: SlackWorld, files: object, caplog: pytest.LogCaptureFixture) -> None:
    event = slack_text.message("UBOB", "") | {"files": files, "subtype": "file_share"}
    assert await slack_text.http_event(event) == 200
    await slack_text.settle()
    assert slack_text.texts() == [f":warning: {UNREADABLE_FILE}"]
    one_warning(caplog, "file(s) of the wrong shape")


async def test_a_signed_event_of_the_wrong_field_types_is_acknowledged_and_dropped(
        slack_text: SlackWorld, caplog: pytest.LogCaptureFixture) -> None:
    event = slack_text.message("UBOB", "help") | {"text": {"rich": True}}
    assert await slack_text.http_event(event) == 200
    await slack_text.settle()
    assert slack_text.texts() == []
    one_warning(caplog, "wrong shape")
