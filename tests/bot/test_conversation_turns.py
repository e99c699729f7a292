"""A conversation's turn (``ConversationState.turn``) on its own: taken in the order asked,
and a state someone waits on is never evicted as idle. No models needed."""

from __future__ import annotations

import asyncio

from bot.dialogue.state import States
from bot.messages import ConversationKey

ANN, BOB = ConversationKey("test", "c1", "ann"), ConversationKey("test", "c2", "bob")


async def test_turns_are_taken_in_the_order_they_were_asked_for() -> None:
    state, order = States().get(ANN), []

    async def take(name: str) -> None:
        async with state.turn():
            await asyncio.sleep(0.01 if name == "first" else 0)
            order.append(name)

    await asyncio.gather(*(take(name) for name in ("first", "second", "third")))
    assert order == ["first", "second", "third"] and state.waiting == 0


async def test_a_state_a_message_waits_on_is_not_evicted() -> None:
    states = States(limit=1)
    ann = states.get(ANN)
    entered = asyncio.Event()

    async def wait_for_the_turn() -> None:
        async with ann.turn():
            entered.set()

    async with ann.turn():
        waiter = asyncio.create_task(wait_for_the_turn())
        await asyncio.sleep(0)
    # released: the waiter is woken but has not run yet, so the lock itself looks free
    assert not ann.lock.locked() and ann.waiting == 1
    states.get(BOB)  # one state too many: the least recently used idle one goes
    assert states.get(ANN) is ann
    await waiter
    assert entered.is_set() and ann.waiting == 0
