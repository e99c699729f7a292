"""What the Celery runner makes of what comes back: outcomes, failures, outages."""

from __future__ import annotations

import logging
from typing import Any

from bot.jobs.celery_outcomes import Outcome
from bot.jobs.runner import JobFailed, JobTimedOut, WorkerCrashed
from bot.jobs.transport import FailedJobRecord, unpack

log = logging.getLogger(__name__)


def settle(outcome: Outcome, label: str) -> Any:
    """A job's result, or its error raised again (typed, with its friendly message)."""
    kind, value = outcome
    if kind == "ok":
        return value
    record: FailedJobRecord = value
    if not record.module.startswith("core."):  # not a photo problem: a bug, worth a trace
        log.error("job %r failed:\n%s", label, record.traceback)
    raise unpack(record)


def is_outage(exc: BaseException) -> bool:
    """Whether ``exc`` means Redis could not be reached (rather than a bug)."""
    import redis.exceptions
    from celery.exceptions import BackendError
    from kombu.exceptions import OperationalError

    return isinstance(exc, OperationalError | BackendError | redis.exceptions.ConnectionError
                      | redis.exceptions.TimeoutError | ConnectionError | TimeoutError)


def failure_error(info: Any) -> JobFailed:
    """The error for a task Celery marked as failed (the task itself never raises job errors)."""
    from billiard.exceptions import TimeLimitExceeded, WorkerLostError

    if isinstance(info, TimeLimitExceeded):
        return JobTimedOut(detail="killed at the hard time limit")
    if isinstance(info, WorkerLostError):
        return WorkerCrashed(detail=str(info))
    return JobFailed(detail=f"{type(info).__name__}: {info}")
