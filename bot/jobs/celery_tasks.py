"""The one generic Celery task: ``job(context, payload, progress)``, the job named by its
dotted name, run against this worker process's context.

Each worker process builds its context (the loaded face models) once: see
``bot.jobs.celery_context``.

The task is idempotent by job id (the Celery task id): see ``bot.jobs.celery_outcomes``.
Progress is coarse: the latest ``(stage, done, total)`` is written to the task state
("PROGRESS") at most every 0.2 s and whenever a stage starts or ends; the runner polls it, so
callers see the latest value at each poll, not every step. Nothing here runs at import.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import os
import pickle
import time
from collections.abc import Callable
from typing import Any

from bot.jobs.celery_app import TASK_NAME, CeleryConfig
from bot.jobs.celery_context import CONTEXT
from bot.jobs.celery_outcomes import Outcome, Outcomes
from bot.jobs.runner import Job, JobTimedOut, WorkerCrashed
from bot.jobs.transport import pack

log = logging.getLogger(__name__)


def job_name(job: Job[Any]) -> str:
    name = f"{job.__module__}:{job.__qualname__}"
    if "<" in name:
        raise ValueError(f"{name} is not a module-level function: a worker cannot import it")
    return name


def resolve(name: str) -> Job[Any]:
    module, _, attribute = name.partition(":")
    found = getattr(importlib.import_module(module), attribute)
    if not callable(found):
        raise TypeError(f"{name} is not a job function")
    job: Job[Any] = found
    return job


class ProgressWriter:
    """A job's progress callback: writes the latest value to the task state, throttled."""

    def __init__(self, task: Any, every_s: float = 0.2) -> None:
        self.task = task
        self.every_s = every_s
        self._stage = ""
        self._last = 0.0

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        edge = stage != self._stage or done in (0, total)
        if not edge and now - self._last < self.every_s:
            return
        self._stage, self._last = stage, now
        meta = {"stage": stage, "done": done, "total": total, "pid": os.getpid()}
        with contextlib.suppress(Exception):  # progress is best effort; the job goes on
            self.task.update_state(state="PROGRESS", meta=meta)


def execute(name: str, payload: Any, progress: ProgressWriter) -> Outcome:
    from celery.exceptions import SoftTimeLimitExceeded

    try:
        return ("ok", resolve(name)(CONTEXT.get(), payload, progress))
    except SoftTimeLimitExceeded:
        log.warning("job %s ran past its time limit", name)
        return ("error", pack(JobTimedOut()))
    except Exception as exc:
        return ("error", pack(exc))


def run_once(task: Any, outcomes: Outcomes, max_attempts: int, job_id: str, name: str,
             payload: Any) -> Outcome:
    """Run the job unless it already has an outcome; returns the outcome that stands."""
    found = outcomes.get(job_id)
    if found is not None:
        log.info("job %s was delivered again after it finished: returning its outcome", job_id)
        return found
    attempt = outcomes.attempt(job_id)
    if attempt > max_attempts:
        outcome: Outcome = ("error", pack(WorkerCrashed(
            detail=f"{name} was delivered {attempt} times and never finished")))
    else:
        outcome = execute(name, payload, ProgressWriter(task))
    try:
        return outcomes.record(job_id, outcome)
    except (pickle.PicklingError, TypeError, AttributeError) as exc:  # the result did not pickle
        return outcomes.record(job_id, ("error", pack(exc)))


def register(app: Any, config: CeleryConfig, factory: Callable[[], Any]) -> Any:
    """Register the task on a worker's app; each pool process builds its context at start."""
    from celery.app import trace
    from celery.signals import worker_process_init

    # Results hold face templates and images: log that a job succeeded, never its result.
    trace.LOG_SUCCESS = "Task %(name)s[%(id)s] succeeded in %(runtime)ss"
    CONTEXT.install(factory)
    worker_process_init.connect(CONTEXT.build, weak=False)
    outcomes = Outcomes(config)

    def run_job(task: Any, job_id: str, name: str, payload: Any) -> str:
        # The outcome lives in its record only; the task state says which kind it is, so
        # Celery's result backend never holds a second copy of the templates.
        kind: str = run_once(task, outcomes, config.max_attempts, job_id, name, payload)[0]
        return kind

    return app.task(name=TASK_NAME, bind=True)(run_job)
