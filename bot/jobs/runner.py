"""The job-runner port: heavy work (verification, saliency, attributes) off the event loop.

A job is a module-level function ``job(context, payload, progress) -> result``: ``context`` is
what a worker built once at start (the loaded models), ``payload`` the job's input. Jobs,
payloads and results must pickle, so that a runner may execute them in another process.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from core.errors import FacexplainError
from core.progress import Progress, no_progress

T = TypeVar("T")
Job = Callable[[Any, Any, Progress], T]
ContextFactory = Callable[[], Any]


class JobFailed(FacexplainError):
    """A job raised something that is not a FacexplainError (a bug): a generic message."""

    code = "job_failed"
    user_message = "Something went wrong on my side while working on your photos. Please try again."


class WorkerCrashed(JobFailed):
    code = "worker_crashed"
    user_message = (
        "The worker that was processing your request stopped unexpectedly, so I could not "
        "finish it. Please send your photos again."
    )


class JobTimedOut(JobFailed):
    code = "job_timeout"
    user_message = "That took too long, so I stopped it. Please try again, perhaps with smaller photos."


class RunnerClosed(JobFailed):
    code = "runner_closed"
    user_message = "The service is shutting down. Please try again in a moment."


class ServiceUnavailable(JobFailed):
    """The job service (the Celery broker, Redis) cannot be reached; it may come back."""

    code = "service_unavailable"
    user_message = (
        "The analysis service is temporarily unavailable, so I could not work on your photos "
        "just now. Please try again in a minute."
    )


class JobRunner(Protocol):
    """Runs jobs; progress callbacks are delivered on the caller's event loop."""

    async def start(self) -> None:
        """Start workers ahead of the first job (optional: ``run`` starts them on demand)."""

    async def run(
        self, job: Job[T], payload: Any, progress: Progress = no_progress, *, label: str = ""
    ) -> T:
        """Run ``job(context, payload, progress)`` and return its result or raise its error.

        ``label`` names the job in logs and in ``running()`` (never personal data).
        """
        ...

    def running(self) -> dict[str, int]:
        """Labels of the jobs now running, with the process id that runs each."""
        ...

    async def close(self) -> None: ...
