"""Each Slack event once: duplicates (the same ``event_id``) and Slack's retries are dropped."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping, Sequence


class SeenEvents:
    """The ids of the last ``limit`` events, least recently seen forgotten first."""

    def __init__(self, limit: int = 10_000) -> None:
        self.limit = limit
        self._ids: OrderedDict[str, None] = OrderedDict()

    def first_time(self, event_id: str) -> bool:
        """True the first time ``event_id`` is seen (and remembers it), False afterwards."""
        if event_id in self._ids:
            self._ids.move_to_end(event_id)
            return False
        self._ids[event_id] = None
        while len(self._ids) > self.limit:
            self._ids.popitem(last=False)
        return True

    def __len__(self) -> int:
        return len(self._ids)


def retry_number(headers: Mapping[str, Sequence[str] | str]) -> int:
    """Slack's ``X-Slack-Retry-Num`` (Socket Mode's ``retry_attempt`` is mapped onto it by
    Bolt); 0 for a first delivery."""
    value = headers.get("x-slack-retry-num")
    if isinstance(value, Sequence) and not isinstance(value, str):
        value = value[0] if value else None
    try:
        return int(value) if value is not None else 0
    except ValueError:
        return 0
