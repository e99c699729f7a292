"""What an adapter needs of the dialogue (``Dialogue`` is the implementation; adapter tests may
pass their own)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Protocol

from bot.messages import ConversationKey, Incoming, ReplySink
from bot.store.port import Verdict

# what an adapter still does to a message in its turn (downloads, an album's other parts); it
# gets a sink for its own replies and returns the message, or None when there is none to handle
Prepare = Callable[[ReplySink], Awaitable[Incoming | None]]


class DialoguePort(Protocol):
    async def handle(self, incoming: Incoming, send: ReplySink) -> None:
        """Answer ``incoming`` through ``send`` (several replies, in order)."""

    async def turn(self, key: ConversationKey, send: ReplySink, prepare: Prepare) -> None:
        """Take ``key``'s turn as called (the order of calls is the order of handling), then
        ``prepare`` the message in it and answer it through ``send``."""

    async def idle(self, key: ConversationKey | None = None) -> None:
        """Wait until the work started for ``key`` (or every conversation) has finished."""

    async def recover(self, platform: str,
                      sink_for: Callable[[ConversationKey], ReplySink]) -> int:
        """Deliver the replies an earlier process of ``platform`` left in flight; how many."""
        ...

    async def take_event(self, platform: str, event_key: str) -> bool:
        """Whether this process handles the platform event (the store's inbox: False when it
        was handled, or is being handled, by this or another process)."""
        ...

    async def finish_event(self, platform: str, event_key: str) -> None:
        """Record the event as handled (a later redelivery is dropped)."""
        ...

    async def review(self, key: ConversationKey, comparison_id: int, verdict: Verdict,
                     comment: str = "") -> None:
        """Record ``key.user``'s verdict; ``AlreadyReviewed`` or ``UnknownRecord`` if refused."""
