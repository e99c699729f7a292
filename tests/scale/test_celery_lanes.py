"""Decisions first on Celery: heatmap jobs wait on their own queue, and a worker takes a
waiting decision before them; a decisions-only worker answers while every other is busy."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import pytest

from tests.scale.cluster import Cluster
from tests.scale.jobs import Nap, markers, nap_job

pytest.importorskip("celery")


async def test_a_queued_decision_goes_before_queued_heatmaps(
        cluster: Cluster, runner: Any, markers: Path) -> None:
    cluster.start("lanes").wait_ready()
    await runner.start()
    heatmaps = [asyncio.create_task(runner.run(nap_job, Nap(str(markers), 1.5, i, f"heat{i}"),
                                               label=f"explain#{i}")) for i in range(4)]
    await asyncio.sleep(0.5)  # the first heatmap runs, three wait
    began = time.monotonic()
    value, _ = await runner.run(nap_job, Nap(str(markers), 0.0, 5, "decision"), label="verify#5")
    waited = time.monotonic() - began
    await asyncio.gather(*heatmaps)
    assert value == 10
    assert waited < 3.0, f"the decision waited {waited:.1f} s (behind all the heatmaps: 6 s)"
    started = sorted(markers_of(markers, "started"))
    order = [name for _, name in started]
    assert order.index("decision") <= 1, order  # after at most the heatmap already running


async def test_a_decisions_worker_answers_while_the_other_makes_heatmaps(
        cluster: Cluster, runner: Any, markers: Path) -> None:
    cluster.start("heat").wait_ready()
    cluster.start("quick", lanes="decisions").wait_ready()
    await runner.start()
    heatmaps = [asyncio.create_task(runner.run(nap_job, Nap(str(markers), 2.0, i, f"heat{i}"),
                                               label=f"explain#{i}")) for i in range(2)]
    await asyncio.sleep(0.5)
    began = time.monotonic()
    await runner.run(nap_job, Nap(str(markers), 0.0, 7, "decision"), label="verify#7")
    assert time.monotonic() - began < 1.5
    await asyncio.gather(*heatmaps)


def markers_of(folder: Path, event: str) -> list[tuple[int, str]]:
    """(time, tag) of each marker of ``event``."""
    found = []
    for name in markers(folder, event):
        _, _, tag, when = name.split("-")
        found.append((int(when), tag))
    return found
