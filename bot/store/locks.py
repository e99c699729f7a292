"""A per-conversation lock shared by every bot process on one PostgreSQL store (replicas).

Why a PostgreSQL advisory lock and not a Redis lock with a lease: the store is already the
truth every replica reads the conversation from, and a session-level advisory lock belongs
to its connection, so a replica that dies (even SIGKILL) releases it at once when its
connection drops, while a live one holds it as long as it needs (a decision job, a slow
download) with no lease to renew or to expire under a slow handler and let a second replica
in. Redis stays what it is for: the job queue.

Within one process the lock is re-entrant: the process holds it while any of its tasks of
that conversation needs it (the message being handled, the heatmaps being delivered), and
the dialogue's own asyncio lock and outbox order those tasks as before. Waiting polls
``pg_try_advisory_lock`` on the connection that will hold it, so no thread blocks.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.engine import URL

log = logging.getLogger(__name__)
_NAMESPACE = b"facexplain conversation lock v1"


def lock_id(name: str) -> int:
    """A signed 64-bit advisory lock id for ``name`` (a collision only makes two
    conversations wait for each other)."""
    digest = hashlib.blake2b(name.encode(), digest_size=8, key=_NAMESPACE).digest()
    return int.from_bytes(digest, "big", signed=True)


@dataclass
class _Held:
    users: int = 0
    connection: Connection | None = None
    gate: asyncio.Lock = field(default_factory=asyncio.Lock)


class AdvisoryLocks:
    """``async with locks.hold(name)``: no other process holds ``name`` meanwhile."""

    def __init__(self, url: URL | str, *, poll_s: float = 0.02, pool_size: int = 10) -> None:
        # its own engine: a held lock keeps a connection, which the store's pool must not miss
        self.engine: Engine = create_engine(url, pool_pre_ping=True, hide_parameters=True,
                                            pool_size=pool_size, max_overflow=50)
        self.poll_s = poll_s
        self._held: dict[str, _Held] = {}

    @contextlib.asynccontextmanager
    async def hold(self, name: str) -> AsyncIterator[None]:
        held = self._held.setdefault(name, _Held())
        async with held.gate:  # the first task of this process takes it; others join
            if held.users == 0:
                held.connection = await self._acquire(lock_id(name))
            held.users += 1
        try:
            yield
        finally:
            held.users -= 1
            if held.users == 0:
                connection, held.connection = held.connection, None
                self._held.pop(name, None)
                if connection is not None:
                    await asyncio.shield(asyncio.to_thread(_release, connection, lock_id(name)))

    async def _acquire(self, key: int) -> Connection:
        connection = await asyncio.to_thread(self.engine.connect)
        try:
            while not await asyncio.to_thread(_try, connection, key):
                await asyncio.sleep(self.poll_s)
        except BaseException:
            await asyncio.shield(asyncio.to_thread(connection.close))
            raise
        return connection

    def close(self) -> None:
        self.engine.dispose()


def _try(connection: Connection, key: int) -> bool:
    # autocommit: the session-level lock outlives no transaction; nothing else runs here
    got = connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": key}).scalar()
    connection.commit()
    return bool(got)


def _release(connection: Connection, key: int) -> None:
    try:
        connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
        connection.commit()
    except Exception:  # the connection broke: the server released the lock with it
        log.warning("could not release a conversation lock; dropping its connection")
        connection.invalidate()
    finally:
        connection.close()
