"""The Celery runner with a real ``facexplain worker``: results, coarse progress, typed
errors, time limits, one context per worker process, and the composition root's choice."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from bot.jobs import JobFailed, JobTimedOut, ThreadJobRunner, WorkerCrashed
from bot.settings import load_settings
from core.errors import NoFaceFound, NotCalibrated
from tests.bot.pool_jobs import buggy_job, no_face_job  # run by the workers as they are
from tests.scale.cluster import Cluster, wait_for
from tests.scale.jobs import Nap, deaf_job, nap_job, stuck_job

pytest.importorskip("celery")  # the scale extra; Redis itself is expected up
pytestmark = pytest.mark.redis


async def test_a_job_runs_on_a_worker_process_that_loaded_its_context_once(
        cluster: Cluster, runner: Any, markers: Path) -> None:
    worker = cluster.start("alpha").wait_ready()
    await runner.start()  # Redis answers
    seen: list[tuple[str, int, int]] = []
    job = asyncio.create_task(runner.run(nap_job, Nap(str(markers), 1.0, 21),
                                         lambda *p: seen.append(p), label="nap#1"))
    await asyncio.to_thread(wait_for, lambda: runner.running(), 10, "the job to start")
    running = runner.running()
    assert list(running) == ["nap#1"] and running["nap#1"] in worker.pool()

    value, pid = await job
    assert value == 42 and pid in worker.pool()
    # progress is coarse (the latest value at each poll) but in order, and it arrives
    assert seen and seen == sorted(seen)
    assert set(seen) <= {("nap", step, 4) for step in range(5)}
    assert runner.running() == {}

    more = [await runner.run(nap_job, Nap(str(markers), 0.1, n)) for n in (1, 2)]
    assert more == [(2, pid), (4, pid)]
    assert sorted(p.name for p in markers.glob("context-*")) == [f"context-{pid}"]


async def test_errors_come_back_typed_with_their_friendly_message(cluster: Cluster,
                                                                  runner: Any) -> None:
    cluster.start("alpha").wait_ready()
    with pytest.raises(NoFaceFound) as no_face:
        await runner.run(no_face_job, None)
    assert no_face.value.photo == 2 and no_face.value.detail == "0 detections at 640x640"

    with pytest.raises(JobFailed) as bug:
        await runner.run(buggy_job, None)
    assert type(bug.value) is JobFailed
    assert bug.value.user_message == JobFailed.user_message
    assert "internal detail" in bug.value.detail  # for the log, not for the user


async def test_a_worker_whose_models_do_not_load_answers_each_job_with_that_friendly_error(
        cluster: Cluster, runner: Any, markers: Path) -> None:
    worker = cluster.start("broken", context="tests.scale.jobs:uncalibrated_context")
    worker.wait_ready()
    for attempt in range(2):
        with pytest.raises(NotCalibrated) as caught:
            await runner.run(nap_job, Nap(str(markers), 0.1, attempt))
        assert "`facexplain calibrate`" in caught.value.user_message
    assert worker.process.poll() is None and not list(markers.glob("started-*"))


async def test_a_job_past_its_time_limits_fails_as_timed_out_and_the_worker_goes_on(
        redis_url: str, queue: str, markers: Path, runner: Any) -> None:
    quick = Cluster(redis_url, queue, markers, JOB_TIMEOUT_S="1", JOB_KILL_GRACE_S="1")
    try:
        quick.start("strict").wait_ready()
        with pytest.raises(JobTimedOut):  # stopped at the soft limit (1 s)
            await runner.run(stuck_job, 30.0)
        with pytest.raises(JobTimedOut) as killed:  # its process killed at the hard limit (2 s)
            await runner.run(deaf_job, 30.0)
        assert killed.value.detail == "killed at the hard time limit"
        value, _ = await runner.run(nap_job, Nap(str(markers), 0.1, 5))
        assert value == 10
    finally:
        quick.stop()


def test_the_runner_is_chosen_by_one_setting_and_old_keywords_still_work(tmp_path: Path) -> None:
    from bot.composition import build_runner
    from bot.jobs.celery_runner import CeleryJobRunner

    settings = load_settings(data_dir=tmp_path, job_runner="celery",
                             redis_url="redis://127.0.0.1:6379/15", job_timeout_s=42,
                             job_queue="tenant-a")
    runner = build_runner(settings)
    assert isinstance(runner, CeleryJobRunner)
    assert runner.config.redis_url.endswith("/15") and runner.config.job_timeout_s == 42
    assert runner.config.queue == "tenant-a"
    threads = build_runner(settings, kind="threads", workers=1)
    assert isinstance(threads, ThreadJobRunner)
    asyncio.run(threads.close())


def test_a_job_that_is_not_module_level_is_refused_before_it_is_queued() -> None:
    from bot.jobs.celery_tasks import job_name

    def local_job(context: Any, payload: Any, progress: Any) -> None:
        return None

    assert job_name(nap_job) == "tests.scale.jobs:nap_job"
    with pytest.raises(ValueError, match="not a module-level function"):
        job_name(local_job)


def test_what_celery_reports_of_a_killed_job_becomes_the_runners_error() -> None:
    from billiard.exceptions import TimeLimitExceeded, WorkerLostError

    from bot.jobs.celery_errors import failure_error

    assert isinstance(failure_error(TimeLimitExceeded(35.0)), JobTimedOut)  # the hard limit
    assert isinstance(failure_error(WorkerLostError("signal 9")), WorkerCrashed)
    other = failure_error(RuntimeError("broken"))
    assert type(other) is JobFailed and other.detail == "RuntimeError: broken"
