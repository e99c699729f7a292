"""Decisions first: the process runner's job queue has two lanes.

A job whose label's kind is a background one (the heatmaps: ``explain#N``) waits in the
background lane; every other job (a photo, a decision) in the interactive lane, and a worker
always takes an interactive job first. The first worker slot is kept for interactive jobs
(``interactive_only``), so a decision never waits behind heatmaps that are already running;
on two cores that costs the heatmaps little, as one heatmap job already uses both. The other
workers run at a lower CPU priority (``nice`` 10), so a decision also gets the cores first.
"""

from __future__ import annotations

import threading
from collections import deque
from typing import Generic, TypeVar

BACKGROUND_KINDS = frozenset({"explain"})

W = TypeVar("W")


def is_background(label: str) -> bool:
    """``explain#12`` -> True; ``verify#12``, ``photo#3``, "" -> False."""
    return label.partition("#")[0] in BACKGROUND_KINDS


class JobLanes(Generic[W]):
    """A thread-safe two-lane queue; ``None`` items (stop) go to both lanes' readers."""

    def __init__(self) -> None:
        self._interactive: deque[W] = deque()
        self._background: deque[W] = deque()
        self._stops = 0
        self._ready = threading.Condition()

    def put(self, item: W, *, background: bool = False) -> None:
        with self._ready:
            (self._background if background else self._interactive).append(item)
            self._ready.notify_all()

    def stop_one(self) -> None:
        """Ask one reader to stop (after the jobs still queued for it)."""
        with self._ready:
            self._stops += 1
            self._ready.notify_all()

    def get(self, *, interactive_only: bool = False) -> W | None:
        """The next job (interactive first), or None when asked to stop."""
        with self._ready:
            while True:
                if self._interactive:
                    return self._interactive.popleft()
                if self._background and not interactive_only:
                    return self._background.popleft()
                if self._stops:
                    self._stops -= 1
                    return None
                self._ready.wait()

    def drain(self) -> list[W]:
        """Take every queued job out (on close: they never start)."""
        with self._ready:
            items = [*self._interactive, *self._background]
            self._interactive.clear()
            self._background.clear()
            return items

    def waiting(self) -> tuple[int, int]:
        """(interactive, background) jobs waiting."""
        with self._ready:
            return len(self._interactive), len(self._background)
