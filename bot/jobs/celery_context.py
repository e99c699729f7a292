"""A Celery worker process's context (its loaded face models), built once per process.

``register`` (``bot.jobs.celery_tasks``) installs the factory in the worker's main process
before the pool forks; each pool process then builds its context when it starts
(``worker_process_init``), so a job's time limit counts only the job, or at its first job
(the ``solo`` pool). A context that fails to build fails every job with its error (a
friendly one, such as NotCalibrated), as the process runner does.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)


class ProcessContext:
    """This worker process's context, built once by the installed factory."""

    def __init__(self) -> None:
        self._factory: Callable[[], Any] | None = None
        self._lock = threading.Lock()
        self._built = False
        self._value: Any = None
        self._error: Exception | None = None

    def install(self, factory: Callable[[], Any]) -> None:
        with self._lock:
            self._factory, self._built, self._value, self._error = factory, False, None, None

    def build(self, **_signal: Any) -> None:
        with self._lock:
            if self._built:
                return
            self._built = True
            if self._factory is None:
                self._error = RuntimeError("no context factory installed in this worker")
                return
            try:
                self._value = self._factory()
                log.info("worker process %d: context ready", os.getpid())
            except Exception as exc:  # reported with every job, as the friendly error
                log.error("worker process %d could not build its context: %s", os.getpid(), exc)
                self._error = exc

    def get(self) -> Any:
        self.build()
        if self._error is not None:
            raise self._error
        return self._value


CONTEXT = ProcessContext()
