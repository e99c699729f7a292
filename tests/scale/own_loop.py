"""A service run on an event loop of its own thread, so a test can stop it dead (a crash:
nothing closed, no task runs again) and start a fresh one beside it."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

R = TypeVar("R")


class OwnLoop:
    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    async def _on_loop(self, work: Coroutine[Any, Any, R]) -> R:
        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(work, self.loop))

    def crash(self) -> None:
        """Stop dead: no task of this service runs again, nothing is closed or cleaned up."""
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)

    def leftovers(self) -> list[Coroutine[Any, Any, Any]]:
        """What ``bury`` closes after the pending tasks are cancelled."""
        return []

    async def bury(self) -> None:
        """After a crash, once the test has seen what it needed: cancel what the dead service
        left pending and close its loop (so nothing is left to the garbage collector)."""
        def on_its_thread() -> None:
            left = asyncio.all_tasks(self.loop)
            for task in left:
                task.cancel()
            self.loop.run_until_complete(asyncio.gather(*left, return_exceptions=True))
            for closing in self.leftovers():
                self.loop.run_until_complete(closing)
            self.loop.run_until_complete(self.loop.shutdown_asyncgens())
            self.loop.close()

        await asyncio.to_thread(on_its_thread)

    async def stop_with(self, shut_down: Coroutine[Any, Any, None]) -> None:
        await self._on_loop(shut_down)
        self.crash()
        self.loop.close()
