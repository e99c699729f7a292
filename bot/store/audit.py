"""The audit log: an append-only SHA-256 hash chain of events.

Each event's hash covers a canonical JSON of its content and the previous event's hash, so an
edited, removed or reordered event breaks the chain from that point on. ``append_event`` runs
inside the caller's transaction and serialises writers on the single ``audit_head`` row
(``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite transactions are ``BEGIN IMMEDIATE``, so
they are serial already). Call it last in a transaction, so the head lock is held briefly and
always taken after any other lock (no deadlock cycles). Events hold ids and pseudonyms only.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.store.models import AuditEvent, AuditHead, utcnow

GENESIS = "0" * 64
EventKind = Literal[
    "conversation_started",
    "consent_given",
    "comparison_made",
    "comparison_explained",
    "question_answered",
    "review_recorded",
    "image_kept",
    "data_forgotten",
    "data_purged",
]


def canonical_json(value: object) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False)


def timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True)
class EventRecord:
    seq: int
    created_at: datetime
    kind: str
    user_id: int | None
    conversation_id: int | None
    payload: str
    prev_hash: str
    row_hash: str

    def content_hash(self) -> str:
        """The hash this event must carry, recomputed from its content."""
        content = {
            "seq": self.seq,
            "created_at": timestamp(self.created_at),
            "kind": self.kind,
            "user_id": self.user_id,
            "conversation_id": self.conversation_id,
            "payload": self.payload,
            "prev_hash": self.prev_hash,
        }
        return hashlib.sha256(canonical_json(content).encode("utf-8")).hexdigest()

    def to_dict(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "created_at": timestamp(self.created_at),
            "kind": self.kind,
            "user_id": self.user_id,
            "conversation_id": self.conversation_id,
            "payload": json.loads(self.payload),
            "prev_hash": self.prev_hash,
            "hash": self.row_hash,
        }


def _record(row: AuditEvent) -> EventRecord:
    return EventRecord(row.seq, row.created_at, row.kind, row.user_id, row.conversation_id,
                       row.payload, row.prev_hash, row.row_hash)


def append_event(
    session: Session,
    kind: EventKind,
    *,
    user_id: int | None = None,
    conversation_id: int | None = None,
    payload: Mapping[str, Any] | None = None,
) -> int:
    """Append one event in the session's transaction; returns its sequence number."""
    head_query = select(AuditHead).where(AuditHead.id == 1)
    if session.get_bind().dialect.name == "postgresql":
        head_query = head_query.with_for_update()
    head = session.execute(head_query).scalar_one()
    created = utcnow()
    record = EventRecord(head.last_seq + 1, created, kind, user_id, conversation_id,
                         canonical_json(dict(payload or {})), head.last_hash, "")
    digest = record.content_hash()
    session.add(AuditEvent(
        seq=record.seq, created_at=created, kind=kind, user_id=user_id,
        conversation_id=conversation_id, payload=record.payload, prev_hash=head.last_hash,
        row_hash=digest,
    ))
    head.last_seq, head.last_hash = record.seq, digest
    session.flush()
    return record.seq


def iter_events(session: Session, since: datetime | None = None) -> Iterator[EventRecord]:
    query = select(AuditEvent).order_by(AuditEvent.seq)
    if since is not None:
        query = query.where(AuditEvent.created_at >= since)
    for row in session.scalars(query.execution_options(yield_per=500)):
        yield _record(row)


@dataclass(frozen=True)
class VerifyResult:
    events: int
    head_hash: str
    broken_seq: int | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_seq is None


def verify_chain(session: Session) -> VerifyResult:
    """Walk the chain from the start; stop at the first event that does not hold."""
    expected_seq, prev_hash, count = 1, GENESIS, 0
    for event in iter_events(session):
        if event.seq != expected_seq:
            missing = f"#{expected_seq}" if event.seq == expected_seq + 1 else (
                f"#{expected_seq} to #{event.seq - 1}")
            return VerifyResult(count, prev_hash, expected_seq, f"event {missing} is missing")
        if event.prev_hash != prev_hash:
            return VerifyResult(count, prev_hash, event.seq,
                                f"its previous-hash does not match event #{event.seq - 1}")
        if event.content_hash() != event.row_hash:
            return VerifyResult(count, prev_hash, event.seq,
                                "its content does not match its hash (edited)")
        expected_seq, prev_hash, count = expected_seq + 1, event.row_hash, count + 1
    head = session.get(AuditHead, 1)
    if head is None:
        return VerifyResult(count, prev_hash, expected_seq, "the chain head row is missing")
    if head.last_seq > count:
        return VerifyResult(count, prev_hash, expected_seq,
                            f"event #{expected_seq} onwards is missing "
                            f"(the head says the last event is #{head.last_seq})")
    if head.last_seq != count or head.last_hash != prev_hash:
        return VerifyResult(count, prev_hash, head.last_seq,
                            "the chain head does not match the last event")
    return VerifyResult(count, prev_hash)
