"""``Store``: the SQLAlchemy implementation of ``StorePort`` (SQLite or PostgreSQL).

Synchronous and thread-safe (one short transaction per call); async code calls it through
``asyncio.to_thread``. Every change and its audit event commit together. A call made while
the database is briefly away is retried with backoff (``bot.store.retry``), not dropped.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql.elements import ColumnElement

from bot.store import records
from bot.store.audit import append_event
from bot.store.base import get_row
from bot.store.config import StoreConfig
from bot.store.models import ComparisonRow, Conversation, Turn, User
from bot.store.oversight import Oversight
from bot.store.port import ConversationRecord, StoredComparison, TurnRecord
from bot.store.retry import retried

if TYPE_CHECKING:
    from core.comparison import Comparison


class Store(Oversight):
    """Users, conversations, comparisons and turns (plus the oversight methods)."""

    # users and conversations
    @retried
    def ensure_user(self, platform: str, platform_user_id: str) -> int:
        ref = self._ref(platform, platform_user_id, "user")
        with self._read() as session:  # the common case: a known user, no write lock
            found = session.scalar(select(User.id).where(User.pseudonym == ref))
        if found is not None:
            return found
        with self._tx() as session:
            found = session.scalar(select(User.id).where(User.pseudonym == ref))
            if found is not None:
                return found
            try:
                with session.begin_nested():
                    user = User(pseudonym=ref, platform=platform, created_at=self._now())
                    session.add(user)
                return user.id
            except IntegrityError:  # created by a concurrent call
                return session.scalars(select(User.id).where(User.pseudonym == ref)).one()

    @retried
    def start_conversation(self, user_id: int, chat: str, thread: str | None = None) -> int:
        with self._tx() as session:
            user = get_row(session, User, user_id)
            row = Conversation(
                user_id=user_id, platform=user.platform,
                chat_ref=self._ref(user.platform, chat, "chat"),
                thread_ref=None if thread is None else self._ref(user.platform, thread, "thread"),
                created_at=self._now())
            session.add(row)
            session.flush()
            append_event(session, "conversation_started", user_id=user_id,
                         conversation_id=row.id, payload={"platform": user.platform})
            return row.id

    @retried
    def find_conversation(self, user_id: int, chat: str,
                          thread: str | None = None) -> ConversationRecord | None:
        """The user's latest conversation in this chat (and thread), if any."""
        with self._read() as session:
            user = session.get(User, user_id)
            if user is None:
                return None
            thread_ref = None if thread is None else self._ref(user.platform, thread, "thread")
            row = session.scalars(
                select(Conversation).where(
                    Conversation.user_id == user_id,
                    Conversation.chat_ref == self._ref(user.platform, chat, "chat"),
                    Conversation.thread_ref.is_(None) if thread_ref is None
                    else Conversation.thread_ref == thread_ref)
                .order_by(Conversation.id.desc()).limit(1)).first()
            return None if row is None else records.conversation_record(row)

    @retried
    def thread_conversation(self, platform: str, chat: str,
                            thread: str) -> tuple[ConversationRecord, str] | None:
        """A shared thread's conversation: the first one started in it (by whoever started
        the thread), with its owner's pseudonym; None when nobody has talked in it yet."""
        with self._read() as session:
            found = session.execute(
                select(Conversation, User.pseudonym)
                .join(User, User.id == Conversation.user_id)
                .where(Conversation.platform == platform,
                       Conversation.chat_ref == self._ref(platform, chat, "chat"),
                       Conversation.thread_ref == self._ref(platform, thread, "thread"))
                .order_by(Conversation.id).limit(1)).first()
            return None if found is None else (records.conversation_record(found[0]), found[1])

    @retried
    def record_consent(self, conversation_id: int) -> datetime:
        """Mark consent given (once); returns when it was given."""
        with self._tx() as session:
            row = get_row(session, Conversation, conversation_id)
            if row.consent_given_at is None:
                row.consent_given_at = self._now()
                append_event(session, "consent_given", user_id=row.user_id,
                             conversation_id=row.id)
            return row.consent_given_at

    # comparisons and turns
    @retried
    def add_comparison(self, conversation_id: int, comparison: Comparison) -> int:
        with self._tx() as session:
            conversation = get_row(session, Conversation, conversation_id)
            row = ComparisonRow(conversation_id=conversation_id, created_at=self._now(),
                                **records.comparison_fields(comparison))
            session.add(row)
            session.flush()
            append_event(session, "comparison_made", user_id=conversation.user_id,
                         conversation_id=conversation_id, payload={
                             "comparison_id": row.id, "decision": row.decision,
                             "score": row.score, "threshold": row.threshold, "pic": row.pic,
                             "recognizer_sha256": row.models.get("recognizer_sha256", "")})
            return row.id

    @retried
    def add_explanation(self, comparison_id: int, comparison: Comparison) -> None:
        """Store the tables and saliency parameters that arrive after the decision."""
        with self._tx() as session:
            row = get_row(session, ComparisonRow, comparison_id)
            row.tables = comparison.tables
            row.parameters = records.comparison_parameters(comparison)
            conversation = session.get_one(Conversation, row.conversation_id)
            append_event(session, "comparison_explained", user_id=conversation.user_id,
                         conversation_id=conversation.id, payload={"comparison_id": row.id})

    @retried
    def get_comparison(self, comparison_id: int) -> StoredComparison | None:
        with self._read() as session:
            row = session.get(ComparisonRow, comparison_id)
            return None if row is None else records.comparison_record(row)

    @retried
    def add_turn(self, conversation_id: int, question: str, answer: str, *,
                 fact_ids: Sequence[str] = (), confidence: float | None = None,
                 latency_ms: float = 0.0, mode: str = "",
                 comparison_id: int | None = None) -> int:
        with self._tx() as session:
            conversation = get_row(session, Conversation, conversation_id)
            row = Turn(conversation_id=conversation_id, comparison_id=comparison_id,
                       question=question, answer=answer, fact_ids=list(fact_ids),
                       confidence=confidence, latency_ms=float(latency_ms), mode=mode,
                       created_at=self._now())
            session.add(row)
            session.flush()
            append_event(session, "question_answered", user_id=conversation.user_id,
                         conversation_id=conversation_id, payload={
                             "turn_id": row.id, "comparison_id": comparison_id, "mode": mode,
                             "confidence": confidence, "fact_ids": list(fact_ids),
                             "latency_ms": row.latency_ms})
            return row.id

    @retried
    def history(self, conversation_id: int, limit: int = 20) -> list[TurnRecord]:
        """The last ``limit`` turns of the conversation, oldest first."""
        return self._last_turns(Turn.conversation_id == conversation_id, limit)

    @retried
    def turns_about(self, comparison_id: int, limit: int = 20) -> list[TurnRecord]:
        """The last ``limit`` turns about one comparison (whoever asked them), oldest first."""
        return self._last_turns(Turn.comparison_id == comparison_id, limit)

    def _last_turns(self, which: ColumnElement[bool], limit: int) -> list[TurnRecord]:
        with self._read() as session:
            rows = session.scalars(select(Turn).where(which)
                                   .order_by(Turn.id.desc()).limit(limit)).all()
            return [records.turn_record(row) for row in reversed(rows)]


def open_store(config: StoreConfig, *, migrate: bool = True) -> Store:
    """The composition root's entry: a Store, its schema brought to head first if asked."""
    store = Store(config)
    if migrate:
        from bot.store.migrate import upgrade_to_head

        upgrade_to_head(store.engine)
    return store
