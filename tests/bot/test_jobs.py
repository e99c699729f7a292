"""The job runners: results, progress, typed errors, and a crashed worker failing only its job."""

from __future__ import annotations

import asyncio
import os
import signal
from typing import Any

import pytest

from bot.jobs import (
    JobFailed,
    JobTimedOut,
    ProcessJobRunner,
    ProcessOptions,
    ThreadJobRunner,
    WorkerCrashed,
)
from core.errors import NoFaceFound, NotCalibrated
from tests.bot.pool_jobs import (
    buggy_job,
    crash_job,
    make_context,
    no_face_job,
    slow_job,
    square_job,
    uncalibrated_context,
)
from tests.pools import whole_pool


@pytest.fixture
async def processes() -> Any:
    runner = ProcessJobRunner(make_context, ProcessOptions(workers=2, job_timeout_s=20))
    await runner.start()
    yield runner
    await runner.close()


async def test_a_process_job_returns_its_result_and_reports_progress(processes: ProcessJobRunner) -> None:
    seen: list[tuple[str, int, int]] = []
    value, pid = await processes.run(square_job, 7, lambda s, d, t: seen.append((s, d, t)))
    assert value == 49
    assert pid in processes.worker_pids() and pid != os.getpid()
    assert seen == [("square", 1, 3), ("square", 2, 3), ("square", 3, 3)]


async def test_errors_come_back_typed_with_their_friendly_message(processes: ProcessJobRunner) -> None:
    with pytest.raises(NoFaceFound) as caught:
        await processes.run(no_face_job, None)
    assert caught.value.photo == 2
    assert caught.value.user_message == NoFaceFound.user_message  # the detail stays out of it
    assert "640x640" in caught.value.detail
    with pytest.raises(JobFailed) as bug:
        await processes.run(buggy_job, None)
    assert "internal detail" not in bug.value.user_message


async def test_a_crashing_job_fails_alone_and_the_pool_recovers(processes: ProcessJobRunner) -> None:
    slow = [asyncio.create_task(processes.run(slow_job, 0.6, label=f"slow{i}")) for i in range(3)]
    crash = asyncio.create_task(processes.run(crash_job, None, label="crash"))
    more = [asyncio.create_task(processes.run(square_job, i, label=f"sq{i}")) for i in range(4)]
    results = await asyncio.gather(*slow, crash, *more, return_exceptions=True)
    crashed = [r for r in results if isinstance(r, BaseException)]
    assert len(crashed) == 1 and isinstance(crashed[0], WorkerCrashed)
    assert results[3] is crashed[0]
    assert [r[0] for r in results[4:]] == [0, 1, 4, 9]  # type: ignore[index]
    await whole_pool(processes, 2, timeout=30)  # a fresh worker replaced the dead one


async def test_killing_a_worker_from_outside_fails_only_its_job(processes: ProcessJobRunner) -> None:
    victim = asyncio.create_task(processes.run(slow_job, 5.0, label="victim"))
    other = asyncio.create_task(processes.run(slow_job, 0.5, label="other"))
    while "victim" not in processes.running():
        await asyncio.sleep(0.02)
    os.kill(processes.running()["victim"], signal.SIGKILL)
    with pytest.raises(WorkerCrashed):
        await victim
    assert await other in processes.worker_pids()
    assert (await processes.run(square_job, 3))[0] == 9


async def test_a_job_past_its_time_limit_is_stopped() -> None:
    runner = ProcessJobRunner(make_context, ProcessOptions(workers=1, job_timeout_s=0.5))
    try:
        with pytest.raises(JobTimedOut):
            await runner.run(slow_job, 10.0)
        assert (await runner.run(square_job, 4))[0] == 16
    finally:
        await runner.close()


async def test_the_thread_runner_builds_its_context_once() -> None:
    built: list[int] = []

    def factory() -> dict[str, Any]:
        built.append(1)
        return make_context()

    runner = ThreadJobRunner(factory, workers=3)
    seen: list[tuple[str, int, int]] = []
    results = await asyncio.gather(*(runner.run(square_job, i, lambda *a: seen.append(a))
                                     for i in range(6)))
    await runner.close()
    assert [r[0] for r in results] == [0, 1, 4, 9, 16, 25]
    assert {r[1] for r in results} == {os.getpid()} and built == [1]
    assert len(seen) == 18


async def test_a_worker_that_cannot_load_its_models_answers_each_job_with_why() -> None:
    runner = ProcessJobRunner(uncalibrated_context, ProcessOptions(workers=1))
    try:
        await runner.start()
        for _ in range(2):
            with pytest.raises(NotCalibrated) as caught:
                await runner.run(square_job, 2)
            assert "facexplain calibrate" in caught.value.user_message
    finally:
        await runner.close()
