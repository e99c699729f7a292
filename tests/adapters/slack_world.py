"""What the Slack tests share: a world of the fake Slack, the real assistant on the real
conversation service, people who talk to it over signed HTTP requests or Socket Mode envelopes,
and readers of the messages' blocks.

The fixtures that open a world (``slack``, ``slack_fakes``, ``slack_text``) are in
tests/adapters/conftest.py."""

from __future__ import annotations

import hashlib
import hmac
import io
import itertools
import json
import time
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp
from aiohttp import web
from PIL import Image

from adapters.slack.app import SlackAssistant
from adapters.slack.config import TEXT_COMMANDS
from adapters.slack.http import web_app
from adapters.slack.outgoing import as_words
from adapters.slack.serve import start_socket_mode
from bot.composition import Service, build_answerer, build_runner, build_service, build_store
from bot.dialogue import DialogueConfig
from bot.platform_settings import SlackSettings
from bot.services import Answerer
from bot.settings import Settings
from bot.store.repository import Store
from core.saliency import params_for, with_changes
from tests.adapters.fake_slack import APP_TOKEN, BOT_TOKEN, TEAM, FakeSlack
from tests.conftest import lfw_image

SECRET = "fake-signing-secret"
# A cheap MinPlus grid: real heatmaps and tables in well under a second a pair.
SALIENCY = with_changes(params_for("interactive"), d=28, tmax=2, profile="slack-test")
GENUINE = (("Abel_Pacheco", 1), ("Abel_Pacheco", 4))
DM, CHANNEL = "D0ALICE", "C0REVIEW"

_ids = itertools.count(1)
_answerers: dict[str, Answerer] = {}


def said(text: str) -> str:
    """What the assistant says in Slack for a dialogue text: commands as plain words."""
    return as_words(text, TEXT_COMMANDS)


def lfw_jpeg(name: str, number: int) -> bytes:
    return lfw_image(name, number).read_bytes()


def sky_jpeg() -> bytes:
    """A valid JPEG with no face in it."""
    out = io.BytesIO()
    Image.new("RGB", (240, 240), (120, 160, 200)).save(out, "JPEG")
    return out.getvalue()


def sign(body: bytes, stamp: str, secret: str = SECRET) -> str:
    """Slack's v0 request signature, computed here independently of slack_sdk."""
    base = b"v0:" + stamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def event_body(event: dict[str, Any], event_id: str | None = None) -> dict[str, Any]:
    return {"token": "unused", "team_id": TEAM, "api_app_id": "AFAKE", "type": "event_callback",
            "event": event, "event_id": event_id or f"Ev{next(_ids):08d}",
            "event_time": int(time.time())}


class SlackWorld:
    def __init__(self, fake: FakeSlack, assistant: SlackAssistant, store: Store,
                 endpoint: str, session: aiohttp.ClientSession) -> None:
        self.fake = fake
        self.assistant = assistant
        self.store = store
        self.endpoint = endpoint
        self.session = session

    # -- what people send -------------------------------------------------------------

    def message(self, user: str, text: str = "", *, channel: str = DM,
                files: Sequence[dict[str, Any]] = (), thread_ts: str | None = None,
                **extra: Any) -> dict[str, Any]:
        """A direct message (``message.im``), or an ``app_mention`` outside a DM."""
        event: dict[str, Any] = {"type": "message" if channel.startswith("D") else "app_mention",
                                 "user": user, "text": text, "channel": channel,
                                 "ts": f"1700000001.{next(_ids):06d}", "team": TEAM}
        if channel.startswith("D"):
            event["channel_type"] = "im"
        if files:
            event |= {"files": list(files), "subtype": "file_share"} if channel.startswith(
                "D") else {"files": list(files)}
        if thread_ts:
            event["thread_ts"] = thread_ts
        return event | extra

    def press(self, user: str, message_ts: str, action_id: str, *,
              channel: str = DM, comment: str | None = None) -> dict[str, Any]:
        """A ``block_actions`` payload: ``user`` pressed the button ``action_id`` of the
        message the fake Slack shows under ``message_ts``."""
        message = self.fake.messages[message_ts]
        button = next(element for block in message["blocks"] if block["type"] == "actions"
                      for element in block["elements"] if element["action_id"] == action_id)
        container = {"type": "message", "message_ts": message_ts, "channel_id": channel,
                     "is_ephemeral": False}
        if "thread_ts" in message:
            container["thread_ts"] = message["thread_ts"]
        values = {} if comment is None else {
            "fx_review_comment": {"comment": {"type": "plain_text_input", "value": comment}}}
        return {"type": "block_actions", "team": {"id": TEAM}, "api_app_id": "AFAKE",
                "user": {"id": user, "team_id": TEAM}, "channel": {"id": channel},
                "container": container, "message": message, "trigger_id": "trigger",
                "state": {"values": values}, "response_url": f"{self.fake.url}/respond",
                "actions": [{"type": "button", "action_id": action_id,
                             "block_id": "b", "value": button["value"],
                             "action_ts": f"{int(time.time())}.000100"}]}

    # -- how it reaches the assistant -----------------------------------------------

    async def post(self, body: bytes, content_type: str = "application/json", *,
                   stamp: str | None = None, signature: str | None = None,
                   headers: dict[str, str] | None = None) -> tuple[int, str]:
        """A signed request to the events endpoint (or not, when told): (status, body)."""
        stamp = stamp if stamp is not None else str(int(time.time()))
        sent = {"Content-Type": content_type, "X-Slack-Request-Timestamp": stamp,
                "X-Slack-Signature": signature if signature is not None else sign(body, stamp)}
        async with self.session.post(self.endpoint, data=body,
                                     headers=sent | (headers or {})) as response:
            return response.status, await response.text()

    async def http_event(self, event: dict[str, Any], event_id: str | None = None,
                         retry: int | None = None) -> int:
        extra = {} if retry is None else {"X-Slack-Retry-Num": str(retry),
                                          "X-Slack-Retry-Reason": "http_timeout"}
        status, _ = await self.post(json.dumps(event_body(event, event_id)).encode(),
                                    headers=extra)
        return status

    async def http_action(self, payload: dict[str, Any]) -> int:
        body = urlencode({"payload": json.dumps(payload)}).encode()
        status, _ = await self.post(body, "application/x-www-form-urlencoded")
        return status

    async def socket_event(self, event: dict[str, Any], event_id: str | None = None,
                           retry: int | None = None) -> dict[str, Any]:
        return await self.fake.push(event_body(event, event_id), retry_attempt=retry)

    async def socket_action(self, payload: dict[str, Any]) -> dict[str, Any]:
        return await self.fake.push(payload, kind="interactive")

    async def settle(self) -> None:
        await self.assistant.idle()

    # -- what came back ---------------------------------------------------------------

    def bot_calls(self) -> list[str]:
        """The Web API methods called with the bot token (the app token only opens the
        Socket Mode connection)."""
        return [c.method for c in self.fake.calls if c.method != "apps.connections.open"]

    def posts(self, channel: str = DM, thread_ts: str | None = None) -> list[dict[str, Any]]:
        return [c.args for c in self.fake.to("chat.postMessage", channel=channel)
                if c.args.get("thread_ts") == thread_ts]

    def texts(self, channel: str = DM, thread_ts: str | None = None) -> list[str]:
        return [post["text"] for post in self.posts(channel, thread_ts)]


def shared_answerer(settings: Settings) -> Answerer:
    if "qa" not in _answerers:
        _answerers["qa"] = build_answerer(settings)
    return _answerers["qa"]


async def open_world(settings: Settings, tmp_path: Path, service: Service | None = None,
                     **options: Any) -> AsyncIterator[SlackWorld]:
    """The assistant on ``service`` (default: the real models of ``settings`` on threads)."""
    fake = await FakeSlack().start()
    if service is None:
        store = build_store(settings.model_copy(
            update={"database_url": f"sqlite:///{tmp_path / 'slack.db'}"}))
        service = build_service(settings, store=store,
                                runner=build_runner(settings, saliency=SALIENCY, kind="threads"),
                                answerer=shared_answerer(settings),
                                config=DialogueConfig(consent="ask"))
    store = service.store
    config = SlackSettings(bot_token=BOT_TOKEN, app_token=APP_TOKEN, signing_secret=SECRET,
                           api_url=fake.api_url, progress_interval_s=0.0, **options)
    assistant = SlackAssistant(service.dialogue, config)
    server = web.AppRunner(web_app(assistant.app, config), access_log=None)
    await server.setup()
    site = web.TCPSite(server, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    socket = await start_socket_mode(assistant)
    await fake.connected()
    session = aiohttp.ClientSession()
    try:
        yield SlackWorld(fake, assistant, store, f"http://127.0.0.1:{port}{config.path}",
                         session)
    finally:
        await session.close()
        await socket.close_async()
        await assistant.idle()
        await assistant.close()
        await service.close()
        await server.cleanup()
        await fake.stop()


def blocks_of(post: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [block for block in post["blocks"] if block["type"] == kind]


def buttons(post: dict[str, Any]) -> dict[str, str]:
    """label -> action_id of a message's buttons."""
    return {e["text"]["text"]: e["action_id"] for block in blocks_of(post, "actions")
            for e in block["elements"]}


def with_button(posts: list[dict[str, Any]], label: str) -> dict[str, Any]:
    return next(post for post in posts if label in buttons(post))


def header(post: dict[str, Any]) -> str:
    return " ".join(block["text"]["text"] for block in blocks_of(post, "header"))
