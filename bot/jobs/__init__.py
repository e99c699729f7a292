"""Running heavy work off the event loop: the ``JobRunner`` port and in-process runners.

``ProcessJobRunner`` (worker processes, models loaded once per worker, crash-isolated) is the
default; ``ThreadJobRunner`` runs jobs on threads of this process; ``CeleryJobRunner``
(``bot.jobs.celery_runner``, needs the ``scale`` extra) sends them to ``facexplain worker``
processes through Redis. Importing this package starts nothing.
"""

from bot.jobs.processes import ProcessJobRunner, ProcessOptions
from bot.jobs.runner import (
    ContextFactory,
    Job,
    JobFailed,
    JobRunner,
    JobTimedOut,
    RunnerClosed,
    ServiceUnavailable,
    WorkerCrashed,
)
from bot.jobs.threads import ThreadJobRunner

__all__ = [
    "ContextFactory",
    "Job",
    "JobFailed",
    "JobRunner",
    "JobTimedOut",
    "ProcessJobRunner",
    "ProcessOptions",
    "RunnerClosed",
    "ServiceUnavailable",
    "ThreadJobRunner",
    "WorkerCrashed",
]
