"""Ordered delivery: each conversation's replies go out one at a time, in order, exactly once.

Replies from the message being handled and from background work (progress, the collage) share
one queue per conversation, drained by a single task, so they can never overtake each other.
A reply whose delivery fails is logged and not retried (never delivered twice).
"""

from __future__ import annotations

import asyncio
import logging

from bot.messages import Reply, ReplySink

log = logging.getLogger(__name__)


class Outbox:
    def __init__(self) -> None:
        self._queue: asyncio.Queue[tuple[ReplySink, Reply, asyncio.Future[None]]] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self._last: asyncio.Future[None] | None = None

    def put(self, sink: ReplySink, reply: Reply) -> asyncio.Future[None]:
        """Queue ``reply`` for ``sink``; the future completes once it has been delivered."""
        delivered: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait((sink, reply, delivered))
        self._last = delivered
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._drain(), name="facexplain-outbox")
        return delivered

    async def _drain(self) -> None:
        while not self._queue.empty():
            sink, reply, delivered = self._queue.get_nowait()
            try:
                await sink(reply)
            except Exception:
                log.exception("could not deliver a %s", type(reply).__name__)
            finally:
                if not delivered.done():
                    delivered.set_result(None)

    async def flush(self) -> None:
        """Wait until everything queued so far has been delivered."""
        if self._last is not None:
            await asyncio.shield(self._last)

    @property
    def idle(self) -> bool:
        return self._queue.empty() and (self._task is None or self._task.done())
