"""Fixtures of the chat-platform tests: the fake Slack and Telegram worlds with the real assistant
(helpers in slack_world.py and telegram_person.py).

The Telegram tests' ``runner`` and ``dialogue`` are theirs (the dialogue tests' ones, on
``thread_runner``, are in tests/bot/conftest.py); ``store``, ``thread_runner`` and ``answerer``
come from tests/conftest.py."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from adapters.telegram.service import TelegramBot
from bot.composition import build_runner
from bot.dialogue import Dialogue
from bot.jobs import JobRunner
from bot.settings import Settings, load_settings
from tests.adapters.fake_telegram import FakeTelegram
from tests.adapters.slack_world import SlackWorld, open_world
from tests.adapters.telegram_person import QUICK_SALIENCY, config_for

# -- Slack ------------------------------------------------------------------------------


@pytest.fixture
async def slack(calibrated_settings: Settings, tmp_path: Path) -> AsyncIterator[SlackWorld]:
    """The world with the real models from ../shared."""
    async for world in open_world(calibrated_settings, tmp_path):
        yield world


@pytest.fixture
async def slack_fakes(tmp_path: Path) -> AsyncIterator[SlackWorld]:
    """The world on the fakes of ``tests/fakes.py`` (no ../shared): fake face models, a real
    SQLite store, the real QA engine on a hashing encoder."""
    from tests.fakes import fake_service, fake_settings

    service = fake_service(tmp_path, consent="ask")
    async for world in open_world(fake_settings(tmp_path), tmp_path, service):
        yield world


@pytest.fixture
async def slack_text(tmp_path: Path) -> AsyncIterator[SlackWorld]:
    """The world for conversations without photos (no models are loaded)."""
    settings = load_settings(data_dir=tmp_path / "data", model_dir=tmp_path / "no-models")
    async for world in open_world(settings, tmp_path):
        yield world


# -- Telegram ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def runner(calibrated_settings: Settings) -> Iterator[JobRunner]:
    """Real models on worker threads, built once for the module."""
    jobs = build_runner(calibrated_settings, saliency=QUICK_SALIENCY, kind="threads")
    yield jobs
    asyncio.run(jobs.close())


@pytest.fixture
def dialogue_runner(runner: JobRunner) -> JobRunner:
    """The Telegram tests' dialogue (tests/conftest.py) runs on the quick-saliency runner."""
    return runner


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as server:
        yield server


@pytest.fixture
async def telegram(fake: FakeTelegram, dialogue: Dialogue) -> AsyncIterator[TelegramBot]:
    """The real bot (python-telegram-bot, long polling) against the fake, on the real dialogue."""
    async with TelegramBot(config_for(fake), dialogue) as bot:
        yield bot
