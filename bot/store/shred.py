"""Crypto-shredding of the personal fields of audit events.

An event about a user stores, in the clear, only its kind, time, a random subject tag and the
fields in ``CLEAR_FIELDS``; the user id, the conversation id and every other payload field
(decision, score, PIC, ...) are sealed with Fernet under that user's own key, kept in
``audit_subjects``. ``shred`` deletes the key (``/forget`` calls it; the row also goes with
the user's row): the sealed fields can then never be read again, while the event keeps its
place, its hash and its MAC, so the chain still verifies.
"""

from __future__ import annotations

import json
import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.store.models import AuditSubject

CLEAR_FIELDS = frozenset({"recognizer_sha256", "found", "deleted", "cutoff", "sealed_events"})
ERASED = "erased"


def _fernet(key: bytes) -> Any:
    from cryptography.fernet import Fernet

    return Fernet(key)


def seal(session: Session, user_id: int, conversation_id: int | None,
         payload: dict[str, Any], now: datetime) -> dict[str, Any]:
    """The payload to store for an event about ``user_id``: clear fields, the subject tag and
    the sealed rest."""
    row = session.execute(select(AuditSubject).where(AuditSubject.user_id == user_id)
                          ).scalar_one_or_none()
    if row is None:
        from cryptography.fernet import Fernet

        row = AuditSubject(user_id=user_id, subject=secrets.token_hex(16),
                           key=Fernet.generate_key(), created_at=now)
        session.add(row)
        session.flush()
    personal = {k: v for k, v in payload.items() if k not in CLEAR_FIELDS}
    personal |= {"user_id": user_id, "conversation_id": conversation_id}
    token = _fernet(row.key).encrypt(json.dumps(personal, sort_keys=True).encode())
    clear = {k: v for k, v in payload.items() if k in CLEAR_FIELDS}
    return {**clear, "subject": row.subject, "sealed": token.decode("ascii")}


def unseal(session: Session, payload: dict[str, Any]) -> dict[str, Any]:
    """The payload with its sealed fields opened, or marked ``"erased"`` once the key is gone."""
    if "sealed" not in payload:
        return payload
    key = session.scalar(select(AuditSubject.key).where(
        AuditSubject.subject == payload.get("subject")))
    rest = {k: v for k, v in payload.items() if k not in ("sealed", "subject")}
    if key is None:
        return {**rest, "personal": ERASED}
    opened: dict[str, Any] = json.loads(_fernet(key).decrypt(str(payload["sealed"]).encode()))
    return {**rest, **opened}


def shred(session: Session, user_id: int) -> bool:
    """Destroy ``user_id``'s key; True if there was one."""
    result = session.execute(delete(AuditSubject).where(AuditSubject.user_id == user_id)
                             .execution_options(synchronize_session=False))
    return bool(getattr(result, "rowcount", 0))
