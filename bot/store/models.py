"""The tables, as typed SQLAlchemy 2 models. Alembic revisions must match these exactly
(tests/bot/test_migrations.py checks it).

Users are pseudonyms only; chats and threads are keyed hashes too. No face image or embedding
column exists; derived images for review live encrypted in ``kept_images`` when enabled.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    DateTime,
    Dialect,
    Double,
    ForeignKey,
    Index,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
AUTOINCREMENT = {"sqlite_autoincrement": True}  # ids are never reused after a deletion


def utcnow() -> datetime:
    return datetime.now(UTC)


class UtcDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in and out, on SQLite (which stores no zone) and PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; use an aware (UTC) one")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UtcDateTime(), float: Double()}


class User(Base):
    __tablename__ = "users"
    __table_args__ = AUTOINCREMENT
    id: Mapped[int] = mapped_column(primary_key=True)
    pseudonym: Mapped[str] = mapped_column(String(64), unique=True)
    platform: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime]


class Conversation(Base):
    __tablename__ = "conversations"
    __table_args__ = (
        Index("ix_conversations_place", "user_id", "chat_ref", "thread_ref"),
        AUTOINCREMENT,
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    platform: Mapped[str] = mapped_column(String(32))
    chat_ref: Mapped[str] = mapped_column(String(64))
    thread_ref: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(index=True)
    consent_given_at: Mapped[datetime | None]


class ComparisonRow(Base):
    __tablename__ = "comparisons"
    __table_args__ = AUTOINCREMENT
    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    decision: Mapped[str] = mapped_column(String(32))
    same_person: Mapped[bool]
    score: Mapped[float]
    threshold: Mapped[float]
    pic: Mapped[float]
    confidence: Mapped[float]
    tables: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    models: Mapped[dict[str, Any]] = mapped_column(JSON)
    parameters: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(index=True)


class Turn(Base):
    __tablename__ = "turns"
    __table_args__ = AUTOINCREMENT
    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    comparison_id: Mapped[int | None] = mapped_column(
        ForeignKey("comparisons.id", ondelete="SET NULL"), index=True
    )
    question: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text)
    fact_ids: Mapped[list[str]] = mapped_column(JSON)
    confidence: Mapped[float | None]
    latency_ms: Mapped[float]
    mode: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(index=True)


class Review(Base):
    __tablename__ = "reviews"
    __table_args__ = (
        UniqueConstraint("comparison_id", "reviewer_id"),
        CheckConstraint("verdict IN ('confirm', 'reject', 'escalate')", name="verdict"),
        AUTOINCREMENT,
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    # None once the comparison's owner has forgotten it: the verdict and its reviewer stay
    comparison_id: Mapped[int | None] = mapped_column(
        ForeignKey("comparisons.id", ondelete="SET NULL")
    )
    reviewer_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    verdict: Mapped[str] = mapped_column(String(16))
    comment: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]


class KeptImage(Base):
    __tablename__ = "kept_images"
    __table_args__ = AUTOINCREMENT
    id: Mapped[int] = mapped_column(primary_key=True)
    comparison_id: Mapped[int] = mapped_column(
        ForeignKey("comparisons.id", ondelete="CASCADE"), index=True
    )
    label: Mapped[str] = mapped_column(String(32))
    content_type: Mapped[str] = mapped_column(String(64))
    ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime] = mapped_column(index=True)


class AuditEvent(Base):
    """One link of the hash chain. ``seq`` is given under the chain lock: no gaps, ever."""

    __tablename__ = "audit_events"
    seq: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    created_at: Mapped[datetime] = mapped_column(index=True)
    kind: Mapped[str] = mapped_column(String(40))
    user_id: Mapped[int | None]
    conversation_id: Mapped[int | None]
    payload: Mapped[str] = mapped_column(Text)  # canonical JSON, hashed as it is stored
    prev_hash: Mapped[str] = mapped_column(String(64))
    row_hash: Mapped[str] = mapped_column(String(64), unique=True)
    mac: Mapped[str | None] = mapped_column(String(64))  # HMAC of row_hash; None: before keys


class AuditHead(Base):
    """The single row (id 1) naming the chain's last link; locked by every append."""

    __tablename__ = "audit_head"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last_seq: Mapped[int]
    last_hash: Mapped[str] = mapped_column(String(64))
    last_mac: Mapped[str | None] = mapped_column(String(64))


class SessionRow(Base):
    """Where one conversation stands, so that any bot process can go on with it: the current
    comparison's record (no landmarks, no photos, no templates), the questions as understood,
    and the heatmap collage sealed with the store's artefact key (it expires)."""

    __tablename__ = "sessions"
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    stage: Mapped[str] = mapped_column(String(16))
    number: Mapped[int]
    comparison_id: Mapped[int | None] = mapped_column(
        ForeignKey("comparisons.id", ondelete="SET NULL"), index=True
    )
    record: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    table_text: Mapped[str | None] = mapped_column(Text)
    resolved: Mapped[dict[str, Any]] = mapped_column(JSON)
    collage: Mapped[bytes | None] = mapped_column(LargeBinary)
    collage_expires_at: Mapped[datetime | None]
    version: Mapped[int]
    updated_at: Mapped[datetime] = mapped_column(index=True)


class InboxEvent(Base):
    """One platform event (a Telegram update, a Slack event), taken before it is handled and
    marked done after: a redelivery is handled once, across restarts and replicas."""

    __tablename__ = "inbox"
    __table_args__ = (UniqueConstraint("platform", "event_key"), AUTOINCREMENT)
    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(32))
    event_key: Mapped[str] = mapped_column(String(128))
    state: Mapped[str] = mapped_column(String(8))  # "taken" | "done"
    taken_at: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(index=True)


class AuditSubject(Base):
    """One user's key for the personal fields of their audit events (``bot.store.shred``).
    Deleting the row (``/forget``, or the user's row going) makes those fields unreadable."""

    __tablename__ = "audit_subjects"
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, autoincrement=False)
    subject: Mapped[str] = mapped_column(String(32), unique=True)  # random, not the user id
    key: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime]
