"""Session context and the inbox: the parts of the store that let any bot process go on with
a conversation (after a restart, an eviction from memory, or on another replica) and handle
each platform event once.

The heatmap collage is kept with the session so that a later ``/explain`` can resend it (it
cannot be made again: the photos are never kept). It is sealed at rest with a Fernet key
derived from the store's pseudonym key, expires after ``image_ttl_hours`` and goes with the
conversation on ``/forget`` and with the retention purge.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from bot.store.base import StoreBase
from bot.store.models import InboxEvent, SessionRow
from bot.store.port import SessionRecord
from bot.store.retry import retried

_ARTEFACT_KEY_PURPOSE = b"facexplain artefact key v1"


def artefact_key(pseudonym_key: bytes) -> bytes:
    """A Fernet key for stored artefacts, derived (HMAC-SHA256) from the pseudonym key."""
    digest = hmac.new(pseudonym_key, _ARTEFACT_KEY_PURPOSE, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest)


class Sessions(StoreBase):
    def _fernet(self) -> Any:
        from cryptography.fernet import Fernet

        if getattr(self, "_artefact_fernet", None) is None:
            self._artefact_fernet = Fernet(artefact_key(self.config.pseudonym_key))
        return self._artefact_fernet

    def user_ref(self, platform: str, platform_user_id: str) -> str:
        """The user's pseudonym (what notes outside the store name them by)."""
        return self._ref(platform, platform_user_id, "user")

    def seal(self, data: bytes) -> bytes:
        """Encrypt ``data`` for a short stay outside the store (a note in Redis)."""
        token: bytes = self._fernet().encrypt(data)
        return token

    def unseal(self, token: bytes) -> bytes:
        data: bytes = self._fernet().decrypt(token)
        return data

    @retried
    def load_session(self, conversation_id: int) -> SessionRecord | None:
        with self._read() as session:
            row = session.get(SessionRow, conversation_id)
            if row is None:
                return None
            collage = None
            if row.collage is not None and row.collage_expires_at is not None \
                    and row.collage_expires_at > self._now():
                collage = self._fernet().decrypt(row.collage)
            return SessionRecord(
                row.stage, row.number, row.comparison_id, row.record,  # type: ignore[arg-type]
                row.table_text, {int(k): str(v) for k, v in row.resolved.items()}, collage,
                row.version)

    @retried
    def session_version(self, conversation_id: int) -> int:
        """The stored session's version (0: none): a cheap check that a cached one is current."""
        with self._read() as session:
            found = session.scalar(select(SessionRow.version)
                                   .where(SessionRow.conversation_id == conversation_id))
            return 0 if found is None else int(found)

    @retried
    def save_session(self, conversation_id: int, record: SessionRecord) -> int:
        """Store where the conversation stands; returns the new version."""
        now = self._now()
        sealed = None if record.collage is None else self._fernet().encrypt(record.collage)
        fields: dict[str, Any] = {
            "stage": record.stage, "number": record.number,
            "comparison_id": record.comparison_id, "record": record.record,
            "table_text": record.table_text,
            "resolved": {str(k): v for k, v in record.resolved.items()},
            "collage": sealed,
            "collage_expires_at": None if sealed is None
            else now + timedelta(hours=self.config.image_ttl_hours),
            "updated_at": now}
        with self._tx() as session:
            row = session.get(SessionRow, conversation_id, with_for_update=True)
            if row is None:
                try:
                    with session.begin_nested():
                        session.add(SessionRow(conversation_id=conversation_id, version=1,
                                               **fields))
                    return 1
                except IntegrityError:  # saved by another process meanwhile
                    row = session.get_one(SessionRow, conversation_id, with_for_update=True,
                                          populate_existing=True)
            for name, value in fields.items():
                setattr(row, name, value)
            row.version += 1
            return row.version

    # the inbox
    @retried
    def take_event(self, platform: str, event_key: str, lease_s: float = 120.0) -> bool:
        """True when this process should handle the event: never seen, or taken by a process
        that did not finish it within ``lease_s`` (it died). False: handled or being handled."""
        now = self._now()
        with self._tx() as session:
            try:
                with session.begin_nested():
                    session.add(InboxEvent(platform=platform, event_key=event_key,
                                           state="taken", taken_at=now, created_at=now))
                return True
            except IntegrityError:
                pass
            row = session.scalars(select(InboxEvent).where(
                InboxEvent.platform == platform, InboxEvent.event_key == event_key)
                .with_for_update()).one()
            if row.state == "done" or row.taken_at > now - timedelta(seconds=lease_s):
                return False
            row.taken_at = now
            return True

    @retried
    def finish_event(self, platform: str, event_key: str) -> None:
        with self._tx() as session:
            row = session.scalars(select(InboxEvent).where(
                InboxEvent.platform == platform, InboxEvent.event_key == event_key)).first()
            if row is not None:
                row.state = "done"
