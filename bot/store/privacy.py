"""Forgetting a user and purging old data. Both leave the audit chain intact: they only
append an event (a tombstone with counts, never personal data). Forgetting also destroys the
user's audit key (``bot.store.shred``), so the personal fields of their earlier audit events
can no longer be read; the events keep their place and the chain still verifies."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, Delete, delete, exists, select, update
from sqlalchemy.orm import Session

from bot.store import shred
from bot.store.audit import append_event, timestamp
from bot.store.models import (
    ComparisonRow,
    Conversation,
    InboxEvent,
    KeptImage,
    Review,
    SessionRow,
    Turn,
    User,
)
from bot.store.port import ForgetReport, PurgeReport


def forget(session: Session, user_pseudonym: str) -> ForgetReport:
    """Delete everything of one user: their identity, conversations, comparisons (with kept
    images and session context), questions and their own verdicts; append a
    ``data_forgotten`` tombstone. Other people's verdicts on the user's comparisons stay, with
    no comparison (the fact that it was reviewed, not the personal data); other people's
    questions in a shared thread are theirs (in their own conversations) and stay too."""
    user_id = session.scalar(select(User.id).where(User.pseudonym == user_pseudonym))
    if user_id is None:
        append_event(session, "data_forgotten", payload={"found": False})
        return ForgetReport(found=False)
    conversations = select(Conversation.id).where(Conversation.user_id == user_id)
    comparisons = select(ComparisonRow.id).where(ComparisonRow.conversation_id.in_(conversations))
    statements = {
        "kept_images": delete(KeptImage).where(KeptImage.comparison_id.in_(comparisons)),
        "reviews": delete(Review).where(Review.reviewer_id == user_id),
        "turns": delete(Turn).where(Turn.conversation_id.in_(conversations)),
        "sessions": delete(SessionRow).where(SessionRow.conversation_id.in_(conversations)),
        "comparisons": delete(ComparisonRow).where(ComparisonRow.id.in_(comparisons)),
        "conversations": delete(Conversation).where(Conversation.user_id == user_id),
        "users": delete(User).where(User.id == user_id),
    }
    shred.shred(session, user_id)  # before the user's row: its key goes first, explicitly
    session.execute(update(Review).where(Review.comparison_id.in_(comparisons),
                                         Review.reviewer_id != user_id)
                    .values(comparison_id=None).execution_options(synchronize_session=False))
    deleted = _run(session, statements)
    append_event(session, "data_forgotten", payload={"found": True, "deleted": deleted})
    return ForgetReport(found=True, deleted=deleted)


def purge(session: Session, cutoff: datetime, now: datetime) -> PurgeReport:
    """Delete data created before ``cutoff`` and images expired by ``now``."""
    old_comparisons = select(ComparisonRow.id).where(ComparisonRow.created_at < cutoff)
    statements = {
        "kept_images": delete(KeptImage).where(
            (KeptImage.expires_at <= now) | KeptImage.comparison_id.in_(old_comparisons)),
        "reviews": delete(Review).where(Review.comparison_id.in_(old_comparisons)
                                        | (Review.created_at < cutoff)),
        "turns": delete(Turn).where(Turn.created_at < cutoff),
        "sessions": delete(SessionRow).where(SessionRow.updated_at < cutoff),
        "comparisons": delete(ComparisonRow).where(ComparisonRow.created_at < cutoff),
        "conversations": delete(Conversation).where(
            Conversation.created_at < cutoff,
            ~exists().where(Turn.conversation_id == Conversation.id),
            ~exists().where(ComparisonRow.conversation_id == Conversation.id)),
        "users": delete(User).where(
            User.created_at < cutoff,
            ~exists().where(Conversation.user_id == User.id),
            ~exists().where(Review.reviewer_id == User.id)),
        "inbox": delete(InboxEvent).where(InboxEvent.created_at < cutoff),
    }
    deleted = _run(session, statements)
    session.execute(update(SessionRow).where(SessionRow.collage_expires_at <= now)
                    .values(collage=None, collage_expires_at=None))
    if any(deleted.values()):
        append_event(session, "data_purged",
                     payload={"cutoff": timestamp(cutoff), "deleted": deleted})
    return PurgeReport(cutoff=cutoff, deleted=deleted)


def _run(session: Session, statements: dict[str, Delete]) -> dict[str, int]:
    """Run the deletes in order (children first); how many rows each removed."""
    deleted = {}
    for name, statement in statements.items():
        result = session.execute(statement.execution_options(synchronize_session=False))
        deleted[name] = int(cast(CursorResult[Any], result).rowcount)
    return deleted
