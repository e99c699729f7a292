"""Prometheus metrics for the conversation service (prometheus-client, the ``scale`` extra).

prometheus-client is imported only when a ``Metrics`` is built, so the core install runs
without it. Series are labelled by job kind ("photo", "verify", "explain") and stage, never by
conversation: a label such as ``explain#12`` is reduced to ``explain``.
"""

from __future__ import annotations

import functools
import importlib.util
from collections import Counter as Tally
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from core.errors import FacexplainError

if TYPE_CHECKING:
    from prometheus_client import CollectorRegistry

# From a fast photo (tens of ms) to a paper-profile explanation (minutes).
STAGE_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0)


def available() -> bool:
    return importlib.util.find_spec("prometheus_client") is not None


def job_kind(label: str) -> str:
    """``explain#12`` -> ``explain``: one series per kind of job, not one per conversation."""
    return label.partition("#")[0] or "job"


def error_code(exc: BaseException) -> str:
    return exc.code if isinstance(exc, FacexplainError) else "unexpected"


class _Running:
    """Collects ``facexplain_jobs_running{job}`` from the runners' ``running()`` at scrape time."""

    def __init__(self) -> None:
        self.sources: list[Callable[[], dict[str, int]]] = []

    def collect(self) -> Iterator[Any]:
        from prometheus_client.core import GaugeMetricFamily

        family = GaugeMetricFamily("facexplain_jobs_running", "Jobs running now, by job kind.",
                                   labels=["job"])
        tally = Tally(job_kind(label) for running in self.sources for label in running())
        for kind, count in sorted(tally.items()):
            family.add_metric([kind], count)
        yield family


class Metrics:
    """The service's metrics in one registry (its own unless one is given)."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

        self.registry = registry if registry is not None else CollectorRegistry()
        reg = self.registry
        self.queued = Counter("facexplain_jobs_queued", "Jobs handed to the job runner.",
                              ["job"], registry=reg)
        self.in_flight = Gauge("facexplain_jobs_in_flight", "Jobs waiting or running.",
                               ["job"], registry=reg)
        self.failed = Counter("facexplain_jobs_failed", "Jobs that ended with an error.",
                              ["job", "code"], registry=reg)
        self.stage_seconds = Histogram("facexplain_stage_seconds",
                                       "Seconds per completed stage, queueing included.",
                                       ["stage"], buckets=STAGE_BUCKETS, registry=reg)
        self.answers = Counter("facexplain_answers", "Answers given, by QA mode and kind.",
                               ["mode", "kind"], registry=reg)
        self._running = _Running()
        reg.register(self._running)

    def watch_running(self, running: Callable[[], dict[str, int]]) -> None:
        self._running.sources.append(running)

    def exposition(self) -> tuple[bytes, str]:
        """The text format a Prometheus server scrapes, and its content type."""
        from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

        return generate_latest(self.registry), CONTENT_TYPE_LATEST


@functools.cache
def process_metrics() -> Metrics:
    """The metrics of this process (one registry per process, as Prometheus expects)."""
    return Metrics()
