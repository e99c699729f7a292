"""How Celery and Redis failures map onto the runner's errors."""

from __future__ import annotations

from typing import Any

from bot.jobs.runner import JobFailed, JobTimedOut, WorkerCrashed


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
