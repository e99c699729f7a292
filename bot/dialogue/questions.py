"""Questions: answered by the QA engine from this conversation's comparison and history."""

from __future__ import annotations

import asyncio
import time

from bot.dialogue import texts
from bot.dialogue.context import Ctx
from bot.messages import SuggestionsReply, TextReply
from core.qa.answer import Turn


async def wait_for_explanation(ctx: Ctx) -> None:
    """Let running heatmaps finish first, so answers and /table see them (and come after)."""
    task = ctx.state.explaining
    if task is not None and not task.done():
        await asyncio.wait([task])


async def on_question(ctx: Ctx, question: str) -> None:
    state = ctx.state
    if not question.strip():
        ctx.text(texts.EMPTY_TEXT)
        return
    await wait_for_explanation(ctx)
    comparison = state.comparison
    if comparison is None:
        ctx.text(texts.FIRST_LOST if state.first_lost else
                 texts.ONLY_FIRST_YET if state.first is not None else texts.NO_PHOTOS_YET)
        return
    assert state.conversation_id is not None
    store = ctx.parts.store
    turns = [] if state.comparison_id is None else await asyncio.to_thread(
        store.turns_about, state.comparison_id, ctx.config.history_turns * 4)
    history = [Turn(t.question, t.answer, list(t.fact_ids), state.resolved.get(t.id, ""),
                    t.confidence or 0.0) for t in turns
               if t.comparison_id == state.comparison_id][-ctx.config.history_turns:]
    # the decision message is what the person just read: "why?", "really?" or "explain" right
    # after it are about the decision
    history = history or [DECISION_SHOWN]
    start = time.perf_counter()
    async with ctx.parts.answer_slots:
        answer = await asyncio.to_thread(ctx.parts.answerer.answer, question, comparison, history)
    latency_ms = (time.perf_counter() - start) * 1000.0
    turn_id = await asyncio.to_thread(
        store.add_turn, await ctx.own_conversation(), question, answer.text,
        fact_ids=answer.fact_ids, confidence=answer.confidence, latency_ms=latency_ms,
        mode=answer.mode, comparison_id=state.comparison_id)
    state.resolved[turn_id] = answer.resolved_question
    ctx.say(TextReply(answer.text, "answer"))
    if answer.suggestions:
        ctx.say(SuggestionsReply(answer.suggestions))


async def why(ctx: Ctx, args: str) -> None:
    """/why: where the last answer came from ("from: the region table (nose, both photos)")."""
    from core.qa.evidence import evidence_line

    state = ctx.state
    if state.conversation_id is None or state.comparison is None:
        ctx.text(texts.NO_COMPARISON)
        return
    turns = await asyncio.to_thread(ctx.parts.store.history, state.conversation_id, 20)
    mine = [t for t in turns if t.comparison_id == state.comparison_id]
    if not mine:
        ctx.text(WHY_NOTHING)
        return
    last = mine[-1]
    line = evidence_line(last.fact_ids)
    read_as = state.resolved.get(last.id, "")
    asked = f'"{last.question}"' + (f' (read as "{read_as}")' if read_as and read_as != last.question else "")
    ctx.text(f"The answer to {asked} came {line}." if line else
             f"The answer to {asked} used no fact of this comparison.")


DECISION_SHOWN = Turn("What is the decision?", "", ["decision"], "What is the decision?", 1.0)
WHY_NOTHING = "Ask me a question about this comparison first; /why then shows what the answer came from."
