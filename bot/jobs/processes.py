"""Jobs in worker processes: models loaded once per worker; a crashed worker fails one job.

Each worker has a slot: a thread in this process that hands it one job at a time over a pipe
and relays its progress and result to the event loop; jobs wait in two lanes, decisions
before heatmaps (``bot.jobs.lanes``). When a worker dies mid-job (the pipe
closes), only that job fails (``WorkerCrashed``); the slot starts a fresh worker for the next
job, so the pool recovers and the other workers' jobs finish undisturbed.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import threading
import time
from dataclasses import dataclass
from typing import Any

from bot.jobs.lanes import JobLanes, is_background
from bot.jobs.runner import ContextFactory, Job, JobTimedOut, RunnerClosed, T, WorkerCrashed
from bot.jobs.slot import Slot, Work
from core.progress import Progress, no_progress

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ProcessOptions:
    workers: int = 2
    start_method: str = "spawn"  # safe with threads in the parent (asyncio, ONNX Runtime)
    job_timeout_s: float | None = 600.0
    grace_s: float = 30.0  # on close, running jobs get this long to finish
    reserve_interactive: bool = True  # the first of two or more workers takes no heatmaps
    background_nice: int = 10  # ...and the others run at this lower CPU priority (os.nice)


class ProcessJobRunner:
    def __init__(self, context_factory: ContextFactory, options: ProcessOptions | None = None) -> None:
        self.options = options or ProcessOptions()
        if self.options.workers < 1:
            raise ValueError("a process runner needs at least one worker")
        mp = multiprocessing.get_context(self.options.start_method)
        self._queue: JobLanes[Work] = JobLanes()
        # decisions first: with two workers or more, the first takes no heatmaps (bot.jobs.lanes)
        reserve = self.options.workers > 1 and self.options.reserve_interactive
        self._slots = [Slot(i, mp, context_factory, self._queue, interactive_only=reserve and i == 0,
                            background_nice=self.options.background_nice if reserve else 0)
                       for i in range(self.options.workers)]
        self._threads: list[threading.Thread] = []
        self._closed = False

    def _ensure_threads(self) -> None:
        if not self._threads:
            for slot in self._slots:
                thread = threading.Thread(target=slot.serve, name=f"facexplain-slot-{slot.index}",
                                          daemon=True)
                thread.start()
                self._threads.append(thread)

    async def start(self) -> None:
        """Start every worker now and wait until their models are loaded (in parallel). A worker
        that fails to start is logged; the next job tries again."""
        self._ensure_threads()
        results = await asyncio.gather(*(asyncio.to_thread(slot.ensure_process)
                                         for slot in self._slots), return_exceptions=True)
        for result in results:
            if isinstance(result, BaseException):
                log.error("a worker did not start: %s", result)

    async def run(
        self, job: Job[T], payload: Any, progress: Progress = no_progress, *, label: str = ""
    ) -> T:
        if self._closed:
            raise RunnerClosed()
        self._ensure_threads()
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._queue.put(Work(job, payload, progress, label, loop, future, self.options.job_timeout_s),
                        background=is_background(label))
        return await future

    def running(self) -> dict[str, int]:
        return {label: pid for slot in self._slots if (label := slot.label) is not None
                and (pid := slot.pid) is not None}

    def waiting(self) -> tuple[int, int]:
        """(interactive, background) jobs queued and not started."""
        return self._queue.waiting()

    def worker_pids(self) -> list[int]:
        return [pid for slot in self._slots if (pid := slot.pid) is not None]

    async def close(self) -> None:
        """Refuse new jobs and fail those still waiting (``RunnerClosed``); let running jobs
        finish for up to ``options.grace_s`` seconds, then fail them too and stop the workers. A
        running job whose caller stopped waiting (cancelled) is stopped at once."""
        if self._closed:
            return
        self._closed = True
        for work in self._queue.drain():  # jobs that never started
            work.fail(RunnerClosed())
        for _ in self._threads:
            self._queue.stop_one()
        for slot in self._slots:  # nobody awaits its job (the dialogue closed first): no grace
            if slot.abandoned:
                await asyncio.to_thread(slot.abort, RunnerClosed())
        deadline = time.monotonic() + self.options.grace_s
        for thread in self._threads:
            await asyncio.to_thread(thread.join, max(0.0, deadline - time.monotonic()))
        for slot in self._slots:
            await asyncio.to_thread(slot.abort, RunnerClosed())
        for thread in self._threads:
            await asyncio.to_thread(thread.join, 10)
        for slot in self._slots:
            await asyncio.to_thread(slot.stop)


__all__ = ["JobTimedOut", "ProcessJobRunner", "ProcessOptions", "WorkerCrashed"]
