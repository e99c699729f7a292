"""Block Kit for the assistant's messages: text sections, the decision with its header, the
review controls, buttons, and a decision updated with who reviewed it.

Every text from the dialogue goes into ``plain_text`` objects, so nothing in it (names with
``*``, ``_`` or ``<``) can be read as Slack markup.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from adapters.slack.markup import plain
from adapters.slack.reviews import LABELS, REVIEW_ACTION
from bot.messages import VerificationReply
from core.pic import percent

Block = dict[str, Any]
SECTION_LIMIT = 3000  # characters of one section's text
BUTTON_LABEL_LIMIT = 75
BUTTON_VALUE_LIMIT = 2000
BUTTON_ACTION = "fx_button_"  # + index
COMMENT_BLOCK, COMMENT_ACTION = "fx_review_comment", "comment"
REVIEWS_BLOCK = "fx_reviews"


def chunks(text: str, limit: int = SECTION_LIMIT) -> list[str]:
    """``text`` in pieces of at most ``limit`` characters, cut at line ends where possible."""
    pieces: list[str] = []
    while len(text) > limit:
        cut = text.rfind("\n", 0, limit)
        cut = cut if cut > 0 else limit
        pieces.append(text[:cut])
        text = text[cut:].lstrip("\n")
    return [*pieces, text] if text else pieces


def text_blocks(text: str) -> list[Block]:
    return [{"type": "section", "text": plain(piece)} for piece in chunks(text)]


def verification_blocks(reply: VerificationReply, reviews: bool) -> list[Block]:
    """The decision and confidence as a header, the figures, the full text, and (for review
    teams) a comment box with the three review buttons."""
    verdict = "Same person" if reply.same_person else "Different people"
    mark = ":white_check_mark:" if reply.same_person else ":x:"
    faces = " and ".join(str(n) for n in reply.faces_found)
    blocks: list[Block] = [
        {"type": "header", "text": plain(f"{mark} {verdict} · confidence {percent(reply.confidence)}")},
        {"type": "section", "fields": [
            plain(f"Similarity: {reply.score:.3f} (threshold {reply.threshold:.3f})"),
            plain(f"PIC-score: {reply.pic:.3f}"),
            plain(f"Faces found: {faces}"),
        ]},
        *text_blocks(reply.text),
    ]
    if reviews and reply.comparison_id is not None:
        blocks += review_blocks(reply.comparison_id)
    return blocks


def review_blocks(comparison_id: int) -> list[Block]:
    styles = {"confirm": "primary", "reject": "danger"}
    buttons = []
    for verdict, label in LABELS.items():
        button: Block = {"type": "button", "text": plain(label), "value": str(comparison_id),
                         "action_id": REVIEW_ACTION + verdict}
        if verdict in styles:
            button["style"] = styles[verdict]
        buttons.append(button)
    return [
        {"type": "input", "block_id": COMMENT_BLOCK, "optional": True,
         "label": plain("Review comment (optional)"),
         "element": {"type": "plain_text_input", "action_id": COMMENT_ACTION, "max_length": 500,
                     "placeholder": plain("Why? (kept with your review)")}},
        {"type": "actions", "block_id": f"fx_review_{comparison_id}", "elements": buttons},
    ]


def buttons_blocks(text: str, buttons: Sequence[tuple[str, str, str]]) -> list[Block]:
    """A prompt and its buttons; each button carries its neutral (action, value) pair."""
    elements = [
        {"type": "button", "text": plain(label[:BUTTON_LABEL_LIMIT]),
         "action_id": f"{BUTTON_ACTION}{number}",
         "value": json.dumps([action, value[:BUTTON_VALUE_LIMIT - 100]])}
        for number, (label, action, value) in enumerate(buttons[:25])
    ]
    return [*text_blocks(text), {"type": "actions", "elements": elements}]


def button_press(value: str) -> tuple[str, str] | None:
    """The (action, value) a button of ``buttons_blocks`` carries; None when it is not ours."""
    try:
        action, carried = json.loads(value)
    except (ValueError, TypeError):
        return None
    return (action, carried) if isinstance(action, str) and isinstance(carried, str) else None


def with_review(blocks: Sequence[Block], line: str) -> list[Block]:
    """The decision's blocks with ``line`` added to its list of reviews (made on first use,
    just above the comment box); the buttons stay for the other reviewers."""
    updated = [dict(block) for block in blocks]
    for block in updated:
        if block.get("block_id") == REVIEWS_BLOCK:
            block["text"] = {"type": "mrkdwn", "text": f"{block['text']['text']}\n{line}"}
            return updated
    reviews = {"type": "section", "block_id": REVIEWS_BLOCK,
               "text": {"type": "mrkdwn", "text": f"*Reviews*\n{line}"}}
    at = next((i for i, b in enumerate(updated) if b.get("block_id") == COMMENT_BLOCK),
              len(updated))
    return [*updated[:at], reviews, *updated[at:]]


def comment_of(body: dict[str, Any]) -> str:
    """The text typed into the comment box when a review button was pressed."""
    values = ((body.get("state") or {}).get("values") or {}).get(COMMENT_BLOCK) or {}
    return str((values.get(COMMENT_ACTION) or {}).get("value") or "")
