"""Running heavy work off the event loop: the ``JobRunner`` port and in-process runners.

``ProcessJobRunner`` (worker processes, models loaded once per worker, crash-isolated) is the
default; ``ThreadJobRunner`` runs jobs on threads of this process. Importing this package
starts nothing.
"""

from bot.jobs.processes import ProcessJobRunner, ProcessOptions
from bot.jobs.runner import (
    ContextFactory,
    Job,
    JobFailed,
    JobRunner,
    JobTimedOut,
    RunnerClosed,
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
    "ThreadJobRunner",
    "WorkerCrashed",
]
