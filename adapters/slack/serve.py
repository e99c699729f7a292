"""Running the assistant on the conversation service the composition root builds: Socket Mode
(the default: an outgoing WebSocket, no public URL) or the guarded HTTP endpoint."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Callable

from aiohttp import web
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

from adapters.slack.app import SlackAssistant
from adapters.slack.config import SlackConfig
from adapters.slack.http import web_app
from adapters.slack.reviews import StoreReviews
from bot.settings import Settings

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


async def serve(settings: Settings, config: SlackConfig, workers: int = 2,
                ready: Callable[[str], None] = log.info) -> None:
    """Compose the conversation service, connect, and run until SIGINT or SIGTERM; messages
    already acknowledged are answered before the service stops."""
    from bot.composition import build_dialogue, build_runner, build_store
    from bot.ops.server import start_ops_server

    store = build_store(settings)
    runner = build_runner(settings, workers=workers)
    dialogue = build_dialogue(settings, runner, store)
    assistant = SlackAssistant(dialogue, StoreReviews(store), config)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    ops = None
    try:
        await runner.start()
        await dialogue.warm_up()  # the QA encoder, before the first question
        await assistant.recover(dialogue)  # replies a stopped assistant left in flight (Celery)
        ops = await start_ops_server(settings)  # /healthz and /metrics, when a port is set
        if config.mode == "socket":
            handler = await start_socket_mode(assistant)
            ready("facexplain is connected to Slack (Socket Mode). Press Ctrl+C to stop.")
            await stop.wait()
            await handler.close_async()  # type: ignore[no-untyped-call]
        else:
            site = await start_http(assistant)
            ready(f"facexplain listens for Slack on http://{config.host}:{config.port}"
                  f"{config.path}. Press Ctrl+C to stop.")
            await stop.wait()
            await site.cleanup()
        ready("Stopping: finishing the messages already received...")
        await assistant.idle()
    finally:
        if ops is not None:
            await ops.cleanup()
        await assistant.close()
        await dialogue.close()
        await runner.close()
        store.close()
