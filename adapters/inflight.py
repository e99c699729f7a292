"""The adapters' work in hand: one task per message, counted per chat, so shutdown and tests
can wait for it or cancel it, and a chat cannot queue without bound.

Order is not kept here but by the dialogue: each task is started in arrival order and takes
its conversation's turn (``Dialogue.turn``) before its first ``await``, and asyncio runs new
tasks in the order they were created.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Awaitable, Callable, Hashable

log = logging.getLogger(__name__)


class InFlight:
    """``start(chat, work)`` runs ``work()`` in a task of its own; ``max_pending`` bounds the
    tasks one chat has in hand (None: unbounded)."""

    def __init__(self, max_pending: int | None = 100, *, name: str = "message") -> None:
        self.max_pending = max_pending
        self.name = name
        self._tasks: set[asyncio.Task[None]] = set()
        self._per_chat: Counter[Hashable] = Counter()

    def start(self, chat: Hashable, work: Callable[[], Awaitable[None]]) -> bool:
        """Start ``work`` now (synchronous, so the order of calls is the order of starts);
        False, and not started, when ``chat`` already has ``max_pending`` in hand."""
        if self.max_pending is not None and self._per_chat[chat] >= self.max_pending:
            return False
        self._per_chat[chat] += 1
        task = asyncio.create_task(_run(work), name=self.name)
        self._tasks.add(task)
        # a callback, not a finally: a task cancelled before it started runs none of its code
        task.add_done_callback(lambda done: self._done(chat, done))
        return True

    def _done(self, chat: Hashable, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        self._per_chat[chat] -= 1
        if self._per_chat[chat] <= 0:
            del self._per_chat[chat]

    def __len__(self) -> int:
        """Messages in hand, over all chats."""
        return len(self._tasks)

    async def join(self) -> None:
        """Wait until no message is in hand (those started meanwhile included)."""
        while self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def cancel(self) -> None:
        """Stop every message in hand now (shutdown past its grace): the one being handled is
        interrupted, those waiting for their turn never start."""
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


async def _run(work: Callable[[], Awaitable[None]]) -> None:
    try:
        await work()
    except Exception:
        log.exception("a message could not be handled")
