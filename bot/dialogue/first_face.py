"""The first photo's prepared face while the second is awaited: in memory, and on the shelf
(``FaceShelf``, when configured) so that another replica that gets the second photo can
compare them. Shelved for a bounded time, taken off once the comparison is made, on /new and
on /forget. Without a shelf, or when the shelf is away, memory alone holds it (as before)."""

from __future__ import annotations

import logging

from bot.dialogue.context import Ctx
from core.pipeline import PreparedFace

log = logging.getLogger(__name__)


async def keep(ctx: Ctx, face: PreparedFace) -> None:
    ctx.state.first = face
    shelf, conversation = ctx.parts.shelf, ctx.state.conversation_id
    if shelf is None or conversation is None:
        return
    try:
        await shelf.put(ctx.owner_ref(), conversation, face)
    except Exception as exc:  # Redis away: only this process can go on with it
        log.warning("could not shelve the first photo's face: %s", type(exc).__name__)


async def fetch(ctx: Ctx) -> None:
    """The shelved face, when the store says a first photo waits and memory lacks it."""
    state, shelf = ctx.state, ctx.parts.shelf
    if shelf is None or state.conversation_id is None or not state.first_lost:
        return
    try:
        face = await shelf.get(ctx.owner_ref(), state.conversation_id)
    except Exception as exc:
        log.warning("could not read the shelved first photo: %s", type(exc).__name__)
        return
    if face is not None:
        state.first, state.first_lost = face, False


async def drop(ctx: Ctx) -> None:
    shelf, conversation = ctx.parts.shelf, ctx.state.conversation_id
    if shelf is None or conversation is None:
        return
    try:
        await shelf.drop(ctx.owner_ref(), conversation)
    except Exception as exc:  # it expires on its own
        log.warning("could not drop the shelved first photo: %s", type(exc).__name__)
