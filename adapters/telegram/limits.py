"""Guards in front of the dialogue: duplicate updates and a per-user rate limit."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass


class Seen:
    """The last ``size`` ids, oldest forgotten first (a bounded LRU set)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._ids: OrderedDict[Hashable, None] = OrderedDict()

    def __contains__(self, key: Hashable) -> bool:
        return key in self._ids

    def first_time(self, key: Hashable) -> bool:
        """True the first time ``key`` is offered; False for a duplicate."""
        if key in self._ids:
            self._ids.move_to_end(key)
            return False
        self._ids[key] = None
        if len(self._ids) > self.size:
            self._ids.popitem(last=False)
        return True


@dataclass
class _Bucket:
    tokens: float
    stamp: float
    warned: bool = False


class RateLimiter:
    """A token bucket per user: ``per_minute`` messages a minute, up to ``per_minute`` at once.

    ``take`` says "ok", "warn" (the first refusal of a spell, which deserves a polite reply)
    or "drop" (later refusals, answered with silence so a flood is not answered by a flood).
    """

    def __init__(self, per_minute: int, users: int = 10_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.capacity = float(max(per_minute, 1))
        self.rate = self.capacity / 60.0
        self.users = users
        self.clock = clock
        self._buckets: OrderedDict[Hashable, _Bucket] = OrderedDict()

    def take(self, user: Hashable) -> str:
        now = self.clock()
        bucket = self._buckets.get(user)
        if bucket is None:
            bucket = self._buckets[user] = _Bucket(self.capacity, now)
            if len(self._buckets) > self.users:
                self._buckets.popitem(last=False)
        self._buckets.move_to_end(user)
        bucket.tokens = min(self.capacity, bucket.tokens + (now - bucket.stamp) * self.rate)
        bucket.stamp = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            bucket.warned = False
            return "ok"
        if bucket.warned:
            return "drop"
        bucket.warned = True
        return "warn"
