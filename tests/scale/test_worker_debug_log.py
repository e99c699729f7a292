"""A Celery worker at ``-vv`` (``facexplain -vv worker``) runs jobs whose arguments are photo
bytes and a user's question; its log (Celery's, kombu's and our own records) holds neither,
nor the keys of its settings."""

from __future__ import annotations

import base64
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from core.progress import Progress
from tests.fakes import person_photo
from tests.scale.cluster import ROOT, Cluster, Worker, wait_for
from tests.scale.conftest import celery_runner

pytest.importorskip("celery")
pytestmark = pytest.mark.redis

QUESTION = "Does the zebracorn photo show my sister Annabel?"
AUDIT_KEY = "worker-audit-key-Zq9_41xY7-0123456789"


@dataclass(frozen=True)
class Ask:
    photo: bytes
    question: str


def photo_job(context: Any, ask: Ask, progress: Progress) -> int:
    """Stands in for prepare_job: gets the bytes and the text as a job's payload does."""
    progress("photo", 1, 1)
    return len(ask.photo) + len(ask.question)


class VerboseWorker(Worker):
    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.name, self.log = "verbose", log
        with log.open("wb") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "bot.cli.main", "-vv", "worker", "--name",
                 "verbose@test", "--concurrency", "1", "--loglevel", "debug", "--context",
                 "tests.scale.jobs:make_context"],
                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)


async def test_a_worker_at_debug_logs_no_photo_bytes_question_or_keys(
        cluster: Cluster, redis_url: str, queue: str, markers: Path) -> None:
    env = cluster.env() | {"FACEXPLAIN_AUDIT_KEY": AUDIT_KEY}
    worker = VerboseWorker(env, markers / "verbose.log")
    cluster.workers.append(worker)
    worker.wait_ready()
    runner = celery_runner(redis_url, queue)
    photo = person_photo(3, 1)
    try:
        assert await runner.run(photo_job, Ask(photo, QUESTION)) == len(photo) + len(QUESTION)
    finally:
        await runner.close()
    worker.stop()
    wait_for(lambda: worker.process.poll() is not None, 30, "the worker to stop")
    log = worker.log.read_text(errors="replace")
    assert "celery" in log.lower() and "DEBUG" in log and "run_job" in log
    middle = photo[len(photo) // 2 : len(photo) // 2 + 24]
    for trace in (repr(middle)[2:-1], middle.hex(), base64.b64encode(middle).decode()[:24],
                  "zebracorn", "Annabel", AUDIT_KEY):
        assert trace not in log, [line for line in log.splitlines() if trace in line][:5]
