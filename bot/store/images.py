"""Derived images kept for review: only when enabled, encrypted at rest (Fernet), expiring."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.store.audit import append_event
from bot.store.models import ComparisonRow, Conversation, KeptImage


class ImageVault:
    """Seals and opens image bytes with a Fernet key; knows how long images may stay."""

    def __init__(self, key: bytes, ttl: timedelta) -> None:
        from cryptography.fernet import Fernet

        self._fernet: Any = Fernet(key)
        self.ttl = ttl

    def seal(self, data: bytes) -> bytes:
        token: bytes = self._fernet.encrypt(data)
        return token

    def open(self, token: bytes) -> bytes:
        data: bytes = self._fernet.decrypt(token)
        return data


def keep_image(
    session: Session, vault: ImageVault, comparison: ComparisonRow, label: str,
    data: bytes, content_type: str, now: datetime,
) -> int:
    row = KeptImage(comparison_id=comparison.id, label=label, content_type=content_type,
                    ciphertext=vault.seal(data), created_at=now, expires_at=now + vault.ttl)
    session.add(row)
    session.flush()
    conversation = session.get_one(Conversation, comparison.conversation_id)
    append_event(session, "image_kept", user_id=conversation.user_id,
                 conversation_id=conversation.id,
                 payload={"image_id": row.id, "comparison_id": comparison.id, "label": label,
                          "expires_at": row.expires_at.isoformat()})
    return row.id


def load_image(session: Session, vault: ImageVault, image_id: int, now: datetime) -> bytes | None:
    """The image's bytes, or None when it does not exist or has expired."""
    row = session.scalar(select(KeptImage).where(KeptImage.id == image_id,
                                                 KeptImage.expires_at > now))
    return None if row is None else vault.open(row.ciphertext)
