"""Guards in front of the dialogue: duplicate updates and a per-user rate limit
(``adapters.ratelimit``, shared with Slack)."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable

from adapters.ratelimit import RateLimiter

__all__ = ["RateLimiter", "Seen"]


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
