"""What every handler of one message gets: the dialogue's parts, the state, a way to reply."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Literal, Protocol

from bot.dialogue import texts
from bot.dialogue.backlog import Backlog
from bot.dialogue.state import ConversationState
from bot.jobs.runner import JobRunner
from bot.messages import ConversationKey, ProgressReply, Reply, ReplySink, TextReply
from bot.services import Answerer
from bot.store.port import StorePort
from core.image_input import DEFAULT_LIMITS, ImageLimits
from core.pipeline import PreparedFace

ConsentMode = Literal["ask", "on_first_photo"]
_serials = itertools.count(1)


@dataclass(frozen=True)
class DialogueConfig:
    """consent: "ask" holds photos until the user agrees (/agree or the button);
    "on_first_photo" tells the user on first contact that sending a photo is agreeing, and
    records consent when the first photo arrives. Either way consent is stored before any
    photo is processed."""

    consent: ConsentMode = "ask"
    explain: bool = True  # heatmaps and the table after the decision
    history_turns: int = 10  # earlier turns of this comparison given to the QA engine
    progress_step: float = 0.1  # the least progress (share of the stage) worth a new update
    max_photo_bytes: int = DEFAULT_LIMITS.max_bytes  # build_dialogue: Settings.max_image_bytes
    photo_limits: ImageLimits = DEFAULT_LIMITS  # photos the bot decodes itself (pixels.py)
    answer_concurrency: int = 2  # questions answered at once, across conversations
    max_conversations: int = 10_000  # idle conversation states kept in memory
    max_comparisons: int = 24  # comparisons in hand at once (this process); then "I am busy"
    inbox_lease_s: float = 30.0  # an event taken and not finished this long is taken again


class SharedLocks(Protocol):
    """A per-conversation lock across bot processes (replicas): ``bot.store.locks``."""

    def hold(self, name: str) -> AbstractAsyncContextManager[None]: ...


class FaceShelf(Protocol):
    """Where a first photo's prepared face waits for the second photo, seen by every replica,
    for a bounded time: ``bot.jobs.shelf``. ``who`` is the owner's pseudonym."""

    async def put(self, who: str, conversation_id: int, face: PreparedFace) -> None: ...

    async def get(self, who: str, conversation_id: int) -> PreparedFace | None: ...

    async def drop(self, who: str, conversation_id: int) -> None: ...

    async def forget(self, who: str) -> int: ...


@dataclass(frozen=True)
class Parts:
    runner: JobRunner
    store: StorePort
    answerer: Answerer
    config: DialogueConfig
    answer_slots: asyncio.Semaphore
    backlog: Backlog
    locks: SharedLocks | None = None  # set when several bot processes share the store
    shelf: FaceShelf | None = None  # set when first photos must reach other processes


class Ctx:
    def __init__(self, parts: Parts, state: ConversationState, sink: ReplySink,
                 sender: ConversationKey | None = None) -> None:
        self.parts = parts
        self.state = state
        self.sink = sink
        # who sent the message: in a shared thread, not always whoever opened the conversation
        self.sender = sender or state.key
        self.greeted = False  # the welcome (and consent prompt) went out with this message

    @property
    def key(self) -> ConversationKey:
        return self.state.key

    @property
    def config(self) -> DialogueConfig:
        return self.parts.config

    def say(self, reply: Reply) -> asyncio.Future[None]:
        return self.state.outbox.put(self.sink, reply)

    def text(self, text: str, kind: str = "info") -> None:
        self.say(TextReply(text, kind))

    async def own_conversation(self) -> int:
        """The sender's own stored conversation in this chat and thread: where their turns and
        comparisons are kept, so that /forget removes theirs and nobody else's."""
        state, sender, store = self.state, self.sender, self.parts.store
        if not sender.shared or self.sender_owns():
            assert state.conversation_id is not None
            return state.conversation_id
        found = state.members.get(sender.user)
        if found is None:
            user_id = await asyncio.to_thread(store.ensure_user, sender.platform, sender.user)
            record = await asyncio.to_thread(store.find_conversation, user_id, sender.chat,
                                             sender.thread)
            found = record.id if record is not None else await asyncio.to_thread(
                store.start_conversation, user_id, sender.chat, sender.thread)
            state.members[sender.user] = found
        return found

    @property
    def replicated(self) -> bool:
        """Whether other bot processes may handle this conversation too."""
        return self.parts.locks is not None

    def shared(self) -> AbstractAsyncContextManager[None]:
        """The conversation's lock across processes (nothing to take in a single process)."""
        locks = self.parts.locks
        if locks is None:
            return contextlib.nullcontext()
        return locks.hold("\x1f".join(self.key.scope()))

    def owner_ref(self) -> str:
        """The conversation owner's pseudonym (what notes outside the store name them by): a
        shared thread's starter, whoever this process heard it from first."""
        return self.state.owner or self.parts.store.user_ref(self.key.platform, self.key.user)

    def sender_owns(self) -> bool:
        """Whether the sender owns the stored conversation (started it)."""
        sender = self.sender
        return self.parts.store.user_ref(sender.platform, sender.user) == self.owner_ref()

    def label(self, kind: str) -> str:
        """A job label without personal data: the kind and the conversation's serial number."""
        if self.state.serial == 0:
            self.state.serial = next(_serials)
        return f"{kind}#{self.state.serial}"

    def progress(self) -> ProgressRelay:
        return ProgressRelay(self, self.config.progress_step)


class ProgressRelay:
    """Progress callbacks -> ProgressReply, only when the stage changes, it finishes, or it
    advanced by at least ``step`` of the stage (chat platforms limit message edits)."""

    def __init__(self, ctx: Ctx, step: float) -> None:
        self.ctx = ctx
        self.step = step
        self._stage = ""
        self._share = 0.0

    def __call__(self, stage: str, done: int, total: int) -> None:
        share = done / total if total > 0 else 0.0
        if stage == self._stage and share < 1.0 and share - self._share < self.step:
            return
        self._stage, self._share = stage, share
        self.ctx.say(ProgressReply(stage, done, total, texts.progress_text(stage, done, total)))
