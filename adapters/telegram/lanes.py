"""Ordering: one lane per chat, so a chat's messages are handled one at a time in arrival
order while different chats run concurrently; and albums, whose parts arrive as separate
updates but are handled as one message."""

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
    order and ends when the lane is empty."""

    def __init__(self, work: Callable[[T], Awaitable[None]], max_pending: int = 100) -> None:
        self.work = work
        self.max_pending = max_pending
        self._queues: dict[Hashable, deque[T]] = {}
        self._tasks: dict[Hashable, asyncio.Task[None]] = {}

    def submit(self, lane: Hashable, item: T) -> bool:
        """Queue ``item``; False (and dropped) when the lane already holds ``max_pending``."""
        queue = self._queues.setdefault(lane, deque())
        if len(queue) >= self.max_pending:
            return False
        queue.append(item)
        if lane not in self._tasks:
            self._tasks[lane] = asyncio.create_task(self._drain(lane), name="telegram-lane")
        return True

    async def _drain(self, lane: Hashable) -> None:
        queue = self._queues[lane]
        try:
            while queue:
                try:
                    await self.work(queue[0])
                except Exception:
                    log.exception("a Telegram message could not be handled")
                finally:
                    queue.popleft()
        finally:  # nothing awaits between the last check and here, so nothing is left behind
            del self._tasks[lane]
            if not queue:
                del self._queues[lane]

    @property
    def busy(self) -> int:
        return len(self._tasks)

    async def join(self) -> None:
        """Wait until every lane is empty."""
        while self._tasks:
            await asyncio.gather(*self._tasks.values(), return_exceptions=True)


class Album(Generic[T]):
    """The parts of one media group; complete once ``window`` seconds pass with no new part."""

    def __init__(self, first: T, window: float) -> None:
        self.parts: list[T] = [first]
        self.window = window
        self._last = asyncio.get_running_loop().time()

    def add(self, part: T) -> None:
        self.parts.append(part)
        self._last = asyncio.get_running_loop().time()

    async def complete(self) -> list[T]:
        loop = asyncio.get_running_loop()
        while (left := self._last + self.window - loop.time()) > 0:
            await asyncio.sleep(left)
        return self.parts


class Albums(Generic[T]):
    """Open albums by (chat, media group id): the first part opens one, later parts join it
    until it is complete."""

    def __init__(self, window: float) -> None:
        self.window = window
        self._open: dict[Hashable, Album[T]] = {}

    def add(self, key: Hashable, part: T) -> Album[T] | None:
        """The new album when ``part`` opens one (queue it), None when it joined an open one."""
        album = self._open.get(key)
        if album is not None:
            album.add(part)
            return None
        album = self._open[key] = Album(part, self.window)
        return album

    async def complete(self, key: Hashable, album: Album[T]) -> list[T]:
        parts = await album.complete()
        if self._open.get(key) is album:
            del self._open[key]
        return parts
