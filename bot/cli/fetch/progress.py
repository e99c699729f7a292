"""A tqdm byte bar behind the downloader's ``(done, total)`` callback."""

from __future__ import annotations

from typing import Any


class ByteBar:
    def __init__(self, label: str, disable: bool = False) -> None:
        self.label = label
        self.disable = disable
        self._bar: Any = None

    def __call__(self, done: int, total: int | None) -> None:
        from tqdm import tqdm

        if self._bar is None:
            self._bar = tqdm(total=total, initial=done, desc=self.label, unit="B", unit_scale=True,
                             unit_divisor=1024, disable=self.disable, mininterval=0.5)
        self._bar.update(done - self._bar.n)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
