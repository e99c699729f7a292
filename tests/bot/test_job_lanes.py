"""Decisions first: with every worker busy making heatmaps (a slow fake explain job), a
decision still comes back at once, and queued decisions go before queued heatmaps."""

from __future__ import annotations

import asyncio
import time

from bot.jobs import ProcessJobRunner, ProcessOptions
from bot.jobs.lanes import JobLanes, is_background
from tests.bot.pool_jobs import make_context, slow_job, square_job


def test_interactive_jobs_leave_the_queue_before_background_ones() -> None:
    lanes: JobLanes[str] = JobLanes()
    for label in ("explain#1", "explain#2", "verify#3", "photo#4", "explain#5", "verify#6"):
        lanes.put(label, background=is_background(label))
    assert lanes.waiting() == (3, 3)
    assert lanes.get(interactive_only=True) == "verify#3"
    assert [lanes.get() for _ in range(5)] == ["photo#4", "verify#6", "explain#1", "explain#2",
                                                "explain#5"]
    lanes.stop_one()
    assert lanes.get(interactive_only=True) is None


async def test_a_decision_is_not_stuck_behind_running_and_queued_heatmaps() -> None:
    runner = ProcessJobRunner(make_context, ProcessOptions(workers=2, job_timeout_s=30))
    try:
        await runner.start()
        heatmaps = [asyncio.create_task(runner.run(slow_job, 3.0, label=f"explain#{i}"))
                    for i in range(4)]  # 12 s of heatmaps for one heatmap worker
        await asyncio.sleep(0.5)
        began = time.monotonic()
        square, _ = await runner.run(square_job, 7, label="verify#9")
        waited = time.monotonic() - began
        assert square == 49 and waited < 1.5, f"the decision waited {waited:.1f} s"
        assert runner.waiting() == (0, 3)  # one heatmap runs, three wait
        done = await asyncio.gather(*heatmaps)
        assert len(set(done)) == 1  # every heatmap ran on the one general worker
    finally:
        await runner.close()
