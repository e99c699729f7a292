"""Metrics: a wrapped runner counts and times its jobs; a wrapped answerer counts answers per
mode. Read back from the text a Prometheus server would scrape."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence
from typing import Any

import pytest

pytest.importorskip("prometheus_client")

from prometheus_client.parser import text_string_to_metric_families  # noqa: E402

from bot.composition import build_runner  # noqa: E402
from bot.jobs import ProcessJobRunner, ThreadJobRunner  # noqa: E402
from bot.ops.instrumented import InstrumentedAnswerer, InstrumentedRunner  # noqa: E402
from bot.ops.metrics import Metrics  # noqa: E402
from bot.settings import load_settings  # noqa: E402
from core.comparison import Comparison  # noqa: E402
from core.errors import NoFaceFound  # noqa: E402
from core.progress import Progress  # noqa: E402
from core.qa.answer import Answer, Turn  # noqa: E402


def scraped(metrics: Metrics) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    body, _ = metrics.exposition()
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(body.decode()) for s in family.samples}


def photo_job(context: None, payload: bytes, progress: Progress) -> int:
    return len(payload)


def no_face_job(context: None, payload: bytes, progress: Progress) -> int:
    raise NoFaceFound()


def gated_job(context: None, gate: threading.Event, progress: Progress) -> str:
    gate.wait(5)
    return "done"


async def test_jobs_are_counted_by_kind_and_timed_per_stage() -> None:
    metrics = Metrics()
    runner = InstrumentedRunner(ThreadJobRunner(lambda: None, workers=2, grace_s=1), metrics)
    try:
        assert await runner.run(photo_job, b"jpeg", label="photo#1") == 4
        assert await runner.run(photo_job, b"jpeg", label="photo#2") == 4
        with pytest.raises(NoFaceFound):
            await runner.run(no_face_job, b"", label="verify#2")
    finally:
        await runner.close()
    seen = scraped(metrics)
    assert seen[("facexplain_jobs_queued_total", (("job", "photo"),))] == 2
    assert seen[("facexplain_jobs_queued_total", (("job", "verify"),))] == 1
    assert seen[("facexplain_jobs_failed_total", (("code", "no_face"), ("job", "verify")))] == 1
    assert seen[("facexplain_stage_seconds_count", (("stage", "photo"),))] == 2
    assert ("facexplain_stage_seconds_count", (("stage", "verify"),)) not in seen  # failures untimed
    assert seen[("facexplain_jobs_in_flight", (("job", "photo"),))] == 0


async def test_a_scrape_during_a_job_shows_it_running_and_in_flight() -> None:
    metrics = Metrics()
    runner = InstrumentedRunner(ThreadJobRunner(lambda: None, workers=1, grace_s=1), metrics)
    gate = threading.Event()
    try:
        job = asyncio.create_task(runner.run(gated_job, gate, label="explain#7"))
        for _ in range(100):
            if runner.running():
                break
            await asyncio.sleep(0.01)
        during = scraped(metrics)
        gate.set()
        assert await job == "done"
    finally:
        await runner.close()
    assert during[("facexplain_jobs_running", (("job", "explain"),))] == 1
    assert during[("facexplain_jobs_in_flight", (("job", "explain"),))] == 1
    assert ("facexplain_jobs_running", (("job", "explain"),)) not in scraped(metrics)


class ModeAnswerer:
    def __init__(self) -> None:
        self.modes = iter(["grounded", "grounded", "paper"])

    def answer(self, question: str, comparison: Comparison, history: Sequence[Turn]) -> Answer:
        return Answer(question, question, f"about {question}", 0.5, (), next(self.modes))


def test_answers_are_counted_per_mode_and_timed() -> None:
    metrics = Metrics()
    answerer = InstrumentedAnswerer(ModeAnswerer(), metrics)
    comparison: Any = object()
    replies = [answerer.answer(q, comparison, []).text for q in ("eyes", "nose", "mouth")]
    assert replies == ["about eyes", "about nose", "about mouth"]
    seen = scraped(metrics)
    assert seen[("facexplain_answers_total", (("kind", "answer"), ("mode", "grounded")))] == 2
    assert seen[("facexplain_answers_total", (("kind", "answer"), ("mode", "paper")))] == 1
    assert seen[("facexplain_stage_seconds_count", (("stage", "answer"),))] == 3


def test_the_composition_root_wraps_the_runner_only_when_the_ops_endpoint_is_on() -> None:
    on = build_runner(load_settings(ops_port=9100, shutdown_grace_s=5), kind="threads")
    assert isinstance(on, InstrumentedRunner)
    assert isinstance(on.inner, ThreadJobRunner) and on.inner.grace_s == 5
    off = build_runner(load_settings(shutdown_grace_s=7), kind="processes", workers=1)
    assert isinstance(off, ProcessJobRunner) and off.options.grace_s == 7
