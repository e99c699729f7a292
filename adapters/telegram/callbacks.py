"""Inline-button payloads: Telegram gives ``callback_data`` 64 bytes, so a (action, value) pair
that does not fit is kept here and the button carries a short reference to it."""

from __future__ import annotations

import itertools
from collections import OrderedDict

LIMIT = 64


class CallbackData:
    def __init__(self, size: int = 10_000) -> None:
        self.size = size
        self._kept: OrderedDict[str, tuple[str, str]] = OrderedDict()
        self._serial = itertools.count(1)

    def encode(self, action: str, value: str) -> str:
        data = f"{action}|{value}"
        if len(data.encode()) <= LIMIT and not data.startswith("#"):
            return data
        ref = f"#{next(self._serial)}"
        self._kept[ref] = (action, value)
        if len(self._kept) > self.size:
            self._kept.popitem(last=False)
        return ref

    def decode(self, data: str) -> tuple[str, str]:
        """The (action, value) a button carries; ("", "") for one this process no longer knows
        (the dialogue answers that the button is no longer active)."""
        if data.startswith("#"):
            return self._kept.get(data, ("", ""))
        action, _, value = data.partition("|")
        return action, value
