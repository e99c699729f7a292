"""The one start-up and shut-down sequence of every chat platform (``serve telegram``,
``serve slack``).

1. ``platform.open()``: reach the platform, so a wrong token fails before any model loads;
2. ``service.start()``: the job runner's workers load the models, the QA encoder warms up;
3. ``platform.recover()``: replies a stopped process left in flight are delivered (Celery);
4. the ops endpoint (/healthz, /metrics) when a port is set;
5. ``platform.listen()``: messages flow until SIGINT or SIGTERM;
6. ``platform.close()`` answers what was received, then the service and the ops endpoint
   close (running jobs get ``Settings.shutdown_grace_s``);
7. ``exit_now()``: the process ends at once (the interpreter's teardown of the loaded models
   took 2-6 s more, past the grace + 5 s a stopping bot promises).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
from collections.abc import Callable
from typing import NoReturn, Protocol

from bot.composition import Service
from bot.settings import Settings


class Platform(Protocol):
    """A chat platform's side of the service (``TelegramBot``, ``SlackService``)."""

    async def open(self) -> None: ...

    async def recover(self) -> int: ...

    async def listen(self) -> str:
        """Start taking messages; a line that says where, for the operator."""
        ...

    async def close(self) -> None: ...


def stop_on_signals() -> asyncio.Event:
    """An event set by SIGINT (Ctrl+C) or SIGTERM."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    return stop


async def run_platform(settings: Settings, service: Service,
                       platform_for: Callable[[Service], Platform], *,
                       ready: Callable[[str], None], stop: asyncio.Event | None = None) -> None:
    """Run ``platform_for(service)`` on ``service`` until ``stop`` (default: a signal)."""
    from bot.ops.server import start_ops_server

    stop = stop or stop_on_signals()
    ops = None
    try:
        platform = platform_for(service)
        try:
            await platform.open()
            await service.start()
            await platform.recover()
            ops = await start_ops_server(settings)  # /healthz and /metrics, when a port is set
            ready(f"{await platform.listen()} Press Ctrl+C to stop.")
            await stop.wait()
            ready("Stopping: finishing the messages already received...")
        finally:
            await platform.close()
    finally:
        if ops is not None:
            await ops.cleanup()
        await service.close()


def exit_now(status: int = 0) -> NoReturn:
    """End the process once the service is closed (everything delivered, stored and closed):
    flush the logs and output, and skip the interpreter's teardown (freeing the models, seconds
    of native code on a busy machine)."""
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)
