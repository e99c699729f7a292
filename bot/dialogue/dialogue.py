"""The dialogue: one entry point for every platform, ``await dialogue.handle(message, send)``.

The dialogue alone keeps a conversation's messages in order: each is handled in the
conversation's turn (``ConversationState.turn``, a FIFO lock queued before the first ``await``),
so they are handled one at a time in the order ``handle`` or ``turn`` was called, and different
conversations run concurrently. An adapter that must still download or collect a message
(files, an album's other parts) calls ``turn`` as the message arrives and finishes it there, in
its turn. With replicas, a lock across processes is taken inside the turn, under which the
stored context is re-read: it keeps replicas off each other's state, it does not order
messages. Replies go through the conversation's outbox, so the immediate ones and those of
background work (the heatmaps after a decision) reach ``send`` in order, each exactly once. On
a runner whose jobs outlive the bot (Celery), ``recover`` delivers what an earlier bot left in
flight, in the conversation's turn too.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from bot.dialogue import session, texts
from bot.dialogue.backlog import Backlog
from bot.dialogue.commands import command_table, greeting, on_button, record_review
from bot.dialogue.context import Ctx, DialogueConfig, FaceShelf, Parts, SharedLocks
from bot.dialogue.photos import on_photos, resume
from bot.dialogue.port import Prepare
from bot.dialogue.questions import on_question
from bot.dialogue.recovery import Awaited, Delivery, RecoverableRunner, open_note
from bot.dialogue.state import ConversationState, States
from bot.jobs.runner import JobRunner
from bot.messages import (
    ButtonPress,
    CommandMessage,
    ConversationKey,
    Incoming,
    PhotoMessage,
    Reply,
    ReplySink,
    TextMessage,
)
from bot.services import Answerer
from bot.store.port import StorePort, Verdict
from core.errors import FacexplainError

log = logging.getLogger(__name__)
_NO_GREETING = {"start", "help", "privacy"}


class Dialogue:
    def __init__(self, runner: JobRunner, store: StorePort, answerer: Answerer,
                 config: DialogueConfig | None = None, *, locks: SharedLocks | None = None,
                 shelf: FaceShelf | None = None) -> None:
        """``locks`` and ``shelf`` when several bot processes share the store (replicas):
        see ``bot.store.locks`` and ``bot.jobs.shelf``."""
        config = config or DialogueConfig()
        self.parts = Parts(runner, store, answerer, config,
                           asyncio.Semaphore(config.answer_concurrency),
                           Backlog(config.max_comparisons), locks, shelf)
        self.states = States(config.max_conversations)
        self.commands = command_table(self.states)
        self._recovering: set[asyncio.Task[None]] = set()

    async def warm_up(self) -> None:
        """Load the QA encoder now (seconds on a cold start), so the first question a user
        asks is answered at once; the services call this before they take messages."""
        warm = getattr(self.parts.answerer, "warm_up", None)
        if warm is not None:
            await asyncio.to_thread(warm)

    async def handle(self, incoming: Incoming, send: ReplySink) -> None:
        """Handle one message; returns once its own replies have been delivered (work it
        started in the background, such as the heatmaps, delivers later: see ``idle``)."""
        await self.turn(incoming.key, send, _given(incoming))

    async def turn(self, key: ConversationKey, send: ReplySink, prepare: Prepare) -> None:
        """Take ``key``'s turn now, in the order of the calls, then ``prepare`` the message in
        it and handle what it returns (None: nothing to handle). ``prepare`` gets a sink whose
        replies (an adapter's "I could not read that file") go out in order too."""
        state = self.states.get(key)
        async with state.turn():

            async def say(reply: Reply) -> None:
                await state.outbox.put(send, reply)

            incoming = await prepare(say)
            if incoming is not None:
                await self._handle(state, incoming, send)

    async def _handle(self, state: ConversationState, incoming: Incoming,
                      send: ReplySink) -> None:
        """``incoming`` in its conversation's turn (``state.turn()`` is held)."""
        ctx = Ctx(self.parts, state, send, incoming.key)
        try:
            async with ctx.shared():  # other replicas wait until these replies are out
                try:
                    await self._dispatch(ctx, incoming)
                    await session.save(ctx)
                except FacexplainError as exc:
                    ctx.text(exc.user_message, "error")
                await state.outbox.flush()
        except Exception:
            log.exception("could not handle a %s", type(incoming).__name__)
            ctx.text(FacexplainError.user_message, "error")
        await state.outbox.flush()

    async def replies(self, incoming: Incoming) -> list[Reply]:
        """Every reply to ``incoming``, background ones included (tests, scripts)."""
        collected: list[Reply] = []

        async def collect(reply: Reply) -> None:
            collected.append(reply)

        await self.handle(incoming, collect)
        await self.idle(incoming.key)
        return collected

    async def idle(self, key: ConversationKey | None = None) -> None:
        """Wait until background work and deliveries (of one conversation, or all) are done."""
        if self._recovering:
            await asyncio.gather(*list(self._recovering), return_exceptions=True)
        states = [self.states.get(key)] if key is not None else self.states.all()
        for state in states:
            await _settle(state)

    async def review(self, key: ConversationKey, comparison_id: int, verdict: Verdict,
                     comment: str = "") -> None:
        """``key.user``'s verdict on comparison ``comparison_id`` (Slack's review buttons): see
        ``commands.record_review`` for what it raises."""
        await record_review(self.parts.store, key, comparison_id, verdict, comment)

    def job_label(self, key: ConversationKey, kind: str) -> str:
        """The label jobs of this conversation run under (see ``JobRunner.running``)."""
        state = self.states.get(key)
        return f"{kind}#{state.serial}"

    async def recover(self, platform: str,
                      sink_for: Callable[[ConversationKey], ReplySink]) -> int:
        """Deliver the replies an earlier bot of ``platform`` left undelivered (it stopped
        while their jobs ran), on a runner whose jobs outlive the bot; returns how many jobs
        are being recovered. Each is delivered in the background, in its conversation's
        turn; ``idle`` waits for them."""
        runner = self.parts.runner
        if not isinstance(runner, RecoverableRunner):
            return 0
        try:
            notes = await runner.pending()
        except FacexplainError as exc:  # Redis down: those replies stay noted for a later start
            log.error("could not look for replies left in flight: %s", exc.code)
            return 0
        found = 0
        for job_id, note in notes:
            awaited = Awaited.from_note(open_note(note, self.parts.store))
            if awaited is None or awaited.key.platform != platform:
                continue
            found += 1
            task = asyncio.create_task(self._resume(awaited, Delivery(runner, job_id),
                                                    sink_for(awaited.key)))
            self._recovering.add(task)
            task.add_done_callback(self._recovering.discard)
        if found:
            log.info("recovering the replies of %d job(s) of an earlier bot", found)
        return found

    async def _resume(self, awaited: Awaited, delivery: Delivery, send: ReplySink) -> None:
        state = self.states.get(awaited.key)
        async with state.turn():
            ctx = Ctx(self.parts, state, send, awaited.key)
            try:
                async with ctx.shared():
                    await self._open(ctx)
                    await session.refresh(ctx)  # another replica may have gone on meanwhile
                    if not state.consent:  # forgotten (/forget) since: nothing to deliver
                        if await delivery.claim():
                            log.info("dropped the replies of a job of a forgotten conversation")
                    else:
                        await resume(ctx, awaited, delivery)
                        await session.save(ctx)
                    await state.outbox.flush()
            except FacexplainError as exc:
                ctx.text(exc.user_message, "error")
            except Exception:
                log.exception("could not recover a %s job", awaited.kind)
            await state.outbox.flush()

    async def continuing(self, key: ConversationKey) -> str | None:
        """"Continuing your comparison of 1 December, 18:02..." when the stored conversation
        has a comparison to go on with (a console that starts again), else None."""
        state = self.states.get(key)
        async with state.turn():
            ctx = Ctx(self.parts, state, _nowhere, key)
            store = self.parts.store
            state.user_id = await asyncio.to_thread(store.ensure_user, key.platform, key.user)
            found = await asyncio.to_thread(store.find_conversation, state.user_id, key.chat,
                                            key.thread)
            if found is None:
                return None
            state.conversation_id = found.id
            state.consent = found.consent_given_at is not None
            await session.refresh(ctx)
            if state.comparison is None or state.comparison_id is None:
                return None
            stored = await asyncio.to_thread(store.get_comparison, state.comparison_id)
            if stored is None:
                return None
            when = stored.created_at.astimezone()
            return texts.CONTINUING.format(when=f"{when.day} {when:%B, %H:%M}")

    async def take_event(self, platform: str, event_key: str) -> bool:
        try:
            return await asyncio.to_thread(self.parts.store.take_event, platform, event_key,
                                           self.parts.config.inbox_lease_s)
        except FacexplainError as exc:  # the store is away: handle it (at least once)
            log.warning("the inbox could not be read: %s", exc.code)
            return True

    async def finish_event(self, platform: str, event_key: str) -> None:
        try:
            await asyncio.to_thread(self.parts.store.finish_event, platform, event_key)
        except FacexplainError as exc:
            log.warning("an event could not be marked handled: %s", exc.code)

    async def close(self) -> None:
        for task in list(self._recovering):
            task.cancel()
        await asyncio.gather(*self._recovering, return_exceptions=True)
        for state in self.states.all():
            if state.explaining is not None:
                state.explaining.cancel()
        await self.idle()

    async def _dispatch(self, ctx: Ctx, incoming: Incoming) -> None:
        await session.refresh(ctx)  # forgotten elsewhere: opened again below
        new = await self._open(ctx)
        await session.refresh(ctx)
        if new and not (isinstance(incoming, CommandMessage) and incoming.name in _NO_GREETING):
            greeting(ctx)
        if isinstance(incoming, PhotoMessage):
            await on_photos(ctx, incoming.photos)
            if incoming.caption.strip() and ctx.state.comparison is not None:
                # stored before the caption's answer, which waits for the heatmaps: a shutdown
                # that cuts it short leaves the decision for the restart, not "no comparison"
                await session.save(ctx)
                await on_question(ctx, incoming.caption)
        elif isinstance(incoming, TextMessage):
            await on_question(ctx, incoming.text)
        elif isinstance(incoming, CommandMessage):
            handler = self.commands.get(incoming.name)
            if handler is None:
                ctx.text(texts.UNKNOWN_COMMAND.format(name=incoming.name))
            else:
                await handler(ctx, incoming.args)
        elif isinstance(incoming, ButtonPress):
            await on_button(ctx, incoming.action, incoming.value, self.commands)

    async def _open(self, ctx: Ctx) -> bool:
        """Find or start the stored conversation; True when this is the first contact."""
        state, key, store = ctx.state, ctx.key, self.parts.store
        if state.conversation_id is not None:
            return False
        if key.shared and key.thread is not None:  # the thread's, whoever this is from
            started = await asyncio.to_thread(store.thread_conversation, key.platform,
                                              key.chat, key.thread)
            if started is not None:
                record, state.owner = started
                state.user_id, state.conversation_id = record.user_id, record.id
                state.consent = record.consent_given_at is not None
                return False
        state.owner = store.user_ref(key.platform, key.user)
        state.user_id = await asyncio.to_thread(store.ensure_user, key.platform, key.user)
        found = await asyncio.to_thread(store.find_conversation, state.user_id, key.chat,
                                        key.thread)
        if found is not None:
            state.conversation_id = found.id
            state.consent = found.consent_given_at is not None
            return False
        state.conversation_id = await asyncio.to_thread(store.start_conversation, state.user_id,
                                                        key.chat, key.thread)
        return True


async def _nowhere(reply: Reply) -> None:
    return None


def _given(incoming: Incoming) -> Prepare:
    """A message that is whole already: nothing to prepare."""

    async def prepare(say: ReplySink) -> Incoming:
        return incoming

    return prepare


async def _settle(state: ConversationState) -> None:
    while True:
        task = state.explaining
        if task is not None and not task.done():
            await asyncio.wait([task])
        await state.outbox.flush()
        if (state.explaining is None or state.explaining.done()) and state.outbox.idle:
            return
