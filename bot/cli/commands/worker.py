"""``facexplain worker``: a Celery worker that runs the bot's jobs (FACEXPLAIN_JOB_RUNNER=celery).

Each pool process loads the face models once, when it starts, and then runs jobs one at a
time. Start as many workers, on as many machines, as the load needs; they share the queue in
FACEXPLAIN_REDIS_URL. Nothing heavy is imported until the command runs.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from functools import partial
from typing import Any

import click

from bot.settings import Settings


def context_factory(settings: Settings, dotted: str | None) -> Callable[[], Any]:
    """What each pool process builds once: the face engines, or ``module:function(settings)``."""
    if dotted is None:
        from bot.composition import build_engines

        return partial(build_engines, settings)
    from bot.jobs.celery_tasks import resolve

    return partial(resolve(dotted), settings)


@click.command("worker")
@click.option("--concurrency", "-c", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Pool processes, each with its own copy of the models.")
@click.option("--pool", default="prefork", show_default=True,
              type=click.Choice(["prefork", "solo"]),
              help="prefork: jobs in child processes (time limits and crash isolation); solo: "
                   "in this process (debugging).")
@click.option("--name", default=None,
              help="Worker name (default facexplain-<pid>@<host>; unique per worker).")
@click.option("--loglevel", default="info", show_default=True,
              type=click.Choice(["debug", "info", "warning", "error"]))
@click.option("--lanes", default="all", show_default=True, type=click.Choice(["all", "decisions"]),
              help="all: decisions first, then heatmaps; decisions: decisions only (a worker "
                   "that keeps decisions quick while others make heatmaps).")
@click.option("--nice", default=0, show_default=True, type=click.IntRange(0, 19),
              help="Run at a lower CPU priority (e.g. 10 for heatmap workers on the machine "
                   "of a decisions worker).")
@click.option("--context", "context", default=None, metavar="MODULE:FUNCTION",
              help="Advanced: build each process's context with FUNCTION(settings) instead of "
                   "loading the face models (job functions of your own).")
def command(concurrency: int, pool: str, name: str | None, loglevel: str, lanes: str,
            nice: int, context: str | None) -> None:
    """Run jobs from the queue in Redis (FACEXPLAIN_REDIS_URL) until Ctrl+C or SIGTERM
    (a warm shutdown: running jobs finish first)."""
    from bot.cli.options import settings_from
    from bot.composition import celery_config
    from bot.jobs.celery_app import make_app
    from bot.jobs.celery_tasks import register

    settings = settings_from()
    config = celery_config(settings)
    app = make_app(config, "worker")
    register(app, config, context_factory(settings, context))
    if nice:
        os.nice(nice)  # the pool processes inherit it
    queues = config.queue if lanes == "decisions" else f"{config.queue},{config.background_queue}"
    app.worker_main([
        "worker", f"--concurrency={concurrency}", f"--pool={pool}",
        f"--loglevel={loglevel.upper()}", f"--queues={queues}",
        f"--hostname={name or f'facexplain-{os.getpid()}@{socket.gethostname()}'}",
        "--without-gossip", "--without-mingle",  # workers need not know each other
    ])
