"""The oversight side of the store: reviewers' verdicts, kept images, forgetting, retention
and the audit check."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from bot.store import images, privacy, records
from bot.store.audit import Anchor, VerifyResult, append_event, verify_chain
from bot.store.base import get_row
from bot.store.models import ComparisonRow, Review, User
from bot.store.port import (
    VERDICTS,
    AlreadyReviewed,
    ForgetReport,
    ImagesDisabled,
    PurgeReport,
    ReviewRecord,
    Verdict,
)
from bot.store.sessions import Sessions


class Oversight(Sessions):
    # reviews
    def add_review(self, comparison_id: int, reviewer_id: int, verdict: Verdict,
                   comment: str = "") -> int:
        """A reviewer's verdict; a second one by the same reviewer raises AlreadyReviewed."""
        if verdict not in VERDICTS:
            raise ValueError(f"verdict must be one of {VERDICTS}, not {verdict!r}")
        with self._tx() as session:
            comparison = get_row(session, ComparisonRow, comparison_id)
            get_row(session, User, reviewer_id)
            row = Review(comparison_id=comparison_id, reviewer_id=reviewer_id, verdict=verdict,
                         comment=comment, created_at=self._now())
            try:
                with session.begin_nested():
                    session.add(row)
            except IntegrityError:
                raise AlreadyReviewed() from None
            append_event(session, "review_recorded", user_id=reviewer_id,
                         conversation_id=comparison.conversation_id,
                         payload={"review_id": row.id, "comparison_id": comparison_id,
                                  "verdict": verdict})
            return row.id

    def reviews(self, comparison_id: int) -> list[ReviewRecord]:
        with self._read() as session:
            rows = session.scalars(select(Review).where(Review.comparison_id == comparison_id)
                                   .order_by(Review.id)).all()
            return [records.review_record(row) for row in rows]

    # kept images (off by default)
    def keep_image(self, comparison_id: int, label: str, data: bytes,
                   content_type: str = "image/png") -> int:
        if self._vault is None:
            raise ImagesDisabled()
        with self._tx() as session:
            comparison = get_row(session, ComparisonRow, comparison_id)
            return images.keep_image(session, self._vault, comparison, label, data,
                                     content_type, self._now())

    def load_image(self, image_id: int) -> bytes | None:
        if self._vault is None:
            raise ImagesDisabled()
        with self._read() as session:
            return images.load_image(session, self._vault, image_id, self._now())

    # privacy and audit
    def forget_user(self, platform: str, platform_user_id: str) -> ForgetReport:
        with self._tx() as session:
            return privacy.forget(session, self._ref(platform, platform_user_id, "user"))

    def purge(self, older_than: timedelta | None = None) -> PurgeReport:
        """Delete data older than ``older_than`` (default: the retention setting)."""
        if older_than is None:
            older_than = timedelta(days=self.config.retention_days)
        now = self._now()
        with self._tx() as session:
            return privacy.purge(session, now - older_than, now)

    def verify_audit(self, anchors: Iterable[Anchor] = ()) -> VerifyResult:
        with self._read() as session:
            return verify_chain(session, anchors=anchors)
