"""Cheap jobs for the job-runner tests (tests/bot, tests/scale): module level, so that worker
processes import them by name."""

from __future__ import annotations

import os
import time
from typing import Any

from core.errors import NoFaceFound, NotCalibrated
from core.progress import Progress


def make_context() -> dict[str, Any]:
    return {"pid": os.getpid(), "built_at": time.time()}


def uncalibrated_context() -> None:
    raise NotCalibrated(detail="no calibration for recognizer sha256 0123...")


def square_job(context: dict[str, Any], payload: int, progress: Progress) -> tuple[int, int]:
    for step in range(3):
        progress("square", step + 1, 3)
    return payload * payload, context["pid"]


def slow_job(context: dict[str, Any], seconds: float, progress: Progress) -> int:
    progress("slow", 0, 1)
    time.sleep(seconds)
    return int(context["pid"])


def crash_job(context: dict[str, Any], payload: None, progress: Progress) -> None:
    os._exit(3)


def no_face_job(context: dict[str, Any], payload: None, progress: Progress) -> None:
    error = NoFaceFound(detail="0 detections at 640x640")
    error.photo = 2
    raise error


def buggy_job(context: dict[str, Any], payload: None, progress: Progress) -> None:
    raise KeyError("internal detail")
