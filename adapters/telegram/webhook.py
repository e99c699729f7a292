"""The webhook endpoint: Telegram POSTs each update here.

Checks, in order, each answered with a 4xx, one WARNING line and nothing processed: the
secret-token header (ASCII, compared in constant time; 403), the size (the declared length,
then the bytes actually read; 413), the body (UTF-8 JSON nested at most 32 deep; 400) and its
shape (the fields the adapter reads have their types: ``adapters.telegram.payloads``; 400). A
good update is queued for the application and answered 200 at once. An update that is good
but for its file (a ``photo`` or ``document`` of the wrong shape) is acknowledged and its
sender told the file could not be read (``unreadable``).
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from telegram import Bot, Update

from adapters import json_bound
from adapters.telegram.payloads import check_update

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
log = logging.getLogger(__name__)


class WebhookServer:
    def __init__(self, bot: Bot, accept: Callable[[Update], Awaitable[None]], *, secret: str,
                 path: str = "/telegram", listen: str = "127.0.0.1", port: int = 8443,
                 max_bytes: int = 256 * 1024,
                 unreadable: Callable[[Update], object] | None = None) -> None:
        self.bot = bot
        self.accept = accept
        self.unreadable = unreadable
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
        given = request.headers.get(SECRET_HEADER, "")
        if not given.isascii() or not hmac.compare_digest(given.encode(), self.secret):
            return _refuse(403, "wrong secret token")
        if request.content_length is not None and request.content_length > self.max_bytes:
            return _refuse(413, "too large")
        body = bytearray()
        async for chunk in request.content.iter_chunked(64 * 1024):
            body += chunk
            if len(body) > self.max_bytes:
                return _refuse(413, "too large")
        try:
            data: Any = json_bound.parse(bytes(body))
        except json_bound.BadJson as exc:
            return _refuse(400, f"body {exc.reason}")
        checked = check_update(data)
        if checked.verdict == "bad":
            return _refuse(400, f"not a Telegram update ({checked.reason})")
        update = self._parse(checked.data)
        if update is None:
            return _refuse(400, "not a Telegram update (PTB could not read it)")
        if checked.verdict == "unreadable_file":
            log.warning("webhook update %d: its file could not be read (%s)",
                        update.update_id, checked.reason)
            if self.unreadable is not None:
                self.unreadable(update)
            return web.Response(status=200, text="ok")
        await self.accept(update)
        return web.Response(status=200, text="ok")

    def _parse(self, data: dict[str, Any]) -> Update | None:
        try:
            return Update.de_json(data, self.bot)
        except Exception:  # a payload PTB cannot read is a bad request, not our failure
            return None


def _refuse(status: int, reason: str) -> web.Response:
    log.warning("webhook request refused: %d %s", status, reason)
    return web.Response(status=status, text=reason)
