"""Thin wrappers that count and time the service's work, so no metric call is scattered
through the dialogue: any ``JobRunner`` and any ``Answerer`` can be wrapped."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Sequence
from typing import Any

from bot.dialogue.recovery import RecoverableRunner
from bot.jobs.runner import Job, JobRunner, T
from bot.ops.metrics import Metrics, error_code, job_kind
from bot.services import Answerer
from core.comparison import Comparison
from core.progress import Progress, no_progress
from core.qa.answer import Answer, Turn


class InstrumentedRunner:
    """A ``JobRunner`` whose jobs are counted (queued, in flight, running, failed by error
    code) and timed (``facexplain_stage_seconds{stage=<job kind>}``, successful jobs only)."""

    def __init__(self, inner: JobRunner, metrics: Metrics) -> None:
        self.inner = inner
        self.metrics = metrics
        metrics.watch_running(inner.running)

    async def start(self) -> None:
        await self.inner.start()

    async def run(
        self, job: Job[T], payload: Any, progress: Progress = no_progress, *, label: str = ""
    ) -> T:
        return await self._counted(label, self.inner.run(job, payload, progress, label=label))

    async def _counted(self, label: str, running: Awaitable[T]) -> T:
        kind = job_kind(label)
        self.metrics.queued.labels(kind).inc()
        in_flight = self.metrics.in_flight.labels(kind)
        in_flight.inc()
        started = time.perf_counter()
        try:
            result = await running
        except Exception as exc:  # a cancelled caller (BaseException) is not a failure
            self.metrics.failed.labels(kind, error_code(exc)).inc()
            raise
        finally:
            in_flight.dec()
        self.metrics.stage_seconds.labels(kind).observe(time.perf_counter() - started)
        return result

    def running(self) -> dict[str, int]:
        return self.inner.running()

    async def close(self) -> None:
        await self.inner.close()


class InstrumentedRecoverableRunner(InstrumentedRunner):
    """The same around a runner whose jobs outlive the bot (Celery): job ids and the notes of
    awaited jobs pass through, so the dialogue still sees a ``RecoverableRunner`` (replies
    recovered after a restart, photos sent as pixels, /forget reaching Redis)."""

    def __init__(self, inner: JobRunner, metrics: Metrics) -> None:
        super().__init__(inner, metrics)
        assert isinstance(inner, RecoverableRunner)
        self.recoverable: RecoverableRunner = inner

    async def run(self, job: Job[T], payload: Any, progress: Progress = no_progress, *,
                  label: str = "", job_id: str | None = None) -> T:
        return await self._counted(label, self.recoverable.run(
            job, payload, progress, label=label, job_id=job_id))

    async def remember(self, job_id: str, note: dict[str, str]) -> None:
        await self.recoverable.remember(job_id, note)

    async def pending(self) -> list[tuple[str, dict[str, str]]]:
        return await self.recoverable.pending()

    async def claim(self, job_id: str) -> bool:
        return await self.recoverable.claim(job_id)

    async def collect(self, job_id: str, *, label: str = "") -> Any:
        return await self.recoverable.collect(job_id, label=label)

    async def forget_notes(self, who: str) -> int:
        return await self.recoverable.forget_notes(who)


def instrumented(runner: JobRunner, metrics: Metrics) -> InstrumentedRunner:
    """``runner`` counted and timed, recoverable still if it was."""
    if isinstance(runner, RecoverableRunner):
        return InstrumentedRecoverableRunner(runner, metrics)
    return InstrumentedRunner(runner, metrics)


class InstrumentedAnswerer:
    """An ``Answerer`` whose answers are counted by mode (grounded, paper...) and kind, and
    timed as the ``answer`` stage."""

    def __init__(self, inner: Answerer, metrics: Metrics) -> None:
        self.inner = inner
        self.metrics = metrics

    def answer(self, question: str, comparison: Comparison, history: Sequence[Turn]) -> Answer:
        started = time.perf_counter()
        got = self.inner.answer(question, comparison, history)
        self.metrics.stage_seconds.labels("answer").observe(time.perf_counter() - started)
        self.metrics.answers.labels(got.mode or "none", got.kind).inc()
        return got

    def warm_up(self) -> None:
        warm = getattr(self.inner, "warm_up", None)
        if warm is not None:
            warm()
