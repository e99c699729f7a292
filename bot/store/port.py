"""The store's port: records it hands back, its errors, and the Protocol the dialogue uses.

No database code here, so a dialogue test can implement ``StorePort`` with a fake. The real
implementation is ``bot.store.repository.Store`` (synchronous and thread-safe: from async
code call it through ``asyncio.to_thread``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal, Protocol

from core.errors import FacexplainError

if TYPE_CHECKING:
    from core.comparison import Comparison

Verdict = Literal["confirm", "reject", "escalate"]
VERDICTS: tuple[Verdict, ...] = ("confirm", "reject", "escalate")


class UnknownRecord(FacexplainError):
    code = "not_found"
    user_message = "I could not find that conversation or comparison any more."


class AlreadyReviewed(FacexplainError):
    code = "already_reviewed"
    user_message = "You have already reviewed this comparison."


class ImagesDisabled(FacexplainError):
    code = "images_disabled"
    user_message = "Keeping images for review is switched off."


@dataclass(frozen=True)
class ConversationRecord:
    id: int
    user_id: int
    platform: str
    created_at: datetime
    consent_given_at: datetime | None


@dataclass(frozen=True)
class TurnRecord:
    id: int
    conversation_id: int
    question: str
    answer: str
    fact_ids: list[str]
    confidence: float | None
    latency_ms: float
    mode: str
    comparison_id: int | None
    created_at: datetime


@dataclass(frozen=True)
class StoredComparison:
    id: int
    conversation_id: int
    decision: str
    same_person: bool
    score: float
    threshold: float
    pic: float
    confidence: float
    tables: dict[str, Any] | None
    models: dict[str, Any]
    parameters: dict[str, Any]
    created_at: datetime


@dataclass(frozen=True)
class ReviewRecord:
    id: int
    comparison_id: int | None  # None: the comparison was forgotten by its owner
    reviewer_id: int
    verdict: Verdict
    comment: str
    created_at: datetime


Stage = Literal["idle", "first_photo", "decided", "explaining", "explained", "explain_failed"]


@dataclass(frozen=True)
class SessionRecord:
    """Where a conversation stands (``sessions``): enough for any bot process to go on with it.

    ``record`` is the current comparison as ``Comparison.to_dict()`` without the faces' boxes
    and landmarks; ``resolved`` maps turn ids to the questions as understood; ``collage`` is
    the heatmap PNG (sealed at rest, None once expired). ``version`` grows with every save."""

    stage: Stage = "idle"
    number: int = 0
    comparison_id: int | None = None
    record: dict[str, Any] | None = None
    table_text: str | None = None
    resolved: dict[int, str] = field(default_factory=dict)
    collage: bytes | None = field(default=None, repr=False)
    version: int = 0


@dataclass(frozen=True)
class ForgetReport:
    """What ``forget_user`` deleted. ``found`` is False when the store never saw the user."""

    found: bool
    deleted: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class PurgeReport:
    cutoff: datetime
    deleted: dict[str, int] = field(default_factory=dict)


class StorePort(Protocol):
    """What the dialogue needs from a conversation store."""

    def ensure_user(self, platform: str, platform_user_id: str) -> int: ...

    def start_conversation(self, user_id: int, chat: str, thread: str | None = None) -> int: ...

    def find_conversation(
        self, user_id: int, chat: str, thread: str | None = None
    ) -> ConversationRecord | None: ...

    def thread_conversation(self, platform: str, chat: str,
                            thread: str) -> tuple[ConversationRecord, str] | None: ...

    def record_consent(self, conversation_id: int) -> datetime: ...

    def add_comparison(self, conversation_id: int, comparison: Comparison) -> int: ...

    def add_explanation(self, comparison_id: int, comparison: Comparison) -> None: ...

    def get_comparison(self, comparison_id: int) -> StoredComparison | None: ...

    def add_turn(
        self,
        conversation_id: int,
        question: str,
        answer: str,
        *,
        fact_ids: Sequence[str] = (),
        confidence: float | None = None,
        latency_ms: float = 0.0,
        mode: str = "",
        comparison_id: int | None = None,
    ) -> int: ...

    def history(self, conversation_id: int, limit: int = 20) -> list[TurnRecord]: ...

    def turns_about(self, comparison_id: int, limit: int = 20) -> list[TurnRecord]: ...

    def add_review(
        self, comparison_id: int, reviewer_id: int, verdict: Verdict, comment: str = ""
    ) -> int: ...

    def load_session(self, conversation_id: int) -> SessionRecord | None: ...

    def save_session(self, conversation_id: int, session: SessionRecord) -> int: ...

    def session_version(self, conversation_id: int) -> int: ...

    def take_event(self, platform: str, event_key: str, lease_s: float = 120.0) -> bool: ...

    def user_ref(self, platform: str, platform_user_id: str) -> str: ...

    def seal(self, data: bytes) -> bytes: ...

    def unseal(self, token: bytes) -> bytes: ...

    def finish_event(self, platform: str, event_key: str) -> None: ...

    def forget_user(self, platform: str, platform_user_id: str) -> ForgetReport: ...

    def purge(self, older_than: timedelta) -> PurgeReport: ...
