"""``facexplain serve slack --http`` as a process of its own against the fake Slack (see
``tests.scale.serve_process``), and a person who mentions it in a channel thread through
signed Events API requests, and what the fake Slack got in that thread."""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiohttp

from tests.adapters.fake_slack import BOT_TOKEN, BOT_USER, TEAM, Call, FakeSlack
from tests.adapters.slack_world import CHANNEL, SECRET, event_body, sign
from tests.scale.serve_process import DELIVERY_ERRORS, ServeProcess, free_port, serve_env

__all__ = ["ANN", "SLACK_SETTINGS", "ServeSlack", "answer", "free_port", "mention", "post_event",
           "posted", "uploads", "wait_until"]
READY = "facexplain listens for Slack on"
# the fake Slack's bot token and signing secret, as ``serve_env`` settings
SLACK_SETTINGS = {"slack_bot_token": BOT_TOKEN, "slack_signing_secret": SECRET}
ANN = "UANN"
_stamps = itertools.count(1)


class ServeSlack(ServeProcess):
    """Settings from ``env`` (``SLACK_SETTINGS`` among them); ``on_threads`` makes them."""

    # slack_sdk's and aiohttp's words for a call that failed or a client already closed
    delivery_marks = (*DELIVERY_ERRORS, "could not upload", "SlackApiError",
                      "SlackRequestError", "Session is closed", "ClientConnectorError")

    def __init__(self, fake: FakeSlack, env: dict[str, str], port: int, *,
                 log: Path | None = None, flags: tuple[str, ...] = ()) -> None:
        super().__init__(["slack", "--http", "--port", str(port), "--api-url", fake.api_url],
                         env, READY, log=log, flags=flags)
        self.fake, self.port = fake, port

    @classmethod
    def on_threads(cls, fake: FakeSlack, data_dir: Path, database_url: str,
                   port: int) -> ServeSlack:
        """One process on the threads runner (one worker), its own data folder and store."""
        env = serve_env(data_dir, database_url, job_runner="threads", job_workers="1",
                        shutdown_grace_s="10", **SLACK_SETTINGS)
        return cls(fake, env, port)

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}/slack/events"


async def post_event(endpoint: str, event: dict[str, Any], event_id: str | None = None,
                     retry: int | None = None) -> None:
    """``event`` in its envelope, signed as Slack signs it, POSTed to ``endpoint`` (``retry``:
    Slack's X-Slack-Retry-Num, as on a redelivery); the answer must be 200."""
    body = json.dumps(event_body(event, event_id))
    stamp = str(int(time.time()))
    headers = {"Content-Type": "application/json", "X-Slack-Request-Timestamp": stamp,
               "X-Slack-Signature": sign(body.encode(), stamp)}
    if retry is not None:
        headers |= {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"}
    async with aiohttp.ClientSession() as session, session.post(
            endpoint, data=body.encode(), headers=headers) as response:
        assert response.status == 200, await response.text()


async def mention(endpoint: str, words: str, thread: str | None = None,
                  files: list[dict[str, Any]] | None = None, user: str = ANN) -> str:
    """``user`` mentions the assistant in the channel (in ``thread``); the message's ts."""
    ts = f"1700000200.{next(_stamps):06d}"
    event: dict[str, Any] = {"type": "app_mention", "user": user, "channel": CHANNEL, "ts": ts,
                             "text": f"<@{BOT_USER}> {words}", "team": TEAM}
    if thread:
        event["thread_ts"] = thread
    if files:
        event["files"] = files
    await post_event(endpoint, event)
    return ts


async def wait_until(check: Callable[[], Any], timeout: float, what: str) -> None:
    """Poll ``check`` every 0.1 s until it holds; fail after ``timeout`` s naming ``what``."""
    try:
        async with asyncio.timeout(timeout):
            while not check():
                await asyncio.sleep(0.1)
    except TimeoutError:
        raise AssertionError(f"timed out waiting for {what}") from None


def posted(fake: FakeSlack, thread: str) -> list[str]:
    """The texts of the messages posted in the channel's ``thread``, in order."""
    return [c.args.get("text", "") for c in fake.to("chat.postMessage", channel=CHANNEL,
                                                     thread_ts=thread)]


def upload_calls(fake: FakeSlack, thread: str, title: str) -> list[Call]:
    """The completed uploads in ``thread`` whose title starts with ``title``, in order."""
    done: list[Call] = fake.to("files.completeUploadExternal", channel_id=CHANNEL,
                               thread_ts=thread)
    return [c for c in done if json.loads(c.args["files"])[0]["title"].startswith(title)]


def uploads(fake: FakeSlack, thread: str, title: str) -> list[bytes]:
    """The bytes of those uploads."""
    return [fake.uploads[json.loads(c.args["files"])[0]["id"]]
            for c in upload_calls(fake, thread, title)]


async def answer(fake: FakeSlack, endpoint: str, thread: str, question: str, word: str) -> str:
    """Ask in the thread; the new reply that has ``word`` in it."""
    before = len(posted(fake, thread))
    await mention(endpoint, question, thread)
    await wait_until(lambda: any(word in t.lower() for t in posted(fake, thread)[before:]), 60,
                     f"an answer to {question!r}")
    return next(t for t in posted(fake, thread)[before:] if word in t.lower())
