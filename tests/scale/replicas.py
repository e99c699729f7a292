"""What the two-replica tests (Telegram webhooks, Slack HTTP mode) share: what they run on
(a made-up calibration, a fresh PostgreSQL schema, workers with the real models), the settings
every replica has in common (one store, one Celery queue on Redis, the same keys), starting and
stopping the replicas together (``tests.scale.serve_process``), and the check at the end."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, text

from bot.store.config import StoreConfig
from bot.store.repository import open_store
from tests.conftest import MODELS
from tests.databases import TEST_KEY, postgres_schema_url
from tests.scale.cluster import Cluster
from tests.scale.made_up_calibration import calibrate_with_made_up_scores
from tests.scale.serve_process import ServeProcess, serve_env

PSEUDONYM_KEY = "replica-test-pseudonym-key-0123456789"
AUDIT_KEY = "replica-test-audit-key-0123456789abcdef"


@dataclass(frozen=True)
class Ground:
    """The data folder (a made-up calibration), the store's URL (a fresh PostgreSQL schema at
    head) and the test's workers (the real face models; none started yet)."""

    data: Path
    database: str
    workers: Cluster


def common_ground(tmp_path: Path, redis_url: str, queue: str, markers: Path) -> Ground:
    data = tmp_path / "data"
    calibrate_with_made_up_scores(data)
    database = postgres_schema_url()
    open_store(StoreConfig(url=database, pseudonym_key=TEST_KEY)).close()  # Alembic, once
    return Ground(data, database,
                  Cluster(redis_url, queue, markers, MODEL_DIR=str(MODELS), DATA_DIR=str(data)))


def assert_stored_once_and_nothing_shelved(database: str, redis_url: str, queue: str,
                                           comparisons: int) -> None:
    """Each comparison stored once, with its tables, and no first face left on the shelf."""
    import redis

    engine = create_engine(database)
    with engine.connect() as db:
        stored = db.execute(text("SELECT count(*), count(tables) FROM comparisons")).one()
    engine.dispose()
    assert tuple(stored) == (comparisons, comparisons)
    client = redis.Redis.from_url(redis_url)
    try:
        assert list(client.scan_iter(match=f"{queue}:first-face:*")) == []
    finally:
        client.close()


def replica_env(data_dir: Path, database_url: str, redis_url: str, queue: str,
                **settings: str) -> dict[str, str]:
    """What every replica shares: the store (already migrated), the job queue, the keys, and
    ``settings`` (``FACEXPLAIN_<NAME>``); no other ``FACEXPLAIN_*`` variable of this shell."""
    ours = {"db_migrate_on_start": "false", "pseudonym_key": PSEUDONYM_KEY,
            "audit_key": AUDIT_KEY, "job_runner": "celery", "redis_url": redis_url,
            "job_queue": queue, "job_timeout_s": "60", "shutdown_grace_s": "10"} | settings
    env = serve_env(data_dir, database_url, **ours)
    named = {"FACEXPLAIN_MODEL_DIR", "FACEXPLAIN_DATA_DIR", "FACEXPLAIN_DATABASE_URL",
             *(f"FACEXPLAIN_{name.upper()}" for name in ours)}
    return {k: v for k, v in env.items() if not k.startswith("FACEXPLAIN_") or k in named}


async def start_all(replicas: Sequence[ServeProcess], timeout: float = 150.0) -> None:
    """Launch every replica at once (each loads the models), then wait until all are ready."""
    for replica in replicas:
        replica.launch()
    await asyncio.gather(*(asyncio.to_thread(r.wait_ready, timeout) for r in replicas))


def finish_all(replicas: Sequence[ServeProcess]) -> list[int | None]:
    """SIGTERM each (SIGKILL if it hangs): their exit statuses."""
    return [replica.finish() for replica in replicas]
