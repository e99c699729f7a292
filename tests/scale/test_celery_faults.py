"""Faults with real Celery workers: a worker killed mid-job, a job delivered twice, Redis
restarted mid-run. Each job counts its own executions (marker files, see tests.scale.jobs)."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from pathlib import Path
from typing import Any

import pytest

from bot.jobs import JobFailed, RunnerClosed, ServiceUnavailable, WorkerCrashed
from tests.bot.pool_jobs import crash_job  # os._exit(3): the process dies mid-job
from tests.scale.cluster import Cluster, PrivateRedis, wait_for
from tests.scale.conftest import celery_runner
from tests.scale.jobs import Nap, markers, nap_job

pytest.importorskip("celery")  # the scale extra; Redis itself is expected up
pytestmark = pytest.mark.redis


def started(folder: Path, tag: str) -> int:
    return len(markers(folder, "started", tag))


def finished(folder: Path, tag: str) -> int:
    return len(markers(folder, "finished", tag))


def queue_length(server: PrivateRedis, queue: str) -> int:
    import redis

    client = redis.Redis.from_url(server.url)
    try:
        return int(client.llen(f"{queue}:{queue}"))  # the list, under the queue's key prefix
    finally:
        client.close()


async def test_a_worker_killed_mid_job_hands_it_to_another_worker_which_finishes_it_once(
        cluster: Cluster, runner: Any, markers: Path) -> None:
    doomed = cluster.start("doomed").wait_ready()
    hold = markers / "hold"
    hold.touch()  # the job waits while this file exists
    job = asyncio.create_task(runner.run(nap_job, Nap(str(markers), 0.4, 21, "k", str(hold)),
                                         label="nap#1"))
    await asyncio.to_thread(wait_for, lambda: started(markers, "k") == 1, 20, "the job to start")
    survivor = cluster.start("survivor").wait_ready()
    doomed.kill()  # SIGKILL, main process and pool: nothing acknowledges or reports anything
    hold.unlink()
    assert finished(markers, "k") == 0

    value, pid = await asyncio.wait_for(job, 60)
    assert value == 42 and pid in survivor.pool()  # redelivered after the visibility timeout
    assert started(markers, "k") == 2  # begun by both workers...
    assert finished(markers, "k") == 1  # ...finished once, one result returned
    assert not job.cancelled() and runner.running() == {}


async def test_a_pool_process_killed_mid_job_is_replaced_and_the_job_runs_again_once(
        cluster: Cluster, runner: Any, markers: Path) -> None:
    worker = cluster.start("alpha").wait_ready()
    job = asyncio.create_task(runner.run(nap_job, Nap(str(markers), 1.0, 8, tag="p")))
    await asyncio.to_thread(wait_for, lambda: started(markers, "p") == 1, 20, "the job to start")
    (first,) = worker.pool()
    os.kill(first, signal.SIGKILL)  # as the OOM killer would

    value, pid = await asyncio.wait_for(job, 60)
    assert value == 16 and pid != first and pid in worker.pool()  # requeued at once
    assert (started(markers, "p"), finished(markers, "p")) == (2, 1)


async def test_a_job_that_kills_every_worker_process_it_runs_on_stops_as_worker_crashed(
        cluster: Cluster, runner: Any) -> None:
    worker = cluster.start("alpha").wait_ready()
    with pytest.raises(WorkerCrashed) as crashed:
        await asyncio.wait_for(runner.run(crash_job, None, job_id="job-c"), 60)
    assert "delivered 4 times" in crashed.value.detail  # 3 attempts, then no more
    assert worker.process.poll() is None and len(worker.pool()) == 1  # the worker goes on


async def test_a_job_no_worker_takes_is_given_up_friendly_and_never_runs_later(
        cluster: Cluster, redis_url: str, queue: str, markers: Path) -> None:
    runner = celery_runner(redis_url, queue, queue_timeout_s=1.0)  # and no worker is running
    try:
        with pytest.raises(ServiceUnavailable) as unavailable:
            await asyncio.wait_for(runner.run(nap_job, Nap(str(markers), 0.1, 1, tag="n")), 20)
        assert "no worker took the job" in unavailable.value.detail
        cluster.start("late").wait_ready()  # the job is still queued: the worker drops it
        value, _ = await runner.run(nap_job, Nap(str(markers), 0.1, 2, tag="m"))
        assert value == 4 and started(markers, "n") == 0  # given up means never run
    finally:
        await runner.close()


async def test_a_job_delivered_again_after_it_finished_returns_its_outcome_without_running(
        cluster: Cluster, runner: Any, markers: Path) -> None:
    cluster.start("alpha").wait_ready()
    first = await runner.run(nap_job, Nap(str(markers), 0.1, 3, tag="d"), job_id="job-d")
    assert first == (6, first[1])
    # the same job again, as after an acknowledgement lost with its worker: same job id. It
    # does not run again; its result was dropped once delivered, so what comes back is the
    # small record kept in its place (nobody awaits it: the reply went out already)
    with pytest.raises(JobFailed, match="delivered"):
        await runner.run(nap_job, Nap(str(markers), 0.1, 3, tag="d"), job_id="job-d")
    assert (started(markers, "d"), finished(markers, "d")) == (1, 1)


async def test_a_job_outlives_the_bot_that_sent_it_and_a_new_bot_collects_its_one_result(
        cluster: Cluster, redis_url: str, queue: str, markers: Path) -> None:
    cluster.start("alpha").wait_ready()
    hold = markers / "hold"
    hold.touch()
    nap = Nap(str(markers), 0.2, 9, "b", str(hold))
    first_bot = celery_runner(redis_url, queue, grace_s=0)
    job = asyncio.create_task(first_bot.run(nap_job, nap, job_id="job-b"))
    await asyncio.to_thread(wait_for, lambda: started(markers, "b") == 1, 20, "the job to start")
    await first_bot.close()  # the bot stops while its job runs
    with pytest.raises(RunnerClosed):
        await job
    hold.unlink()
    await asyncio.to_thread(wait_for, lambda: finished(markers, "b") == 1, 20, "the job to end")

    second_bot = celery_runner(redis_url, queue)  # a new bot asks for the same job id
    try:
        value, _ = await second_bot.run(nap_job, nap, job_id="job-b")
    finally:
        await second_bot.close()
    assert value == 18
    assert (started(markers, "b"), finished(markers, "b")) == (1, 1)  # not run again


async def test_who_awaits_a_job_is_noted_and_exactly_one_bot_claims_its_reply(
        cluster: Cluster, redis_url: str, queue: str, markers: Path, runner: Any) -> None:
    cluster.start("alpha").wait_ready()
    await runner.remember("job-n", {"platform": "telegram", "chat": "42", "kind": "verify"})
    other_bot = celery_runner(redis_url, queue)
    try:
        assert await other_bot.pending() == [
            ("job-n", {"platform": "telegram", "chat": "42", "kind": "verify"})]
        value, _ = await runner.run(nap_job, Nap(str(markers), 0.1, 4, "n"), job_id="job-n")
        assert value == 8
        again, _ = await other_bot.collect("job-n")  # the outcome, without sending the job
        assert again == 8 and started(markers, "n") == 1

        claims = await asyncio.gather(runner.claim("job-n"), other_bot.claim("job-n"))
        assert sorted(claims) == [False, True]  # one bot delivers, the other stays silent
        assert await other_bot.pending() == []
    finally:
        await other_bot.close()


async def test_while_redis_is_down_jobs_wait_or_fail_friendly_and_none_is_lost(
        private_redis: PrivateRedis, queue: str, markers: Path) -> None:
    cluster = Cluster(private_redis.url, queue, markers)
    runner = celery_runner(private_redis.url, queue, outage_s=60)
    try:
        cluster.start("alpha").wait_ready()
        running = asyncio.create_task(runner.run(nap_job, Nap(str(markers), 3.0, 1, tag="r")))
        await asyncio.to_thread(wait_for, lambda: started(markers, "r") == 1, 20, "job r")
        queued = asyncio.create_task(runner.run(nap_job, Nap(str(markers), 0.5, 2, tag="q")))
        await asyncio.to_thread(wait_for, lambda: queue_length(private_redis, queue) == 1, 10, "job q")
        assert started(markers, "q") == 0  # q waits in the Redis queue behind r

        private_redis.stop()
        began = time.monotonic()
        with pytest.raises(ServiceUnavailable) as down:
            await runner.run(nap_job, Nap(str(markers), 0.1, 3, tag="x"))
        assert time.monotonic() - began < 10  # the user hears it soon, no hanging
        assert down.value.user_message.startswith(
            "The analysis service is temporarily unavailable")
        assert not running.done() and not queued.done()  # still waiting, not failed

        private_redis.start()  # same port, same AOF
        results = await asyncio.wait_for(asyncio.gather(running, queued), 90)
        assert [value for value, _ in results] == [2, 4]
        value, _ = await asyncio.wait_for(runner.run(nap_job, Nap(str(markers), 0.1, 5)), 30)
        assert value == 10  # and new jobs run again
        assert finished(markers, "r") == finished(markers, "q") == 1
        assert started(markers, "x") == 0
    finally:
        await runner.close()
        cluster.stop()


async def test_the_dialogue_tells_the_user_when_the_analysis_service_is_down(
        tmp_path: Path, queue: str) -> None:
    from bot.dialogue import Dialogue, DialogueConfig
    from bot.messages import ConversationKey, PhotoMessage, TextReply
    from bot.store.config import StoreConfig
    from bot.store.repository import open_store
    from tests.bot.dialogue_helpers import flat_photo
    from tests.databases import TEST_KEY
    from tests.scale.cluster import free_port

    runner = celery_runner(f"redis://127.0.0.1:{free_port()}/0", queue)  # nobody listens there
    await runner.start()  # logs that Redis is unreachable, does not raise
    store = open_store(StoreConfig(url=f"sqlite:///{tmp_path / 'store.db'}",
                                   pseudonym_key=TEST_KEY))
    dialogue = Dialogue(runner, store, answerer=None,  # type: ignore[arg-type]
                        config=DialogueConfig(consent="on_first_photo"))
    try:
        key = ConversationKey("console", "chat", "alice")
        # a photo the bot can read (it decodes photos for Celery jobs itself)
        replies = await dialogue.replies(PhotoMessage(key, (flat_photo(),)))
        said = [r.text for r in replies if isinstance(r, TextReply)]
        # the service failed, not the photo: no "Photo 1:" in front of it
        assert any(text.startswith("The analysis service is temporarily unavailable")
                   for text in said), said
    finally:
        await dialogue.close()
        await runner.close()
        store.close()
