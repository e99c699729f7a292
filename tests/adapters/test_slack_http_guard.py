"""The guard in front of Bolt (HTTP mode): bad requests get a 4xx, never a 500, and never reach
Bolt (the fake Slack sees no call at all); a good one passes."""
# ruff: noqa: F811  (pytest fixtures are imported from test_slack_kit and used as arguments)

from __future__ import annotations

import json
import time

import pytest

from tests.adapters.test_slack_kit import SlackWorld, event_body, sign, slack_text  # noqa: F401


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
