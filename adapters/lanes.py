"""Ordering for both adapters: one lane per conversation, so its messages are handled one at a
time in arrival order while different conversations run concurrently; every lane's task is
tracked, so shutdown and tests can wait for the work or cancel it."""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar

T = TypeVar("T")
log = logging.getLogger(__name__)


class Lanes(Generic[T]):
    """``submit(lane, item)`` queues ``item``; a task per busy lane runs ``work`` on its items in
    order and ends when the lane is empty. ``max_pending`` bounds a lane (None: unbounded)."""

    def __init__(self, work: Callable[[T], Awaitable[None]], max_pending: int | None = 100,
                 *, name: str = "lane") -> None:
        self.work = work
        self.max_pending = max_pending
        self.name = name
        self._queues: dict[Hashable, deque[T]] = {}
        self._tasks: dict[Hashable, asyncio.Task[None]] = {}

    def submit(self, lane: Hashable, item: T) -> bool:
        """Queue ``item`` (synchronous, so the order of calls is the order of work); False, and
        dropped, when the lane already holds ``max_pending``."""
        queue = self._queues.setdefault(lane, deque())
        if self.max_pending is not None and len(queue) >= self.max_pending:
            return False
        queue.append(item)
        if lane not in self._tasks:
            self._tasks[lane] = asyncio.create_task(self._drain(lane), name=self.name)
        return True

    async def _drain(self, lane: Hashable) -> None:
        queue = self._queues[lane]
        try:
            while queue:
                try:
                    await self.work(queue[0])
                except Exception:
                    log.exception("a message could not be handled")
                finally:
                    queue.popleft()
        finally:  # nothing awaits between the last check and here, so nothing is left behind
            del self._tasks[lane]
            if not queue:
                del self._queues[lane]

    @property
    def busy(self) -> int:
        """Lanes with work in hand."""
        return len(self._tasks)

    def __len__(self) -> int:
        """Items queued or running, over all lanes."""
        return sum(len(queue) for queue in self._queues.values())

    async def join(self) -> None:
        """Wait until every lane is empty (work submitted meanwhile included)."""
        while self._tasks:
            await asyncio.gather(*self._tasks.values(), return_exceptions=True)

    async def cancel(self) -> None:
        """Stop every lane now (shutdown past its grace) and drop what was still queued."""
        for queue in self._queues.values():
            while len(queue) > 1:  # keep only the item in hand, which the cancel interrupts
                queue.pop()
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._tasks.clear()  # a task cancelled before it started never ran its own cleanup
        self._queues.clear()
