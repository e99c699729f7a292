"""What the two-replica tests (Telegram webhooks, Slack HTTP mode) share: the settings every
replica has in common (one store, one Celery queue on Redis, the same keys), and starting and
stopping the replicas together (``tests.scale.serve_process``)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path

from tests.scale.serve_process import ServeProcess, serve_env

PSEUDONYM_KEY = "replica-test-pseudonym-key-0123456789"
AUDIT_KEY = "replica-test-audit-key-0123456789abcdef"


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
