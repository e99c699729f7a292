"""The progress callback shape shared by long-running work."""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    """Called as work advances: ``stage`` names the step, ``done`` of ``total`` units."""

    def __call__(self, stage: str, done: int, total: int) -> None: ...


def no_progress(stage: str, done: int, total: int) -> None:
    """The default: report nothing."""
