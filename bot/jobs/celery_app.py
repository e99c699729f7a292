"""The Celery application behind ``CeleryJobRunner`` and ``facexplain worker``.

Redis is both the broker (the job queue) and the result backend (job state and progress;
a job's result is kept in its outcome record only: ``bot.jobs.celery_outcomes``).

Two things an operator must know:

- Pickle is the serializer: payloads and results are numpy arrays and dataclasses
  (``PreparedFace``, ``Verified``) that JSON cannot carry. Unpickling can run code, so the
  broker must be internal and trusted: never point ``redis_url`` at a Redis that anything
  outside the deployment can write to.
- The broker Redis must persist its data (``appendonly yes``, AOF): queued jobs are Redis
  lists, and a Redis restarted without AOF starts empty, losing them. With the default
  ``appendfsync everysec`` a crash of Redis itself may lose the last second; a clean restart
  loses nothing.

Two queues: decisions (``queue``) and heatmaps (``background_queue``); a worker that serves
both always takes a waiting decision first (Redis' queue order strategy "priority"), and
``facexplain worker --lanes decisions`` runs one that takes decisions only.

Delivery is at-least-once: a job is acknowledged only after it finished (``task_acks_late``),
and one whose worker process died is put back in the queue (``task_reject_on_worker_lost``);
one whose whole worker vanished is redelivered after the visibility timeout. Tasks are
idempotent by job id (see ``bot.jobs.celery_tasks``), so a redelivery never yields a second
result. Building the app connects to nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

TASK_NAME = "facexplain.run_job"


@dataclass(frozen=True)
class CeleryConfig:
    redis_url: str = "redis://127.0.0.1:6379/0"
    job_timeout_s: float = 600.0  # soft limit: the job stops with JobTimedOut
    kill_grace_s: float = 15.0  # then the hard limit: its process is killed
    visibility_timeout_s: float | None = None  # None: the hard limit plus a minute
    max_attempts: int = 3  # deliveries of one job before it fails as WorkerCrashed
    # A job no worker has started after this long is given up (ServiceUnavailable): no
    # worker is running, or they are far behind. None: the job time limit, at least 2 min.
    queue_timeout_s: float | None = None
    queue: str = "facexplain"  # also prefixes every Redis key, so deployments can share Redis
    result_ttl_s: int = 3600  # how long results (and the idempotency records) are kept
    connect_timeout_s: float = 3.0

    @property
    def background_queue(self) -> str:
        """Where the heatmap jobs wait; workers take the decisions' queue (``queue``) first."""
        return f"{self.queue}.background"

    @property
    def hard_limit_s(self) -> float:
        return self.job_timeout_s + self.kill_grace_s

    @property
    def queue_s(self) -> float:
        if self.queue_timeout_s is not None:
            return self.queue_timeout_s
        return max(self.job_timeout_s, 120.0)

    @property
    def visibility_s(self) -> float:
        """A job unacknowledged for this long had a worker that vanished (a live worker would
        have killed it at the hard limit and acknowledged it): it is delivered again. Must
        exceed the hard limit, or long jobs would run twice."""
        if self.visibility_timeout_s is not None:
            return self.visibility_timeout_s
        return self.hard_limit_s + 60.0


def make_app(config: CeleryConfig, role: Literal["client", "worker"] = "client") -> Any:
    """A Celery app for the bot (``client``: sends jobs, reads results) or a worker."""
    from celery import Celery

    backend = polling_backend(config.redis_url) if role == "client" else config.redis_url
    app = Celery("facexplain", broker=config.redis_url, backend=backend, set_as_current=False)
    # Sweep for abandoned (unacknowledged) jobs a few times per visibility timeout.
    restore_every = max(1.0, min(10.0, config.visibility_s / 3))
    app.conf.update(
        # internal, trusted broker only: see the module docstring
        task_serializer="pickle",
        result_serializer="pickle",
        accept_content=["pickle"],
        result_accept_content=["pickle"],
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_track_started=True,
        task_soft_time_limit=config.job_timeout_s,
        task_time_limit=config.hard_limit_s,
        task_default_queue=config.queue,
        result_expires=config.result_ttl_s,
        result_extended=False,
        broker_transport_options={
            "visibility_timeout": config.visibility_s,
            "unacked_restore_interval": restore_every,
            "unacked_restore_throttle": 1,
            "socket_connect_timeout": config.connect_timeout_s,
            "socket_timeout": 30.0,
            "global_keyprefix": f"{config.queue}:",  # a namespace: the queue's deployment
            # decisions first: a worker empties the queues in the order it lists them
            "queue_order_strategy": "priority",
        },
        result_backend_transport_options={"global_keyprefix": f"{config.queue}:"},
        redis_socket_connect_timeout=config.connect_timeout_s,
        redis_socket_timeout=10.0,
        # The bot fails fast when Redis is down (ServiceUnavailable); a worker waits for it.
        task_publish_retry_policy={"max_retries": 2, "interval_start": 0.2,
                                   "interval_step": 0.3, "interval_max": 0.5},
        broker_connection_retry_on_startup=True,
        broker_connection_max_retries=None if role == "worker" else 2,
        broker_connection_timeout=config.connect_timeout_s,
        # Loading the face models in a new pool process may take a while.
        worker_proc_alive_timeout=300.0,
        # A dead pool process's job is requeued after 2 s, not 10: had it sent its result
        # already, the redelivery just returns the recorded outcome.
        worker_lost_wait=2.0,
        # Jobs running when the broker connection drops go on; if their acknowledgement is
        # lost with the connection, the redelivery returns their recorded outcome.
        worker_cancel_long_running_tasks_on_connection_loss=False,
        worker_hijack_root_logger=False,
    )
    return app


def polling_backend(url: str) -> type[Any]:
    """The bot's result backend: Redis, read by polling only (``CeleryJobRunner``).

    Celery's Redis backend subscribes to each job's result channel when it sends the job; in
    an outage that subscriber fails beyond repair ("the Celery application must be
    restarted"). The runner polls instead, so sending subscribes to nothing."""
    from celery.backends.redis import RedisBackend

    class PollingRedisBackend(RedisBackend):  # type: ignore[misc]
        def __init__(self, app: Any, **options: Any) -> None:
            options["url"] = url
            super().__init__(app=app, **options)

        def on_task_call(self, producer: Any, task_id: str) -> None:
            return None

    return PollingRedisBackend
