"""The first photo's prepared face in Redis, so that the replica that gets the second photo
can compare them (``bot.dialogue.context.FaceShelf``).

Kept under ``<queue>:first-face:<owner pseudonym>:<conversation id>``, sealed with the
store's key (Fernet: encrypted and authenticated, so only a bot of this deployment can have
written what it reads back), for ``ttl_s`` at most; deleted once the comparison is made, on
/new and on /forget. Never in the SQL store. The face is the aligned crop and template that a
decision job gets anyway (Celery carries it to the workers the same way).
"""

from __future__ import annotations

import asyncio
import pickle
from typing import Any, Protocol

from core.pipeline import PreparedFace


class Sealer(Protocol):
    def seal(self, data: bytes) -> bytes: ...

    def unseal(self, token: bytes) -> bytes: ...


class RedisShelf:
    def __init__(self, redis_url: str, prefix: str, sealer: Sealer, ttl_s: int = 1800) -> None:
        self.redis_url = redis_url
        self.prefix = f"{prefix}:first-face"
        self.sealer = sealer
        self.ttl_s = ttl_s
        self._client: Any = None

    @property
    def client(self) -> Any:
        if self._client is None:  # no connection until first used
            import redis

            self._client = redis.Redis.from_url(self.redis_url, socket_timeout=5,
                                                socket_connect_timeout=5)
        return self._client

    def _key(self, who: str, conversation_id: int) -> str:
        return f"{self.prefix}:{who}:{conversation_id}"

    async def put(self, who: str, conversation_id: int, face: PreparedFace) -> None:
        sealed = self.sealer.seal(pickle.dumps(face, protocol=pickle.HIGHEST_PROTOCOL))
        await asyncio.to_thread(self.client.set, self._key(who, conversation_id), sealed,
                                ex=self.ttl_s)

    async def get(self, who: str, conversation_id: int) -> PreparedFace | None:
        sealed = await asyncio.to_thread(self.client.get, self._key(who, conversation_id))
        if sealed is None:
            return None
        face = pickle.loads(self.sealer.unseal(sealed))  # noqa: S301 - sealed by this deployment
        return face if isinstance(face, PreparedFace) else None

    async def drop(self, who: str, conversation_id: int) -> None:
        await asyncio.to_thread(self.client.delete, self._key(who, conversation_id))

    async def forget(self, who: str) -> int:
        """Every shelved face of ``who``; how many."""
        def delete_all() -> int:
            keys = list(self.client.scan_iter(match=f"{self.prefix}:{who}:*", count=500))
            return int(self.client.delete(*keys)) if keys else 0

        return await asyncio.to_thread(delete_all)

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
