"""/forget and the first-face shelf: Erin sends only her FIRST photo on the Celery runner, so
its prepared face waits for the second in Redis (``<queue>:first-face:<pseudonym>:…``, sealed),
then sends /forget. Afterwards a SCAN of the queue's namespace finds no first-face key and
nothing naming her (pseudonym, platform ids), and the PostgreSQL store has no row of hers.

Real parts: a ``facexplain worker`` with the real face models, Redis, a store brought to head
by Alembic, and the dialogue with the replica parts the composition root gives a PostgreSQL
store on Celery (the advisory locks and the Redis shelf).
"""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text

from bot.composition import replica_parts
from bot.dialogue import Dialogue, DialogueConfig
from bot.jobs.shelf import RedisShelf
from bot.settings import load_settings
from bot.store.locks import AdvisoryLocks
from tests.bot.dialogue_helpers import GENUINE, Chat, photo, texts_of
from tests.conftest import needs_shared
from tests.databases import SKIP_ENV, postgres_skipped
from tests.scale.conftest import OnPostgres
from tests.scale.redis_scan import kind_of, namespace
from tests.scale.test_forget_redis import LEFT_BY_DESIGN, STORE_TABLES

pytest.importorskip("celery")
pytestmark = [pytest.mark.redis, pytest.mark.postgres, needs_shared,
              pytest.mark.skipif(postgres_skipped(), reason=f"{SKIP_ENV}=1")]
QUICK = "tests.scale.jobs:quick_held_engines"  # real models, a tiny saliency grid
USER, CHAT = "erin-5151", "chat-5151"


async def test_forget_after_only_the_first_photo_leaves_no_shelved_face(
        on_postgres: OnPostgres, redis_url: str, queue: str) -> None:
    workers, store, runner = on_postgres.workers, on_postgres.store, on_postgres.runner
    client = on_postgres.client
    settings = load_settings(job_runner="celery", redis_url=redis_url, job_queue=queue)
    locks, shelf = replica_parts(settings, store)
    # what two replicas would share
    assert isinstance(locks, AdvisoryLocks) and isinstance(shelf, RedisShelf)
    talk = Dialogue(runner, store, None, DialogueConfig(consent="on_first_photo"),  # type: ignore[arg-type]
                    locks=locks, shelf=shelf)
    erin = Chat(talk, USER, chat=CHAT, platform="telegram")
    who = store.user_ref("telegram", USER)
    try:
        worker = workers.start("faces", context=QUICK)
        await asyncio.to_thread(worker.wait_ready, 90)
        got = texts_of(await erin.photos(photo(*GENUINE[0])))
        assert any(t.startswith("Got it") for t in got), got

        shelved = list(client.scan_iter(match=f"{queue}:first-face:*"))
        assert [key.decode().split(":")[-2] for key in shelved] == [who]  # by pseudonym
        [face] = [client.get(key) for key in shelved]
        assert face and USER.encode() not in face and CHAT.encode() not in face  # sealed

        forgot = texts_of(await erin.say("/forget"))
        assert forgot and "deleted" in forgot[-1].lower(), forgot
        await talk.idle()

        left = namespace(client, queue)
        assert not [k for k in left if ":first-face:" in k], sorted(left)
        for name, values in left.items():
            for blob in (name.encode(), *values):
                for personal in (who.encode(), USER.encode(), CHAT.encode()):
                    assert personal not in blob, name
        assert {kind_of(k) for k in left} <= LEFT_BY_DESIGN, sorted(left)
        with store.engine.connect() as db:
            for table in STORE_TABLES:
                assert db.execute(text(f"SELECT count(*) FROM {table}")).scalar_one() == 0, table
        assert store.verify_audit().ok
    finally:
        await talk.close()
        locks.close()
        shelf.close()
