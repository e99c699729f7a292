"""Jobs on a thread pool in this process: one shared context, built once on first use.

The light choice (tests, a console session on a small machine): no start-up cost, but a job
that crashes the process takes everything with it. ONNX Runtime sessions may be called from
several threads at once.
"""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from bot.jobs.runner import ContextFactory, Job, RunnerClosed, T
from core.progress import Progress, no_progress


def loop_progress(loop: asyncio.AbstractEventLoop, progress: Progress) -> Progress:
    """A progress callback safe to call from any thread: it runs ``progress`` on ``loop``."""

    def report(stage: str, done: int, total: int) -> None:
        if not loop.is_closed():
            loop.call_soon_threadsafe(progress, stage, done, total)

    return report


class ThreadJobRunner:
    """``close`` lets running jobs finish for up to ``grace_s`` seconds; jobs still waiting,
    and those still running after that, fail with ``RunnerClosed`` (their threads are left
    to end on their own: a thread cannot be stopped)."""

    def __init__(self, context_factory: ContextFactory, workers: int = 2,
                 grace_s: float = 30.0) -> None:
        self._factory = context_factory
        self.grace_s = grace_s
        self._pending: set[asyncio.Future[Any]] = set()
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="facexplain-job")
        self._context: Any = None
        self._built = False
        self._lock = threading.Lock()
        self._running: dict[str, int] = {}
        self._closed = False

    def _context_now(self) -> Any:
        with self._lock:
            if not self._built:
                self._context = self._factory()
                self._built = True
            return self._context

    async def start(self) -> None:
        await asyncio.get_running_loop().run_in_executor(self._executor, self._context_now)

    async def run(
        self, job: Job[T], payload: Any, progress: Progress = no_progress, *, label: str = ""
    ) -> T:
        if self._closed:
            raise RunnerClosed()
        loop = asyncio.get_running_loop()
        report = loop_progress(loop, progress)

        def call() -> T:
            self._running[label] = threading.get_native_id()
            try:
                return job(self._context_now(), payload, report)
            finally:
                self._running.pop(label, None)

        future = loop.run_in_executor(self._executor, call)
        self._pending.add(future)
        try:
            return await future
        except asyncio.CancelledError:
            task = asyncio.current_task()
            if self._closed and task is not None and not task.cancelling():  # by close
                raise RunnerClosed() from None
            raise
        finally:
            self._pending.discard(future)

    def running(self) -> dict[str, int]:
        return dict(self._running)

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._executor.shutdown(wait=False, cancel_futures=True)  # waiting jobs never start
        if self._pending:
            await asyncio.wait(list(self._pending), timeout=self.grace_s)
        for future in list(self._pending):
            future.cancel()  # the caller gets RunnerClosed; the thread is abandoned
