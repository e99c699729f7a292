"""The webhook endpoint: Telegram POSTs each update here.

Checks, in order, each answered with a 4xx and nothing processed: the secret-token header
(compared in constant time; 403), the size (the declared length, then the bytes actually read;
413), the body (UTF-8 JSON; 400) and its shape (an object with an integer ``update_id`` that
parses as an Update; 400). A good update is queued for the application and answered 200 at once.
"""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from telegram import Bot, Update

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
log = logging.getLogger(__name__)


class WebhookServer:
    def __init__(self, bot: Bot, accept: Callable[[Update], Awaitable[None]], *, secret: str,
                 path: str = "/telegram", listen: str = "127.0.0.1", port: int = 8443,
                 max_bytes: int = 256 * 1024) -> None:
        self.bot = bot
        self.accept = accept
        self.secret = secret.encode()
        self.path = path if path.startswith("/") else f"/{path}"
        self.listen = listen
        self.port = port
        self.max_bytes = max_bytes
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        app = web.Application(client_max_size=self.max_bytes)
        app.router.add_post(self.path, self.handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.listen, self.port)
        await site.start()
        if self.port == 0:  # an ephemeral port: find out which
            self.port = int(self._runner.addresses[0][1])

    @property
    def url(self) -> str:
        return f"http://{self.listen}:{self.port}{self.path}"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def handle(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self.secret):
            return _refuse(403, "wrong secret token")
        if request.content_length is not None and request.content_length > self.max_bytes:
            return _refuse(413, "too large")
        body = bytearray()
        async for chunk in request.content.iter_chunked(64 * 1024):
            body += chunk
            if len(body) > self.max_bytes:
                return _refuse(413, "too large")
        update = self._parse(bytes(body))
        if update is None:
            return _refuse(400, "not a Telegram update")
        await self.accept(update)
        return web.Response(status=200, text="ok")

    def _parse(self, body: bytes) -> Update | None:
        try:
            data: Any = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return None
        if not isinstance(data, dict):
            return None
        update_id = data.get("update_id")
        if not isinstance(update_id, int) or isinstance(update_id, bool):
            return None
        try:
            return Update.de_json(data, self.bot)
        except Exception:  # a payload PTB cannot read is a bad request, not our failure
            log.info("a webhook payload did not parse as an Update")
            return None


def _refuse(status: int, reason: str) -> web.Response:
    log.info("webhook request refused: %d %s", status, reason)
    return web.Response(status=status, text=reason)
