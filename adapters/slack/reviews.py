"""Review buttons -> a reviewer's verdict in the store (and its audit log), as a small port.

The adapter needs to know whether the verdict was recorded (to update the message) or
refused (to tell only that reviewer), so it records reviews through this port rather than
as a ButtonPress to the dialogue, whose review path answers in plain text.
"""

from __future__ import annotations

import asyncio
from typing import Protocol

from adapters.slack.markup import escape
from bot.store.port import VERDICTS, StorePort, Verdict

MAX_COMMENT = 500
LABELS: dict[Verdict, str] = {"confirm": "Confirm match", "reject": "Reject match",
                              "escalate": "Escalate"}
REVIEW_ACTION = "fx_review_"  # + verdict: the action_id of a review button
DONE: dict[Verdict, str] = {"confirm": "confirmed the match", "reject": "rejected the match",
                            "escalate": "escalated"}


class ReviewRecorder(Protocol):
    async def record(self, platform: str, reviewer: str, comparison_id: int, verdict: Verdict,
                     comment: str = "") -> None:
        """Record the verdict; raises ``AlreadyReviewed`` when this reviewer has one already,
        ``UnknownRecord`` when the comparison is gone (forgotten, purged)."""
        ...


class StoreReviews:
    """The store as a ``ReviewRecorder``: the reviewer is kept under their pseudonym."""

    def __init__(self, store: StorePort) -> None:
        self.store = store

    async def record(self, platform: str, reviewer: str, comparison_id: int, verdict: Verdict,
                     comment: str = "") -> None:
        user_id = await asyncio.to_thread(self.store.ensure_user, platform, reviewer)
        await asyncio.to_thread(self.store.add_review, comparison_id, user_id, verdict,
                                comment.strip()[:MAX_COMMENT])


def verdict_of(action_id: str) -> Verdict | None:
    name = action_id.removeprefix(REVIEW_ACTION)
    return next((verdict for verdict in VERDICTS if verdict == name), None)


def review_line(reviewer: str, verdict: Verdict, comment: str, action_ts: str) -> str:
    """``✅ @ana confirmed the match · <time> — “comment”`` (Slack renders the user and time)."""
    marks = {"confirm": ":white_check_mark:", "reject": ":x:", "escalate": ":rotating_light:"}
    when = ""
    seconds = action_ts.split(".", 1)[0]
    if seconds.isdigit():
        when = f" · <!date^{seconds}^{{date_short_pretty}} {{time}}|{seconds}>"
    said = f" — “{escape(comment.strip()[:200])}”" if comment.strip() else ""
    return f"{marks[verdict]} <@{reviewer}> {DONE[verdict]}{when}{said}"
