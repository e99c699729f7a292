"""The services warm the QA encoder before they take messages, through any answerer wrapper."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from bot.composition import build_store
from bot.dialogue import Dialogue
from bot.jobs import ThreadJobRunner
from bot.settings import load_settings
from core.comparison import Comparison
from core.qa.answer import Answer, Turn


class CountingAnswerer:
    def __init__(self) -> None:
        self.warmed = 0

    def warm_up(self) -> None:
        self.warmed += 1

    def answer(self, question: str, comparison: Comparison, history: Sequence[Turn]) -> Answer:
        raise AssertionError("no question is asked here")


async def test_warm_up_loads_the_answerer_once_before_any_message(tmp_path: Path) -> None:
    store = build_store(load_settings(data_dir=tmp_path, database_url=f"sqlite:///{tmp_path}/c.db"))
    answerer = CountingAnswerer()
    dialogue = Dialogue(ThreadJobRunner(lambda: None, 1), store, answerer)
    await dialogue.warm_up()
    assert answerer.warmed == 1
    await dialogue.close()
    store.close()


async def test_warm_up_reaches_through_the_metrics_wrapper() -> None:
    import pytest

    pytest.importorskip("prometheus_client")
    from bot.ops.instrumented import InstrumentedAnswerer
    from bot.ops.metrics import Metrics

    inner = CountingAnswerer()
    InstrumentedAnswerer(inner, Metrics()).warm_up()
    assert inner.warmed == 1
