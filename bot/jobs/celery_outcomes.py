"""Job outcomes recorded in Redis by job id: what makes a redelivered job harmless.

A job's outcome (``("ok", result)`` or ``("error", FailedJobRecord)``) is written once, with
``SET NX``: the first execution to finish wins, and any later execution of the same job id
(a redelivery after its worker died, or a duplicate) gets that same outcome back instead of
its own. An attempt counter per job id stops a job that keeps killing its worker.
"""

from __future__ import annotations

import pickle
from typing import Any

from bot.jobs.celery_app import CeleryConfig

Outcome = tuple[str, Any]  # ("ok", result) | ("error", FailedJobRecord)


class Outcomes:
    """The outcome records of one queue in one Redis (the broker's); connects on first use."""

    def __init__(self, config: CeleryConfig) -> None:
        self.config = config
        self._client: Any = None

    def _key(self, job_id: str, what: str) -> str:
        return f"{self.config.queue}:job:{job_id}:{what}"

    def redis(self) -> Any:
        if self._client is None:
            import redis

            self._client = redis.Redis.from_url(
                self.config.redis_url, socket_connect_timeout=self.config.connect_timeout_s,
                socket_timeout=10.0)
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def get(self, job_id: str) -> Outcome | None:
        blob = self.redis().get(self._key(job_id, "outcome"))
        if blob is None:
            return None
        found: Outcome = pickle.loads(blob)  # our own record, in the trusted broker
        return found

    def attempt(self, job_id: str) -> int:
        """Count one more delivery of this job; returns how many there have been."""
        pipe = self.redis().pipeline()
        pipe.incr(self._key(job_id, "attempts"))
        pipe.expire(self._key(job_id, "attempts"), self.config.result_ttl_s)
        count, _ = pipe.execute()
        return int(count)

    def retire(self, job_id: str) -> None:
        """Drop a delivered job's result (the templates, the collage...), keeping a small
        record in its place until it expires, so a redelivery still returns without running
        (it reads the record before the attempt counter, which is no longer needed)."""
        blob = _dropped("delivered; the result was dropped")
        pipe = self.redis().pipeline()
        pipe.set(self._key(job_id, "outcome"), blob, xx=True, keepttl=True)
        pipe.delete(self._key(job_id, "attempts"))
        pipe.execute()

    def drop(self, job_id: str, ttl_s: float | None = None) -> None:
        """/forget: the same small record, finished or not. A job still queued or running
        then ends with it (``record`` keeps the first outcome): its result never lands.
        ``ttl_s``: a job no worker can get any more (its message was taken off the queue)
        needs the record only until the bots awaiting it have seen it."""
        blob = _dropped("forgotten; the result was dropped")
        ttl_ms = int(1000 * (self.config.result_ttl_s if ttl_s is None else ttl_s))
        pipe = self.redis().pipeline()
        pipe.set(self._key(job_id, "outcome"), blob, px=ttl_ms)
        pipe.delete(self._key(job_id, "attempts"))
        pipe.execute()

    def record(self, job_id: str, outcome: Outcome) -> Outcome:
        """Record ``outcome`` unless one is recorded already; returns the one that stands.
        Raises if ``outcome`` does not pickle (the caller records an error instead)."""
        blob = pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL)
        key = self._key(job_id, "outcome")
        if self.redis().set(key, blob, nx=True, ex=self.config.result_ttl_s):
            return outcome
        return self.get(job_id) or outcome


def _dropped(detail: str) -> bytes:
    """A dropped result's record: an error with no personal data."""
    from bot.jobs.runner import JobFailed
    from bot.jobs.transport import pack

    return pickle.dumps(("error", pack(JobFailed(detail=detail))), protocol=pickle.HIGHEST_PROTOCOL)
