"""A progress callback that draws tqdm bars on the terminal, one per stage."""

from __future__ import annotations

from typing import Any


class TqdmProgress:
    def __init__(self, disable: bool = False) -> None:
        self.disable = disable
        self._bars: dict[str, Any] = {}

    def __call__(self, stage: str, done: int, total: int) -> None:
        from tqdm import tqdm

        bar = self._bars.get(stage)
        if bar is None:
            bar = self._bars[stage] = tqdm(total=total, desc=stage, unit="it", leave=False,
                                           disable=self.disable, mininterval=0.5)
        bar.total = total
        bar.update(done - bar.n)  # update() honours tqdm's refresh interval; refresh() would not
        if done >= total:
            bar.close()
            del self._bars[stage]

    def close(self) -> None:
        for bar in self._bars.values():
            bar.close()
        self._bars.clear()
