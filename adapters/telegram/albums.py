"""Albums, whose parts arrive as separate updates but are handled as one message (the order of
messages is the dialogue's: an album takes its turn with its first part, ``Dialogue.turn``)."""

from __future__ import annotations

import asyncio
from collections.abc import Hashable
from typing import Generic, TypeVar

T = TypeVar("T")


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
