"""Fixtures of the bot tests: the real dialogue on the parts of tests/conftest.py."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.dialogue import Dialogue, DialogueConfig
from bot.jobs import JobRunner
from bot.services import Answerer
from bot.store.repository import Store


@pytest.fixture
async def dialogue(thread_runner: JobRunner, store: Store,
                   answerer: Answerer) -> AsyncIterator[Dialogue]:
    """Real models, a real SQLite store, the real QA engine; consent asked first."""
    talk = Dialogue(thread_runner, store, answerer, DialogueConfig(consent="ask"))
    yield talk
    await talk.close()
