"""Waiting on a process pool's state from a test, without sleeping a fixed time."""
from __future__ import annotations

import asyncio

from bot.jobs.processes import ProcessJobRunner


async def whole_pool(processes: ProcessJobRunner, size: int, timeout: float = 120) -> None:
    """Return once ``size`` workers are alive (a dead one is replaced in the background)."""
    async def wait() -> None:
        while len(processes.worker_pids()) < size:
            await asyncio.sleep(0.05)

    await asyncio.wait_for(wait(), timeout=timeout)
