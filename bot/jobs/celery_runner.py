"""``CeleryJobRunner``: jobs run on Celery workers (``facexplain worker``), through Redis.

- Sending a job: when Redis cannot be reached, ``run`` raises ``ServiceUnavailable`` (a
  friendly message for the user) within a few seconds; the next job tries again, so the
  service recovers by itself when Redis returns.
- Waiting: the job's state is polled every ``poll_s`` on a small thread pool of the runner,
  never on the event loop. A Redis outage while waiting is tolerated for ``outage_s`` (the
  job stays queued in Redis and finishes once it is back); a longer one raises
  ``ServiceUnavailable``. Waiting ends after ``wait_s`` with ``JobTimedOut``.
- Progress is coarse: at each poll the caller's callback gets the latest
  ``(stage, done, total)`` a worker wrote, if it changed; intermediate steps may be skipped.
- Errors: a job's ``FacexplainError`` comes back typed, with its friendly message; a job past
  its soft time limit, or killed at its hard limit, is ``JobTimedOut``; a job whose worker
  died is delivered again (to any worker) and returns one result; one that keeps killing its
  worker ends as ``WorkerCrashed``; one that no worker starts within ``queue_timeout_s`` (no
  worker running) is given up as ``ServiceUnavailable`` and never runs later.
- Replies that outlive the bot: ``remember`` notes (before the job is sent) who awaits a
  job's result, ``pending`` lists the notes left, ``claim`` takes one (atomic ``DEL``: one
  bot wins), ``collect`` waits for a job's outcome without sending the job again. Notes are
  kept ``result_ttl_s``, as long as the outcomes themselves.
- ``close`` refuses new jobs, lets the calls waiting for results wait ``grace_s`` more, then
  fails them with ``RunnerClosed``. Their jobs still finish on the workers, and each outcome
  stays in Redis under its job id for ``result_ttl_s``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from bot.jobs.celery_app import CeleryConfig
from bot.jobs.celery_client import CeleryClient
from bot.jobs.celery_errors import failure_error, is_outage, settle
from bot.jobs.celery_outcomes import Outcome
from bot.jobs.celery_tasks import job_name
from bot.jobs.lanes import is_background
from bot.jobs.runner import Job, JobFailed, JobTimedOut, RunnerClosed, ServiceUnavailable, T
from bot.jobs.transport import pack
from core.progress import Progress, no_progress

log = logging.getLogger(__name__)


class CeleryJobRunner:
    def __init__(self, config: CeleryConfig, *, poll_s: float = 0.25, outage_s: float = 60.0,
                 wait_s: float | None = None, grace_s: float = 30.0) -> None:
        self.config = config
        self.poll_s = poll_s
        self.outage_s = outage_s
        # each delivery may wait out the visibility timeout, then run up to the hard limit
        self.wait_s = wait_s if wait_s is not None else (
            config.max_attempts * (config.visibility_s + config.hard_limit_s))
        self.client = CeleryClient(config)
        self._io = ThreadPoolExecutor(max_workers=4, thread_name_prefix="facexplain-celery")
        self.grace_s = grace_s
        self._jobs: dict[str, tuple[str, int | None]] = {}  # job id -> label, worker pid
        self._noted: set[str] = set()  # jobs whose result a note awaits (dropped on claim)
        self._idle = asyncio.Event()
        self._idle.set()
        self._closed = False  # no new jobs
        self._aborted = False  # no more waiting either

    async def _call(self, func: Callable[..., Any], *args: Any) -> Any:
        if self._aborted:
            raise RunnerClosed()
        try:
            return await asyncio.get_running_loop().run_in_executor(self._io, func, *args)
        except RuntimeError:
            if self._aborted:  # the pool was shut down meanwhile
                raise RunnerClosed() from None
            raise

    async def start(self) -> None:
        """Check that Redis answers; if not, log it (jobs fail friendly until it does)."""
        try:
            await self._call(self.client.ping)
        except Exception as exc:
            if not is_outage(exc):
                raise
            log.error("the job broker (Redis) is not reachable: %s", exc)

    async def run(self, job: Job[T], payload: Any, progress: Progress = no_progress, *,
                  label: str = "", job_id: str | None = None) -> T:
        """``job_id`` (default: a new one) names the job: runs with the same id share one
        outcome."""
        if self._closed:
            raise RunnerClosed()
        job_id = job_id or uuid.uuid4().hex
        name = job_name(job)
        self._jobs[job_id] = (label, None)
        self._idle.clear()
        try:
            try:
                await self._call(self.client.send, job_id, name, payload,
                                 is_background(label))
            except Exception as exc:
                if not is_outage(exc):
                    raise
                log.error("could not queue job %r: %s", label, exc)
                raise ServiceUnavailable(detail=f"could not queue the job: {exc}") from None
            outcome: Outcome = await self._wait(job_id, progress)
            if job_id not in self._noted:  # nobody else will ask for it: drop the result now
                with contextlib.suppress(Exception):
                    await self._call(self.client.retire, job_id)
        finally:
            self._jobs.pop(job_id, None)
            self._noted.discard(job_id)
            if not self._jobs:
                self._idle.set()
        result: T = settle(outcome, label)
        return result

    async def _wait(self, job_id: str, progress: Progress) -> Outcome:
        loop = asyncio.get_running_loop()
        began = loop.time()
        deadline = began + self.wait_s
        down_since: float | None = None
        shown: tuple[Any, ...] | None = None
        while True:
            try:
                status, info = await self._call(self.client.peek, job_id)
                # not started, yet given an outcome: dropped by /forget (read in the same try:
                # Redis going down between the two reads is an outage like any other)
                recorded: Outcome | None = (await self._call(self.client.outcome, job_id)
                                            if status == "PENDING" else None)
            except RunnerClosed:
                raise
            except Exception as exc:
                if not is_outage(exc):
                    raise
                down_since = loop.time() if down_since is None else down_since
                if loop.time() - down_since > self.outage_s:
                    raise ServiceUnavailable(detail=f"lost Redis while waiting: {exc}") from None
            else:
                down_since = None
                if recorded is not None:
                    return recorded
                if status == "PENDING" and loop.time() - began > self.config.queue_s:
                    log.error("no worker took job %s in %.0f s", job_id, self.config.queue_s)
                    given_up: Outcome = await self._call(
                        self.client.give_up, job_id, ServiceUnavailable(
                            detail=f"no worker took the job in {self.config.queue_s:.0f} s"))
                    return given_up
                if status == "SUCCESS":
                    return await self._finished(job_id, info)
                if status == "FAILURE":
                    raise failure_error(info)
                if status == "REVOKED":
                    raise JobFailed(detail="the job was revoked")
                if isinstance(info, dict) and "pid" in info:
                    self._jobs[job_id] = (self._jobs[job_id][0], int(info["pid"]))
                    if status == "PROGRESS":
                        now = (info["stage"], info["done"], info["total"])
                        if now != shown:
                            shown = now
                            progress(*now)
            if loop.time() > deadline:
                raise JobTimedOut(detail=f"no result after {self.wait_s:.0f} s")
            await asyncio.sleep(self.poll_s)

    async def _finished(self, job_id: str, info: Any) -> Outcome:
        """The outcome of a job whose task state says SUCCESS: its record (the task state
        holds only its kind); the task state is dropped."""
        with contextlib.suppress(RunnerClosed):
            await self._call(self.client.forget, job_id)
        if isinstance(info, tuple):  # a worker of an earlier version returned the outcome
            return info
        found: Outcome | None = await self._redis_call(self.client.outcome, job_id)
        if found is None:  # expired
            return ("error", pack(JobFailed(detail="the job's outcome is gone")))
        return found

    async def remember(self, job_id: str, note: dict[str, str]) -> None:
        """Note who awaits ``job_id`` (call before ``run``), so that a later bot can deliver;
        its result is dropped once claimed (``claim``)."""
        self._noted.add(job_id)
        await self._redis_call(self.client.remember, job_id, note)

    async def forget_notes(self, who: str) -> int:
        """/forget: delete the notes and results of the jobs ``who`` (a pseudonym) awaits."""
        gone: int = await self._redis_call(self.client.forget_notes, who)
        return gone

    async def pending(self) -> list[tuple[str, dict[str, str]]]:
        """The notes not claimed yet: (job id, note)."""
        found: list[tuple[str, dict[str, str]]] = await self._redis_call(self.client.pending)
        return found

    async def claim(self, job_id: str) -> bool:
        """Take the right to deliver ``job_id``'s result; True for exactly one caller."""
        claimed: bool = await self._redis_call(self.client.claim, job_id)
        return claimed

    async def collect(self, job_id: str, *, label: str = "") -> Any:
        """The result of a job sent earlier (perhaps by another bot), or its error; the job
        is not sent again."""
        if self._closed:
            raise RunnerClosed()
        self._jobs[job_id] = (label, None)
        self._idle.clear()
        try:
            found: Outcome | None = await self._redis_call(self.client.outcome, job_id)
            if found is None:
                outcome = await self._wait(job_id, no_progress)
            else:
                outcome = found
                with contextlib.suppress(RunnerClosed):  # nor is its task state
                    await self._call(self.client.forget, job_id)
        finally:
            self._jobs.pop(job_id, None)
            if not self._jobs:
                self._idle.set()
        return settle(outcome, label)

    async def _redis_call(self, func: Callable[..., Any], *args: Any) -> Any:
        try:
            return await self._call(func, *args)
        except Exception as exc:
            if not is_outage(exc):
                raise
            raise ServiceUnavailable(detail=f"Redis: {exc}") from None

    def running(self) -> dict[str, int]:
        """This runner's jobs that a worker has started, each with that worker process's pid
        (on the worker's machine)."""
        return {label: pid for label, pid in self._jobs.values() if pid is not None}

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._idle.wait(), self.grace_s)
        self._aborted = True
        await asyncio.to_thread(self._io.shutdown, wait=True, cancel_futures=True)
        await asyncio.to_thread(self.client.close)
