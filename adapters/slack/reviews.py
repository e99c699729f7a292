"""Review buttons: their action ids, labels and the line a verdict adds to the message. The
verdict itself is recorded through the dialogue (``DialoguePort.review``), which raises when it
is refused, so the adapter can update the message or tell only that reviewer."""

from __future__ import annotations

from adapters.slack.markup import escape
from bot.store.port import VERDICTS, Verdict

LABELS: dict[Verdict, str] = {"confirm": "Confirm match", "reject": "Reject match",
                              "escalate": "Escalate"}
REVIEW_ACTION = "fx_review_"  # + verdict: the action_id of a review button
DONE: dict[Verdict, str] = {"confirm": "confirmed the match", "reject": "rejected the match",
                            "escalate": "escalated"}


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
