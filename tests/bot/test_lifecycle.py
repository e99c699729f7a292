"""The one start-up and shut-down sequence of the chat platforms (``bot.cli.lifecycle``), on the
fake service: the order of the steps, and what is closed when the platform cannot be reached."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.cli.lifecycle import run_platform
from bot.composition import Service
from tests.fakes import InlineRunner, fake_service, fake_settings


class Recorded:
    """A platform that writes down what the lifecycle asked of it."""

    def __init__(self, service: Service, steps: list[str], *, reachable: bool = True) -> None:
        self.service, self.steps, self.reachable = service, steps, reachable

    async def open(self) -> None:
        self.steps.append("open")
        if not self.reachable:
            raise ConnectionError("no platform")

    async def recover(self) -> int:
        runner = self.service.runner
        assert isinstance(runner, InlineRunner) and not runner.closed
        self.steps.append("recover")
        return 0

    async def listen(self) -> str:
        self.steps.append("listen")
        return "listening."

    async def close(self) -> None:
        self.steps.append("close")


async def test_open_start_recover_listen_then_close_on_stop(tmp_path: Path) -> None:
    service = fake_service(tmp_path)
    steps: list[str] = []
    stop = asyncio.Event()
    lines: list[str] = []

    def ready(line: str) -> None:
        lines.append(line)
        stop.set()  # stop as soon as it is running

    await run_platform(fake_settings(tmp_path), service, lambda s: Recorded(s, steps),
                       ready=ready, stop=stop)
    assert steps == ["open", "recover", "listen", "close"]
    assert lines[0] == "listening. Press Ctrl+C to stop."
    runner = service.runner
    assert isinstance(runner, InlineRunner) and runner.started and runner.closed


async def test_a_platform_out_of_reach_closes_the_service_and_loads_nothing(
        tmp_path: Path) -> None:
    service = fake_service(tmp_path)
    steps: list[str] = []
    with pytest.raises(ConnectionError):
        await run_platform(fake_settings(tmp_path), service,
                           lambda s: Recorded(s, steps, reachable=False), ready=print)
    assert steps == ["open", "close"]
    runner = service.runner
    assert isinstance(runner, InlineRunner) and runner.closed and not runner.started
