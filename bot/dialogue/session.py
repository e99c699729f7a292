"""The conversation's context in the store: memory is a cache, the store is the truth.

``save`` writes where the conversation stands after each step (a decision, the heatmaps, a
question answered, /new); ``refresh`` brings the in-memory state up to the stored version
before a message is handled, so a restarted bot, an evicted conversation and another replica
all go on with it. Photos and templates are never stored: a conversation that was waiting for
its second photo when the service restarted is told so (``ConversationState.first_lost``).
"""

from __future__ import annotations

import asyncio
from typing import Any

from bot.dialogue import first_face
from bot.dialogue.context import Ctx
from bot.dialogue.state import ConversationState
from bot.services import Explanation
from bot.store.port import SessionRecord, Stage
from core.comparison import Comparison


def record_of(comparison: Comparison) -> dict[str, Any]:
    """What is stored of a comparison: everything but the faces' boxes and landmarks."""
    data = comparison.to_dict()
    data["faces"] = {name: {**face, "box": [], "landmarks": []}
                     for name, face in data["faces"].items()}
    return data


def stage_of(state: ConversationState) -> Stage:
    if state.explanation is not None:
        return "explained"
    if state.comparison is not None:
        if state.explain_failed:
            return "explain_failed"
        return "explaining" if state.busy or state.interrupted else "decided"
    return "first_photo" if state.first is not None or state.first_lost else "idle"


def snapshot(state: ConversationState) -> SessionRecord:
    comparison = state.comparison
    explanation = state.explanation
    return SessionRecord(
        stage=stage_of(state), number=state.number, comparison_id=state.comparison_id,
        record=None if comparison is None else record_of(comparison),
        table_text=None if explanation is None else explanation.table_text,
        resolved=dict(state.resolved),
        collage=explanation.collage_png if explanation is not None and explanation.collage_png
        else None)


def apply(state: ConversationState, stored: SessionRecord) -> None:
    """Take the stored context as this conversation's (nothing in memory is newer)."""
    state.clear_comparison()
    state.number = stored.number
    state.comparison_id = stored.comparison_id
    state.resolved = dict(stored.resolved)
    state.first_lost = stored.stage == "first_photo"
    state.interrupted = stored.stage == "explaining"
    state.explain_failed = stored.stage == "explain_failed"
    if stored.record is not None:
        comparison = Comparison.from_dict(stored.record)
        if stored.stage == "explained":
            state.explanation = Explanation(comparison, stored.collage or b"",
                                            stored.table_text or "")
        else:
            state.restored = comparison
    state.version = stored.version
    state.saved = snapshot(state)


async def save(ctx: Ctx) -> None:
    """Store where the conversation stands, when that changed since the last save (saves of
    one conversation are serialised, so the latest snapshot is the one that stays)."""
    state = ctx.state
    async with state.saving:
        if state.conversation_id is None:
            return
        current = snapshot(state)
        if current == state.saved:
            return
        state.version = await asyncio.to_thread(ctx.parts.store.save_session,
                                                state.conversation_id, current)
        state.saved = current


async def refresh(ctx: Ctx) -> None:
    """Load the stored context when memory does not hold the latest (a cheap version check
    first), e.g. when another replica handled the conversation meanwhile. Heatmaps running in
    this process for the stored comparison keep going: only what others added to it (the
    questions as understood) is taken. A comparison replaced or dropped elsewhere (/new)
    replaces ours; a conversation forgotten elsewhere (/forget) is forgotten here too."""
    state, store = ctx.state, ctx.parts.store
    if state.conversation_id is None:
        return
    version = await asyncio.to_thread(store.session_version, state.conversation_id)
    if version == state.version:
        return
    stored = await asyncio.to_thread(store.load_session, state.conversation_id)
    if stored is None:
        if state.version > 0:  # it was stored and is gone: forgotten by another process
            _forget(state)
        return
    if state.busy and stored.comparison_id == state.comparison_id:
        state.resolved = {**stored.resolved, **state.resolved}
        state.number = max(state.number, stored.number)
        state.version, state.saved = stored.version, None  # the next save writes the merge
        return
    if state.explaining is asyncio.current_task():  # the heatmaps task itself: it stops
        state.explaining = None
    apply(state, stored)
    await first_face.fetch(ctx)


def _forget(state: ConversationState) -> None:
    if state.explaining is asyncio.current_task():
        state.explaining = None
    state.forget()
