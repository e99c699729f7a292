"""What the dialogue holds of one conversation in memory: a cache of the stored context
(``bot.dialogue.session``), plus what is never stored.

Photos and face templates live here and nowhere else: never in the store, dropped when a
comparison is replaced, on /new, on /forget, and when an idle conversation is evicted.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from bot.dialogue.outbox import Outbox
from bot.messages import ConversationKey, Photo
from bot.services import Explanation
from bot.store.port import SessionRecord
from core.comparison import Comparison
from core.pipeline import PreparedFace
from core.verify import Verified

Scope = tuple[str, str, str, str]


@dataclass
class ConversationState:
    key: ConversationKey
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)  # the turn: see ``turn``
    waiting: int = 0  # messages in their turn or waiting for it
    outbox: Outbox = field(default_factory=Outbox)
    user_id: int | None = None
    conversation_id: int | None = None
    # the stored conversation's owner (pseudonym): a shared thread's is whoever started it
    owner: str = ""
    consent: bool = False
    held: tuple[Photo, ...] = ()  # photos waiting for consent
    first: PreparedFace | None = None
    verified: Verified | None = None
    comparison_id: int | None = None
    explanation: Explanation | None = None
    explain_failed: bool = False
    restored: Comparison | None = None  # the stored comparison, when memory had none
    first_lost: bool = False  # the store says a first photo waited; its template is gone
    interrupted: bool = False  # the store says heatmaps were running; no job here delivers them
    version: int = 0  # of the stored context this state reflects
    saved: SessionRecord | None = None  # what was last stored (or loaded)
    saving: asyncio.Lock = field(default_factory=asyncio.Lock)
    members: dict[str, int] = field(default_factory=dict)  # shared thread: user -> own conversation
    comparison_by: str = ""  # the platform user who sent the current comparison's photos
    explaining: asyncio.Task[None] | None = None
    number: int = 0  # comparisons made in this conversation
    resolved: dict[int, str] = field(default_factory=dict)  # turn id -> question as understood
    serial: int = 0  # names its jobs in logs (see Ctx.label)

    @property
    def comparison(self) -> Comparison | None:
        if self.explanation is not None:
            return self.explanation.comparison
        if self.verified is not None:
            return self.verified.comparison
        return self.restored

    @property
    def busy(self) -> bool:
        return self.explaining is not None and not self.explaining.done()

    @asynccontextmanager
    async def turn(self) -> AsyncIterator[None]:
        """The conversation's turn: one holder at a time, in the order it was asked for (a
        FIFO lock, queued before the first ``await``). Counted, so that the eviction of idle
        states never drops a state that a message is still waiting on."""
        self.waiting += 1
        try:
            async with self.lock:
                yield
        finally:
            self.waiting -= 1

    def clear_comparison(self) -> None:
        if self.explaining is not None and not self.explaining.done():
            self.explaining.cancel()
        self.explaining = None
        self.first = self.verified = self.explanation = self.restored = None
        self.comparison_id = None
        self.comparison_by = ""
        self.explain_failed = self.first_lost = self.interrupted = False
        self.resolved = {}

    def forget(self) -> None:
        self.clear_comparison()
        self.user_id = self.conversation_id = None
        self.owner = ""
        self.consent = False
        self.held = ()
        self.number = 0
        self.version = 0
        self.saved = None
        self.members = {}


class States:
    """The conversations' states by scope, the least recently used idle ones evicted first."""

    def __init__(self, limit: int = 10_000) -> None:
        self.limit = limit
        self._states: OrderedDict[Scope, ConversationState] = OrderedDict()

    def get(self, key: ConversationKey) -> ConversationState:
        scope = key.scope()
        state = self._states.get(scope)
        if state is None:
            state = self._states[scope] = ConversationState(key)
            self._evict()
        self._states.move_to_end(scope)
        return state

    def of_user(self, platform: str, user: str, ref: str) -> list[ConversationState]:
        """The conversations ``user`` (pseudonym ``ref``) owns: a shared thread someone else
        started is not theirs, even when this process first heard it from them."""
        return [s for s in self._states.values() if s.key.platform == platform
                and (s.owner == ref if s.owner else s.key.user == user)]

    def all(self) -> list[ConversationState]:
        return list(self._states.values())

    def _evict(self) -> None:
        for scope in list(self._states)[: max(0, len(self._states) - self.limit)]:
            state = self._states[scope]
            if not state.waiting and not state.busy and state.outbox.idle:
                del self._states[scope]
