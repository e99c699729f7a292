"""Fixtures of the scale-out tests: Redis db 15 with a queue of each test's own, real
``facexplain worker`` processes, and a Celery runner that polls quickly.

Each test has its own queue (and so its own job records) rather than a flushed database:
test runs that overlap on one machine (two people, or a full run beside a partial one) would
otherwise take each other's jobs, and a flush would wipe the other run's queue."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot.store.config import StoreConfig
from bot.store.repository import Store, open_store
from tests.conftest import MODELS
from tests.databases import TEST_KEY, database_url
from tests.scale.cluster import Cluster, PrivateRedis
from tests.scale.made_up_calibration import calibrate_with_made_up_scores

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


@dataclass(frozen=True)
class OnPostgres:
    """The /forget tests' ground: the test's ``workers`` (the real face models, a made-up
    calibration; none started yet, settings may still be added), a PostgreSQL ``store`` at
    head, a started Celery ``runner`` on the test's queue and a Redis ``client``."""

    workers: Cluster
    store: Store
    runner: Any
    client: Any


@pytest.fixture
async def on_postgres(redis_url: str, queue: str, markers: Path,
                      tmp_path: Path) -> AsyncIterator[OnPostgres]:
    import redis

    calibrate_with_made_up_scores(tmp_path / "data")
    workers = Cluster(redis_url, queue, markers, MODEL_DIR=str(MODELS),
                      DATA_DIR=str(tmp_path / "data"))
    store = open_store(StoreConfig(url=database_url("postgresql", tmp_path),
                                   pseudonym_key=TEST_KEY))
    runner = celery_runner(redis_url, queue)
    client = redis.Redis.from_url(redis_url)
    try:
        await runner.start()
        yield OnPostgres(workers, store, runner, client)
    finally:
        await runner.close()
        client.close()
        store.close()
        workers.stop()
