"""HTTP mode: a small aiohttp server with a guard in front of Bolt.

Bad requests get a 4xx, one WARNING line, and never reach Bolt: a body over the size cap
(413), a body that is not UTF-8 (400), a missing or malformed timestamp (400), a timestamp
outside the allowed skew (401, replay protection), a signature that is not ASCII or wrong
(401), a body that is not the JSON/form Slack sends, nested deeper than 32, or whose outer
shape Bolt could not read (``"event": [1]``; 400). Bolt verifies the signature again and
answers Slack within its 3 seconds: listeners only queue work.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from urllib.parse import parse_qs

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncApp, AsyncBoltRequest
from slack_sdk.signature import Clock, SignatureVerifier

from adapters import json_bound
from adapters.slack.payloads import envelope_problem
from bot.platform_settings import SlackSettings

log = logging.getLogger(__name__)


def _refuse(status: int, reason: str, detail: str = "") -> web.Response:
    log.warning("Slack request refused: %d %s%s", status, reason, f" ({detail})" if detail else "")
    return web.json_response({"ok": False, "error": reason}, status=status)


def body_problem(raw: bytes, content_type: str) -> str | None:
    """None for a JSON object (Events API) or a form whose ``payload``s are JSON objects, each
    nested at most 32 deep and of the outer shape Bolt reads; else a short reason."""
    try:
        if content_type == "application/json":
            return envelope_problem(json_bound.parse(raw))
        if content_type == "application/x-www-form-urlencoded":
            text = raw.decode("utf-8")
            form = parse_qs(text, strict_parsing=bool(text))
            for payload in form.get("payload", []):
                problem = envelope_problem(json_bound.parse(payload.encode("utf-8")))
                if problem is not None:
                    return problem
            return None
    except json_bound.BadJson as exc:
        return exc.reason
    except ValueError:
        return "not a form"
    return "content type"


class Guard:
    def __init__(self, bolt: AsyncApp, config: SlackSettings,
                 clock: Callable[[], float] = time.time) -> None:
        self.bolt = bolt
        self.config = config
        self.clock = clock
        self.verifier = SignatureVerifier(config.signing_secret, clock=_Clock(clock))

    async def handle(self, request: web.Request) -> web.Response:
        limit = self.config.max_body_bytes
        if (request.content_length or 0) > limit:
            return _refuse(413, "body_too_large")
        try:
            raw = await request.read()
        except web.HTTPRequestEntityTooLarge:
            return _refuse(413, "body_too_large")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            return _refuse(400, "body_not_utf8")
        stamp = request.headers.get("X-Slack-Request-Timestamp", "")
        if not (stamp.isascii() and stamp.isdigit() and len(stamp) <= 12):
            return _refuse(400, "bad_timestamp")
        if abs(self.clock() - int(stamp)) > self.config.max_timestamp_skew_s:
            return _refuse(401, "stale_timestamp")
        signature = request.headers.get("X-Slack-Signature", "")
        if not signature.isascii() or not self.verifier.is_valid(raw, stamp, signature):
            return _refuse(401, "bad_signature")
        problem = body_problem(raw, request.content_type)
        if problem is not None:
            return _refuse(400, "bad_body", problem)
        headers: dict[str, str | Sequence[str]] = {
            name.lower(): value for name, value in request.headers.items()}
        response = await self.bolt.async_dispatch(
            AsyncBoltRequest(body=text, query=request.query_string, headers=headers))
        return await to_aiohttp_response(response)


class _Clock(Clock):
    """The guard's clock for slack_sdk's verifier (which asks for ``now()``)."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self.clock = clock

    def now(self) -> float:
        return self.clock()


def web_app(bolt: AsyncApp, config: SlackSettings,
            clock: Callable[[], float] = time.time) -> web.Application:
    """The events endpoint (``config.path``, for events and interactivity alike) and a
    ``/healthz`` for load balancers."""
    app = web.Application(client_max_size=config.max_body_bytes)
    app.router.add_post(config.path, Guard(bolt, config, clock).handle)

    async def healthz(request: web.Request) -> web.Response:
        return web.Response(text="ok")

    app.router.add_get("/healthz", healthz)
    return app
