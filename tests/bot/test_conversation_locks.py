"""The per-conversation lock across bot processes (``bot.store.locks``) on a real PostgreSQL:
two lock objects with engines of their own stand for two replicas."""

from __future__ import annotations

import asyncio

import pytest

from bot.store.locks import AdvisoryLocks
from tests.databases import postgres_database, postgres_skipped

pytestmark = [pytest.mark.postgres,
              pytest.mark.skipif(postgres_skipped(), reason="PostgreSQL left out")]


async def test_a_second_process_waits_while_the_first_holds_the_conversation() -> None:
    url = postgres_database()
    one, two = AdvisoryLocks(url, poll_s=0.01), AdvisoryLocks(url, poll_s=0.01)
    order: list[str] = []
    try:
        async with one.hold("telegram\x1f42\x1f\x1f42"):
            waiting = asyncio.create_task(_take(two, "telegram\x1f42\x1f\x1f42", order))
            async with two.hold("telegram\x1f43\x1f\x1f43"):  # another chat: not held up
                order.append("other chat")
            await asyncio.sleep(0.3)
            assert not waiting.done()
            async with one.hold("telegram\x1f42\x1f\x1f42"):  # re-entrant in one process
                order.append("first, again")
            order.append("first done")
        await asyncio.wait_for(waiting, 5)
        assert order == ["other chat", "first, again", "first done", "second"]
    finally:
        one.close()
        two.close()


async def test_a_process_that_dies_releases_the_lock_with_its_connection() -> None:
    url = postgres_database()
    one, two = AdvisoryLocks(url, poll_s=0.01), AdvisoryLocks(url, poll_s=0.01)
    try:
        await one.hold("slack\x1fC1\x1f1.0\x1fU1").__aenter__()  # and never left
        held = one._held["slack\x1fC1\x1f1.0\x1fU1"].connection
        assert held is not None
        held.invalidate()  # its connection gone, as when the process is killed
        held.close()
        async with asyncio.timeout(5), two.hold("slack\x1fC1\x1f1.0\x1fU1"):
            pass
    finally:
        one.close()
        two.close()


async def _take(locks: AdvisoryLocks, name: str, order: list[str]) -> None:
    async with locks.hold(name):
        order.append("second")
