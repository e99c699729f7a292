"""One worker process and the thread that feeds it jobs (see ``bot.jobs.processes``)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from bot.jobs.lanes import JobLanes
from bot.jobs.runner import ContextFactory, Job, JobTimedOut, WorkerCrashed
from bot.jobs.transport import FailedJobRecord, unpack
from bot.jobs.worker import worker_main
from core.progress import Progress

log = logging.getLogger(__name__)
_POLL_S = 0.25
_START_S = 300.0  # loading the models may take this long on a busy machine


@dataclass
class Work:
    job: Job[Any]
    payload: Any
    progress: Progress
    label: str
    loop: asyncio.AbstractEventLoop
    future: asyncio.Future[Any]
    timeout_s: float | None

    def _on_loop(self, func: Any, *args: Any) -> None:
        if not self.loop.is_closed():
            self.loop.call_soon_threadsafe(func, *args)

    def report(self, stage: str, done: int, total: int) -> None:
        self._on_loop(self.progress, stage, done, total)

    def succeed(self, value: Any) -> None:
        self._on_loop(_settle, self.future, value, None)

    def fail(self, exc: BaseException) -> None:
        self._on_loop(_settle, self.future, None, exc)


def _settle(future: asyncio.Future[Any], value: Any, exc: BaseException | None) -> None:
    if future.done():  # the caller was cancelled meanwhile
        return
    if exc is not None:
        future.set_exception(exc)
    else:
        future.set_result(value)


class Slot:
    def __init__(self, index: int, mp: Any, factory: ContextFactory,
                 jobs: JobLanes[Work], interactive_only: bool = False,
                 background_nice: int = 0) -> None:
        self.index = index
        self.interactive_only = interactive_only
        self.background_nice = background_nice
        self._mp = mp
        self._factory = factory
        self._jobs = jobs
        self._process: Any = None
        self._conn: Connection | None = None
        self.label: str | None = None
        self.work: Work | None = None
        self._lock = threading.Lock()
        self._closing = False

    @property
    def pid(self) -> int | None:
        process = self._process
        return int(process.pid) if process is not None and process.pid is not None else None

    def ensure_process(self) -> Connection:
        with self._lock:
            return self._ensure_process()

    def _ensure_process(self) -> Connection:
        if self._process is not None and self._process.is_alive() and self._conn is not None:
            return self._conn
        self._stop()
        pipe: tuple[Connection, Connection] = self._mp.Pipe(duplex=True)
        parent, child = pipe
        nice = 0 if self.interactive_only or not self.background_nice else self.background_nice
        process = self._mp.Process(target=worker_main, args=(child, self._factory, nice),
                                   name=f"facexplain-worker-{self.index}", daemon=True)
        process.start()
        child.close()  # so the parent's end sees EOF when the worker dies
        self._process, self._conn = process, parent
        # Wait until its models are loaded, so a job's time limit counts only the job.
        try:
            ready = parent.poll(_START_S) and parent.recv() == ("ready",)
        except (EOFError, OSError):
            ready = False
        if not ready:
            self._stop()
            raise WorkerCrashed(detail=f"worker {self.index} did not start")
        log.info("worker %d ready (pid %s)", self.index, process.pid)
        return parent

    def stop(self) -> None:
        with self._lock:
            self._stop()

    def _stop(self) -> None:
        process, conn = self._process, self._conn
        self._process = self._conn = None
        if conn is not None:
            with contextlib.suppress(OSError, ValueError):
                conn.send(None)
        if process is not None:
            process.join(timeout=5)
            if process.is_alive():
                process.kill()
                process.join()
        if conn is not None:
            conn.close()

    def _kill(self) -> None:
        if self._process is not None and self._process.is_alive():
            self._process.kill()
        self.stop()

    def _replace(self) -> None:
        # Start the successor now, not on the next job, so the pool is whole again and the next
        # user does not wait for a model load.
        if self._closing:
            return
        try:
            self.ensure_process()
        except WorkerCrashed as exc:
            log.error("worker %d could not be replaced: %s; the next job tries again",
                      self.index, exc)

    def serve(self) -> None:
        while True:
            work = self._jobs.get(interactive_only=self.interactive_only)
            if work is None:
                return
            if work.future.done():  # the caller gave up before the job started
                continue
            self.label, self.work = work.label, work
            try:
                self._run(work)
            finally:
                self.label = self.work = None

    @property
    def abandoned(self) -> bool:
        """Whether it runs a job whose caller no longer waits for it."""
        work = self.work
        return work is not None and work.future.done()

    def abort(self, exc: BaseException) -> None:
        """Fail the job in hand with ``exc`` and stop its worker (shutdown past its grace)."""
        self._closing = True
        work = self.work
        if work is not None:
            work.fail(exc)
            self._kill()

    def _run(self, work: Work) -> None:
        try:
            conn = self.ensure_process()
        except WorkerCrashed as exc:
            work.fail(exc)
            return
        try:
            conn.send((work.job, work.payload))
            deadline = time.monotonic() + work.timeout_s if work.timeout_s else None
        except (OSError, EOFError) as exc:
            self._kill()
            work.fail(WorkerCrashed(detail=f"could not hand the job to a worker: {exc}"))
            return
        except Exception as exc:  # the payload did not pickle: a bug in the caller
            work.fail(exc)
            return
        while True:
            try:
                if not conn.poll(_POLL_S):
                    if deadline is not None and time.monotonic() > deadline:
                        log.warning("job %r ran past its time limit; stopping its worker", work.label)
                        self._kill()
                        work.fail(JobTimedOut())
                        self._replace()
                        return
                    continue
                message = conn.recv()
            except (EOFError, OSError):
                if self._closing:  # stopped by abort (shutdown): not a crash
                    log.info("worker %d stopped during job %r (shutdown)", self.index, work.label)
                    return
                code = self._process.exitcode if self._process is not None else None
                log.error("worker %d died during job %r (exit code %s); starting a new one",
                          self.index, work.label, code)
                self._kill()
                work.fail(WorkerCrashed(detail=f"worker exit code {code}"))
                self._replace()
                return
            kind = message[0]
            if kind == "progress":
                work.report(*message[1:])
            elif kind == "ok":
                work.succeed(message[1])
                return
            else:
                record: FailedJobRecord = message[1]
                if record.module != "core.errors" and not record.module.startswith("core."):
                    log.error("job %r failed:\n%s", work.label, record.traceback)
                work.fail(unpack(record))
                return
