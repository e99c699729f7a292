"""Cheap jobs for the scale tests: module level, so Celery workers import them by name.

Every execution leaves marker files in its payload's folder (``started-<pid>-<tag>`` when it
starts, ``finished-<pid>-<tag>`` when it ends), and every context build a ``context-<pid>``
file in $FACEXPLAIN_TEST_MARKERS, so a test can count how often each really happened.
"""

from __future__ import annotations

import os
import signal
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.errors import NotCalibrated
from core.progress import Progress

MARKERS_ENV = "FACEXPLAIN_TEST_MARKERS"


def make_context(settings: Any) -> dict[str, Any]:
    """Stands in for loading the face models: notes that this process built its context."""
    folder = os.environ.get(MARKERS_ENV)
    if folder:
        (Path(folder) / f"context-{os.getpid()}").touch()
    return {"pid": os.getpid()}


def uncalibrated_context(settings: Any) -> None:
    """Stands in for a worker whose recognizer was never calibrated."""
    raise NotCalibrated(detail="no calibration for recognizer sha256 0123...")


@dataclass(frozen=True)
class Nap:
    folder: str
    seconds: float
    value: int
    tag: str = "job"
    hold: str = ""  # a file: while it exists, the job waits before its nap (at most 60 s)


def _mark(nap: Nap, event: str) -> None:
    (Path(nap.folder) / f"{event}-{os.getpid()}-{nap.tag}-{time.time_ns()}").touch()


def markers(folder: Path, event: str, tag: str = "") -> list[str]:
    return sorted(p.name for p in folder.glob(f"{event}-*") if p.name.split("-")[2].startswith(tag))


def nap_job(context: dict[str, Any], nap: Nap, progress: Progress) -> tuple[int, int]:
    """Sleeps in four steps, reporting progress; returns twice its value and the worker pid."""
    _mark(nap, "started")
    held_until = time.monotonic() + 60
    while nap.hold and Path(nap.hold).exists() and time.monotonic() < held_until:
        time.sleep(0.05)
    for step in range(4):
        progress("nap", step, 4)
        time.sleep(nap.seconds / 4)
    progress("nap", 4, 4)
    _mark(nap, "finished")
    return nap.value * 2, int(context["pid"])


def stuck_job(context: dict[str, Any], seconds: float, progress: Progress) -> None:
    time.sleep(seconds)


def deaf_job(context: dict[str, Any], seconds: float, progress: Progress) -> None:
    """Stuck where the soft time limit cannot reach it (as in native code): it blocks the
    signal that delivers it."""
    signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGUSR1])
    time.sleep(seconds)


HOLD_ENV = "FACEXPLAIN_TEST_HOLD"


class HeldFaces:
    """The real face preparer, made to wait while the file $FACEXPLAIN_TEST_HOLD exists (a
    ``held-<pid>`` marker says it is waiting), so a test can kill a worker mid-job."""

    def __init__(self, faces: Any) -> None:
        self.faces = faces

    def _hold(self) -> None:
        hold = Path(os.environ.get(HOLD_ENV, "/nonexistent"))
        if hold.exists():
            (Path(os.environ[MARKERS_ENV]) / f"held-{os.getpid()}").touch()
            held_until = time.monotonic() + 60
            while hold.exists() and time.monotonic() < held_until:
                time.sleep(0.05)

    def prepare(self, data: bytes) -> Any:
        self._hold()
        return self.faces.prepare(data)

    def prepare_image(self, image: Any) -> Any:
        self._hold()
        return self.faces.prepare_image(image)


def held_engines(settings: Any) -> Any:
    """The real engines (face models loaded once per process), with ``HeldFaces``."""
    from dataclasses import replace

    from bot.composition import build_engines

    make_context(settings)
    engines = build_engines(settings)
    return replace(engines, faces=HeldFaces(engines.faces))


HOLD_EXPLAIN_ENV = "FACEXPLAIN_TEST_HOLD_EXPLAIN"


class HeldExplainer:
    """The real explainer, made to wait while the file $FACEXPLAIN_TEST_HOLD_EXPLAIN exists (an
    ``explaining-<pid>`` marker says it is waiting)."""

    def __init__(self, explainer: Any) -> None:
        self.explainer = explainer

    def explain(self, verified: Any, progress: Progress) -> Any:
        hold = Path(os.environ.get(HOLD_EXPLAIN_ENV, "/nonexistent"))
        if hold.exists():
            (Path(os.environ[MARKERS_ENV]) / f"explaining-{os.getpid()}").touch()
            held_until = time.monotonic() + 60
            while hold.exists() and time.monotonic() < held_until:
                time.sleep(0.05)
        return self.explainer.explain(verified, progress)


def quick_held_engines(settings: Any) -> Any:
    """The real engines with a tiny saliency grid (real heatmaps in a fraction of a second),
    the face preparer held as in ``held_engines``, the explainer by ``HeldExplainer``."""
    from dataclasses import replace

    from bot.composition import build_engines
    from core.saliency import params_for, with_changes

    make_context(settings)
    quick = with_changes(params_for("interactive"), d=37, tmax=1, profile="scale-test")
    engines = build_engines(settings, quick)
    return replace(engines, faces=HeldFaces(engines.faces),
                   explainer=HeldExplainer(engines.explainer))
