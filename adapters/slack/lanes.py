"""Work after the acknowledgement: in arrival order within a lane (one conversation, or one
message's reviews), lanes side by side, every task tracked so shutdown and tests can wait."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Hashable

log = logging.getLogger(__name__)


class Lanes:
    def __init__(self) -> None:
        self._tails: dict[Hashable, asyncio.Task[None]] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    def submit(self, lane: Hashable, work: Callable[[], Awaitable[None]]) -> asyncio.Task[None]:
        """Run ``work`` after everything submitted to ``lane`` before it (synchronous, so the
        order of calls is the order of work)."""
        before = self._tails.get(lane)

        async def run() -> None:
            if before is not None:
                await asyncio.wait([before])
            try:
                await work()
            except Exception:
                log.exception("background work failed")

        task = asyncio.create_task(run(), name="facexplain-slack")
        self._tails[lane] = task
        self._tasks.add(task)

        def done(finished: asyncio.Task[None]) -> None:
            self._tasks.discard(finished)
            if self._tails.get(lane) is finished:
                del self._tails[lane]

        task.add_done_callback(done)
        return task

    async def idle(self) -> None:
        """Wait until all submitted work (and work it submitted) has finished."""
        while self._tasks:
            await asyncio.wait(list(self._tasks))

    async def cancel(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await self.idle()

    def __len__(self) -> int:
        return len(self._tasks)
