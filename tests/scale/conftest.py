"""Fixtures of the scale-out tests: Redis db 15 with a queue of each test's own, real
``facexplain worker`` processes, and a Celery runner that polls quickly.

Each test has its own queue (and so its own job records) rather than a flushed database:
test runs that overlap on one machine (two people, or a full run beside a partial one) would
otherwise take each other's jobs, and a flush would wipe the other run's queue."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.scale.cluster import Cluster, PrivateRedis

TEST_REDIS = "redis://127.0.0.1:6379/15"


def forget_queue(url: str, queue: str) -> None:
    """Delete the queue's keys: its jobs, its Celery binding and its job records."""
    import redis

    client = redis.Redis.from_url(url)
    try:
        for key in client.scan_iter(match=f"*{queue}*"):
            client.delete(key)
    finally:
        client.close()


@pytest.fixture
def redis_url() -> str:
    return TEST_REDIS


@pytest.fixture
def queue(redis_url: str) -> Iterator[str]:
    name = f"facexplain-test-{secrets.token_hex(4)}"
    yield name
    forget_queue(redis_url, name)


@pytest.fixture
def markers(tmp_path: Path) -> Path:
    folder = tmp_path / "markers"
    folder.mkdir()
    return folder


@pytest.fixture
def cluster(redis_url: str, queue: str, markers: Path) -> Iterator[Cluster]:
    workers = Cluster(redis_url, queue, markers)
    yield workers
    workers.stop()


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[PrivateRedis]:
    server = PrivateRedis(tmp_path / "redis").start()
    yield server
    server.stop()


def celery_runner(url: str, queue: str, **options: Any) -> Any:
    from bot.jobs.celery_app import CeleryConfig
    from bot.jobs.celery_runner import CeleryJobRunner

    config = CeleryConfig(redis_url=url, queue=queue, job_timeout_s=20, visibility_timeout_s=3,
                          queue_timeout_s=options.pop("queue_timeout_s", None))
    return CeleryJobRunner(config, **{"poll_s": 0.05, **options})


@pytest.fixture
async def runner(redis_url: str, queue: str) -> AsyncIterator[Any]:
    jobs = celery_runner(redis_url, queue)
    yield jobs
    await jobs.close()
