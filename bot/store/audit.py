"""The audit log: an append-only chain of events, hashed (SHA-256) and keyed (HMAC-SHA256).

Each event's hash covers a canonical JSON of its content and the previous event's hash, so an
edited, removed or reordered event breaks the chain from that point on. Each event's MAC is
HMAC-SHA256 under the audit key (``FACEXPLAIN_AUDIT_KEY``) of its hash, which already covers
every earlier event: writing an event that verifies needs the key, not only database rights.
``anchor`` gives the head with its MAC, for the operator to keep elsewhere; ``verify_chain``
with anchors then also catches a history rewritten by someone who holds the key.

``append_event`` runs inside the caller's transaction, takes the key from the session
(``session.info[AUDIT_KEY]``, set by the store) and serialises writers on the single
``audit_head`` row (``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite transactions are ``BEGIN
IMMEDIATE``, so they are serial already). Call it last in a transaction, so the head lock is
held briefly and always taken after any other lock (no deadlock cycles). Events about a user
carry no user id in the clear: their personal fields are sealed under that user's key
(``bot.store.shred``), which ``/forget`` destroys.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.store import shred
from bot.store.models import AuditEvent, AuditHead, utcnow

GENESIS = "0" * 64
AUDIT_KEY = "facexplain_audit_key"  # session.info entry holding the key (bytes)
_MAC_LABEL = b"facexplain audit event v2\x1f"
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
    "chain_sealed",
]


def canonical_json(value: object) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False)


def timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def mac_of(key: bytes, row_hash: str) -> str:
    return hmac.new(key, _MAC_LABEL + row_hash.encode("ascii"), hashlib.sha256).hexdigest()


def session_key(session: Session) -> bytes:
    key = session.info.get(AUDIT_KEY)
    if not isinstance(key, bytes) or len(key) < 16:
        raise RuntimeError("this session has no audit key (session.info[AUDIT_KEY])")
    return key


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
    mac: str | None = None

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
            "mac": self.mac,
        }


def _record(row: AuditEvent) -> EventRecord:
    return EventRecord(row.seq, row.created_at, row.kind, row.user_id, row.conversation_id,
                       row.payload, row.prev_hash, row.row_hash, row.mac)


def append_event(
    session: Session,
    kind: EventKind,
    *,
    user_id: int | None = None,
    conversation_id: int | None = None,
    payload: Mapping[str, Any] | None = None,
) -> int:
    """Append one event in the session's transaction; returns its sequence number. With a
    ``user_id``, the ids and the personal payload fields are sealed under that user's key."""
    key = session_key(session)
    head_query = select(AuditHead).where(AuditHead.id == 1)
    if session.get_bind().dialect.name == "postgresql":
        head_query = head_query.with_for_update()
    head = session.execute(head_query).scalar_one()
    created = utcnow()
    stored = dict(payload or {})
    if user_id is not None:
        stored = shred.seal(session, user_id, conversation_id, stored, created)
        user_id = conversation_id = None
    record = EventRecord(head.last_seq + 1, created, kind, user_id, conversation_id,
                         canonical_json(stored), head.last_hash, "")
    digest = record.content_hash()
    mac = mac_of(key, digest)
    session.add(AuditEvent(
        seq=record.seq, created_at=created, kind=kind, user_id=user_id,
        conversation_id=conversation_id, payload=record.payload, prev_hash=head.last_hash,
        row_hash=digest, mac=mac,
    ))
    head.last_seq, head.last_hash, head.last_mac = record.seq, digest, mac
    session.flush()
    return record.seq


def iter_events(session: Session, since: datetime | None = None) -> Iterator[EventRecord]:
    query = select(AuditEvent).order_by(AuditEvent.seq)
    if since is not None:
        query = query.where(AuditEvent.created_at >= since)
    rows = session.scalars(query.execution_options(yield_per=500))
    try:
        for row in rows:
            yield _record(row)
    finally:  # a caller that stops early (verify_chain at a break) leaves no open cursor
        rows.close()


def readable(session: Session, event: EventRecord) -> dict[str, Any]:
    """The event for a reviewer: sealed fields opened, or ``"personal": "erased"``."""
    shown = event.to_dict()
    shown["payload"] = shred.unseal(session, shown["payload"])
    return shown


@dataclass(frozen=True)
class Anchor:
    """The chain's head at one moment: kept outside the database by the operator."""

    seq: int
    row_hash: str
    mac: str
    taken_at: str = ""

    def to_json(self) -> str:
        return canonical_json({"seq": self.seq, "hash": self.row_hash, "mac": self.mac,
                               "taken_at": self.taken_at})

    @classmethod
    def from_json(cls, line: str) -> Anchor:
        data = json.loads(line)
        return cls(int(data["seq"]), str(data["hash"]), str(data["mac"]),
                   str(data.get("taken_at", "")))


def anchor(session: Session) -> Anchor:
    head = session.get_one(AuditHead, 1)
    return Anchor(head.last_seq, head.last_hash, head.last_mac or "", timestamp(utcnow()))


@dataclass(frozen=True)
class VerifyResult:
    events: int
    head_hash: str
    broken_seq: int | None = None
    reason: str = ""
    unkeyed: int = 0  # events from before the audit key (accepted only as a sealed prefix)
    head_mac: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_seq is None


def verify_chain(session: Session, key: bytes | None = None,
                 anchors: Iterable[Anchor] = ()) -> VerifyResult:
    """Walk the chain from the start; stop at the first event that does not hold (its link,
    its hash, its MAC under ``key`` — the session's key by default — or an anchor)."""
    key = key if key is not None else session_key(session)
    pinned = {a.seq: a for a in anchors}
    expected_seq, prev_hash, prev_mac, count, unkeyed = 1, GENESIS, "", 0, 0

    def broken(seq: int, reason: str) -> VerifyResult:
        return VerifyResult(count, prev_hash, seq, reason, unkeyed, prev_mac)

    for event in iter_events(session):
        if event.seq != expected_seq:
            missing = f"#{expected_seq}" if event.seq == expected_seq + 1 else (
                f"#{expected_seq} to #{event.seq - 1}")
            return broken(expected_seq, f"event {missing} is missing")
        if event.prev_hash != prev_hash:
            return broken(event.seq, f"its previous-hash does not match event #{event.seq - 1}")
        if event.content_hash() != event.row_hash:
            return broken(event.seq, "its content does not match its hash (edited)")
        if event.mac is None:
            if count > unkeyed:  # after a keyed event, every event needs its MAC
                return broken(event.seq, "it has no MAC (written without the audit key)")
            unkeyed += 1
        elif not hmac.compare_digest(event.mac, mac_of(key, event.row_hash)):
            return broken(event.seq, "its MAC does not match (written without the audit key, "
                                     "or verified with another key)")
        if event.seq in pinned and (pinned[event.seq].row_hash, pinned[event.seq].mac) != (
                event.row_hash, event.mac):
            return broken(event.seq, f"it differs from the anchor taken "
                                     f"{pinned[event.seq].taken_at or 'earlier'}: history up "
                                     f"to it was rewritten")
        expected_seq, prev_hash, prev_mac, count = (
            expected_seq + 1, event.row_hash, event.mac or "", count + 1)
    head = session.get(AuditHead, 1)
    if head is None:
        return broken(expected_seq, "the chain head row is missing")
    if head.last_seq > count:
        return broken(expected_seq, f"event #{expected_seq} onwards is missing "
                                    f"(the head says the last event is #{head.last_seq})")
    if head.last_seq != count or head.last_hash != prev_hash or (head.last_mac or "") != prev_mac:
        return broken(head.last_seq, "the chain head does not match the last event")
    beyond = [seq for seq in pinned if seq > count]
    if beyond:
        return broken(min(beyond), f"event #{min(beyond)}, named by an anchor, is missing")
    if unkeyed and unkeyed == count:
        return broken(count, f"all {count} events were written before the audit key: run "
                             "`facexplain audit seal` to seal them under it")
    return VerifyResult(count, prev_hash, unkeyed=unkeyed, head_mac=prev_mac)
