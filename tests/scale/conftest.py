"""Fixtures of the scale-out tests: Redis db 15 (flushed before and after each test), real
``facexplain worker`` processes, and a Celery runner that polls quickly."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.scale.cluster import Cluster, PrivateRedis

TEST_REDIS = "redis://127.0.0.1:6379/15"


def flush(url: str) -> None:
    import redis

    client = redis.Redis.from_url(url)
    try:
        client.flushdb()
    finally:
        client.close()


@pytest.fixture
def redis_url() -> Iterator[str]:
    flush(TEST_REDIS)
    yield TEST_REDIS
    flush(TEST_REDIS)


@pytest.fixture
def markers(tmp_path: Path) -> Path:
    folder = tmp_path / "markers"
    folder.mkdir()
    return folder


@pytest.fixture
def cluster(redis_url: str, markers: Path) -> Iterator[Cluster]:
    workers = Cluster(redis_url, markers)
    yield workers
    workers.stop()


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[PrivateRedis]:
    server = PrivateRedis(tmp_path / "redis").start()
    yield server
    server.stop()


def celery_runner(url: str, **options: Any) -> Any:
    from bot.jobs.celery_app import CeleryConfig
    from bot.jobs.celery_runner import CeleryJobRunner

    config = CeleryConfig(redis_url=url, job_timeout_s=20, visibility_timeout_s=3,
                          queue_timeout_s=options.pop("queue_timeout_s", None))
    return CeleryJobRunner(config, **{"poll_s": 0.05, **options})


@pytest.fixture
async def runner(redis_url: str) -> AsyncIterator[Any]:
    jobs = celery_runner(redis_url)
    yield jobs
    await jobs.close()
