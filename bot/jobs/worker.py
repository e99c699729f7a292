"""The loop a worker process runs: build the context once, then run jobs sent down a pipe.

Messages to the parent: ("ready",) once the context is built, then for each job
("progress", stage, done, total)... and ("ok", result) or ("error", record).
A job that kills its process (a crash in native code, os._exit, SIGKILL) sends nothing; the
parent sees the pipe close and fails that one job.
"""

from __future__ import annotations

import os
import signal
from multiprocessing.connection import Connection
from typing import Any

from bot.jobs.runner import ContextFactory
from bot.jobs.transport import FailedJobRecord, pack


def worker_main(conn: Connection, factory: ContextFactory, nice: int = 0) -> None:
    """``nice``: a lower CPU priority for workers that make heatmaps, so that the one that
    makes decisions gets the cores first (``bot.jobs.lanes``)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    if nice:
        os.nice(nice)
    context: Any = None
    failed: FailedJobRecord | None = None
    try:
        context = factory()
    except Exception as exc:  # reported with every job, so the user gets the friendly message
        failed = pack(exc)
    conn.send(("ready",))
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        if failed is not None:
            conn.send(("error", failed))
            continue
        job, payload = message

        def progress(stage: str, done: int, total: int) -> None:
            conn.send(("progress", stage, done, total))

        try:
            result = job(context, payload, progress)
        except Exception as exc:
            conn.send(("error", pack(exc)))
            continue
        try:
            conn.send(("ok", result))
        except Exception as exc:  # the result did not pickle
            conn.send(("error", pack(exc)))
