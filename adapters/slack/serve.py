"""The assistant on the network: Socket Mode (the default: an outgoing WebSocket, no public
URL) or the guarded HTTP endpoint. ``SlackService`` is what ``facexplain serve slack`` runs
through the entry layer's service lifecycle (``bot.cli.lifecycle``)."""

from __future__ import annotations

import asyncio
import logging

from aiohttp import web
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

from adapters.slack.app import SlackAssistant
from adapters.slack.http import web_app

log = logging.getLogger(__name__)


async def start_socket_mode(assistant: SlackAssistant) -> AsyncSocketModeHandler:
    """Open the Socket Mode connection (apps.connections.open with the app token, then the
    WebSocket it names); close it with ``close_async()``."""
    handler = AsyncSocketModeHandler(assistant.app, app_token=assistant.config.app_token,
                                     web_client=assistant.client)
    await handler.connect_async()  # type: ignore[no-untyped-call]
    return handler


async def start_http(assistant: SlackAssistant) -> web.AppRunner:
    """Listen on ``config.host:config.port``; stop with ``cleanup()``."""
    config = assistant.config
    runner = web.AppRunner(web_app(assistant.app, config), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, config.host, config.port).start()
    return runner


class SlackService:
    """The assistant as a platform of the service lifecycle: ``open``, ``recover``, ``listen``,
    ``close`` (events already acknowledged are answered before it closes)."""

    def __init__(self, assistant: SlackAssistant, grace_s: float = 30.0) -> None:
        self.assistant = assistant
        self.grace_s = grace_s  # on close, work already running gets this long
        self._socket: AsyncSocketModeHandler | None = None
        self._http: web.AppRunner | None = None

    async def open(self) -> None:
        """Nothing to reach before the models load: the tokens are checked on connecting."""

    async def recover(self) -> int:
        return await self.assistant.recover()

    async def listen(self) -> str:
        config = self.assistant.config
        if config.mode == "socket":
            self._socket = await start_socket_mode(self.assistant)
            return "facexplain is connected to Slack (Socket Mode)."
        self._http = await start_http(self.assistant)
        return f"facexplain listens for Slack on http://{config.host}:{config.port}{config.path}."

    async def close(self) -> None:
        try:
            if self._socket is not None:
                await self._socket.close_async()  # type: ignore[no-untyped-call]
            if self._http is not None:
                await self._http.cleanup()
            try:  # answered while the Web API client is still open, within the grace
                await asyncio.wait_for(self.assistant.idle(), self.grace_s)
            except TimeoutError:
                log.warning("closing with work unfinished after %.0f s; it is left for the "
                            "next start", self.grace_s)
        finally:
            await self.assistant.close()
