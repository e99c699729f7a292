"""A per-user rate limit for the chat adapters (Telegram and Slack alike)."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass

RATE_LIMITED = ("You are sending messages faster than I can answer them, so I skipped some. "
                "Please wait a minute, then send the rest again.")


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
