"""Shutdown: close() lets running jobs finish within the grace period, then fails the rest
with RunnerClosed; jobs that never started fail at once; new jobs are refused."""

from __future__ import annotations

import asyncio
import time

import pytest

from bot.jobs import ProcessJobRunner, ProcessOptions, RunnerClosed, ThreadJobRunner
from core.progress import Progress


def no_context() -> None:
    return None


def sleep_job(context: None, seconds: float, progress: Progress) -> float:
    time.sleep(seconds)
    return seconds


async def started(runner: ThreadJobRunner | ProcessJobRunner, count: int) -> None:
    for _ in range(500):
        if len(runner.running()) >= count:
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the jobs did not start")


async def test_threads_finish_short_jobs_and_abandon_long_ones_at_the_deadline() -> None:
    runner = ThreadJobRunner(no_context, workers=2, grace_s=0.5)
    short = asyncio.create_task(runner.run(sleep_job, 0.2, label="photo#1"))
    long = asyncio.create_task(runner.run(sleep_job, 3.0, label="explain#1"))
    waiting = asyncio.create_task(runner.run(sleep_job, 0.1, label="photo#2"))
    await started(runner, 2)
    began = time.monotonic()
    await runner.close()
    assert time.monotonic() - began < 2.0  # the deadline, not the 3-second job
    assert await short == 0.2
    with pytest.raises(RunnerClosed):
        await long
    with pytest.raises(RunnerClosed):
        await waiting
    with pytest.raises(RunnerClosed):
        await runner.run(sleep_job, 0.0)


async def test_processes_finish_a_short_job_then_stop_a_long_one_at_the_deadline() -> None:
    runner = ProcessJobRunner(no_context, ProcessOptions(workers=1, grace_s=1.0))
    await runner.start()
    short = asyncio.create_task(runner.run(sleep_job, 0.3, label="photo#1"))
    await started(runner, 1)
    await runner.close()
    assert await short == 0.3

    runner = ProcessJobRunner(no_context, ProcessOptions(workers=1, grace_s=0.5))
    await runner.start()
    long = asyncio.create_task(runner.run(sleep_job, 30.0, label="explain#1"))
    await started(runner, 1)
    # queued behind the running heatmaps (decisions go first only among jobs still waiting)
    queued = asyncio.create_task(runner.run(sleep_job, 0.1, label="photo#2"))
    await asyncio.sleep(0.2)
    began = time.monotonic()
    await runner.close()
    assert time.monotonic() - began < 5.0
    with pytest.raises(RunnerClosed):
        await long
    with pytest.raises(RunnerClosed):
        await queued
    assert runner.worker_pids() == []  # the worker was stopped


async def test_processes_stop_a_job_nobody_awaits_without_waiting_for_the_grace(
        caplog: pytest.LogCaptureFixture) -> None:
    """The dialogue closes first (cancelling the heatmaps it awaited), then the runner: the
    platform already spent the grace, so that job is stopped at once, logged as no crash."""
    runner = ProcessJobRunner(no_context, ProcessOptions(workers=1, grace_s=20.0))
    await runner.start()
    heatmaps = asyncio.create_task(runner.run(sleep_job, 30.0, label="explain#1"))
    await started(runner, 1)
    heatmaps.cancel()
    began = time.monotonic()
    await runner.close()
    assert time.monotonic() - began < 5.0  # not the 20-second grace
    assert runner.worker_pids() == []
    assert not [r for r in caplog.records if r.levelname == "ERROR"]
