"""Each platform event once within a process: the ids of the last events seen, shared by the
Telegram and Slack adapters. It is the fast path in front of the store's inbox, which is what
holds across restarts and replicas."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable


class Seen:
    """The last ``size`` ids, the least recently offered forgotten first (a bounded LRU set)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._ids: OrderedDict[Hashable, None] = OrderedDict()

    def __contains__(self, key: Hashable) -> bool:
        return key in self._ids

    def __len__(self) -> int:
        return len(self._ids)

    def first_time(self, key: Hashable) -> bool:
        """True the first time ``key`` is offered (and remembers it); False for a duplicate."""
        if key in self._ids:
            self._ids.move_to_end(key)
            return False
        self._ids[key] = None
        if len(self._ids) > self.size:
            self._ids.popitem(last=False)
        return True
