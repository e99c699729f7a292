"""A global cap on the comparisons this bot process has in hand, with an honest estimate.

A comparison is in hand from its second photo until its heatmaps are delivered (or failed).
When ``limit`` are in hand, a new pair is not queued: the user is told how many are ahead and
about how long that takes (the recent heatmap time, one comparison after another), and keeps
the first photo.
"""

from __future__ import annotations

import math
import time


class Backlog:
    def __init__(self, limit: int, typical_s: float = 30.0) -> None:
        self.limit = limit
        self.active = 0
        self.typical_s = typical_s  # a moving average of how long a comparison takes

    @property
    def full(self) -> bool:
        return self.active >= self.limit

    def minutes_for(self, ahead: int) -> int:
        return max(1, math.ceil(ahead * self.typical_s / 60.0))

    def enter(self) -> float:
        self.active += 1
        return time.monotonic()

    def leave(self, began: float) -> None:
        self.active = max(0, self.active - 1)
        self.typical_s = 0.8 * self.typical_s + 0.2 * (time.monotonic() - began)
