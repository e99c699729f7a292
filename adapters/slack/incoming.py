"""Slack -> neutral: which conversation a Slack message or button press belongs to, and the
neutral message it becomes.

Conversations: in a direct message the top level is one conversation and each thread its own;
in a channel the assistant only hears @mentions, and each thread is one conversation shared
by everyone in it (a review team), started by the first mention (its ``ts``). Replies go where
the conversation is: the DM's top level or the thread.
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from adapters.slack.download import FileUnavailable
from adapters.slack.payloads import event_fields, file_fields
from bot.dialogue.texts import TOO_MANY_PHOTOS
from bot.messages import (
    CommandMessage,
    ConversationKey,
    Incoming,
    Photo,
    PhotoMessage,
    TextMessage,
    parse_text,
)
from core.errors import FacexplainError, ImageTooLarge, UnsupportedImageType

PLATFORM = "slack"
UNREADABLE_FILE = ("I could not read that file. Please send it again as a JPEG, PNG or WEBP "
                   "photo.")
_SUBTYPES = {None, "file_share", "thread_broadcast"}  # message subtypes that are people talking
log = logging.getLogger(__name__)
_MENTION = re.compile(r"<@([A-Z0-9]+)(?:\|[^>]*)?>")


@dataclass(frozen=True)
class SharedFile:
    """A file shared in a message, as the event declares it (nothing downloaded yet)."""

    id: str
    name: str
    mimetype: str
    size: int
    url: str


@dataclass(frozen=True)
class Place:
    """Where a message was said and where the answers go."""

    key: ConversationKey
    channel: str
    thread_ts: str | None


@dataclass(frozen=True)
class Inbound:
    place: Place
    text: str
    files: tuple[SharedFile, ...]
    unreadable: int = 0  # files whose description was not of the expected shape


def place(channel: str, user: str, ts: str, thread_ts: str | None, direct: bool) -> Place:
    if direct:
        return Place(ConversationKey(PLATFORM, channel, user, thread_ts), channel, thread_ts)
    thread = thread_ts or ts
    return Place(ConversationKey(PLATFORM, channel, user, thread, shared=True), channel, thread)


def parse_event(event: Mapping[str, Any], bot_user_id: str | None) -> Inbound | None:
    """A ``message`` (direct messages only) or ``app_mention`` event -> Inbound; None for what
    the assistant does not answer: bots (itself included), edits, deletions, channel chatter,
    and events whose fields are not of the types Slack documents (``payloads``)."""
    fields = event_fields(event)
    if fields is None:
        log.warning("a Slack event of the wrong shape was acknowledged and dropped")
        return None
    kind, user, channel = fields.type, fields.user, fields.channel
    if fields.bot_id or fields.subtype not in _SUBTYPES:
        return None
    if user is None or channel is None or user == bot_user_id:
        return None
    if kind == "message":
        if fields.channel_type != "im":
            return None  # channels are heard through app_mention only
        direct = True
    elif kind == "app_mention":
        direct = channel.startswith("D")
    else:
        return None
    where = place(channel, user, fields.ts or "", fields.thread_ts, direct)
    raw_files = event.get("files") or []
    if not isinstance(raw_files, list):
        raw_files = [raw_files]
    parsed = [shared_file(raw) for raw in raw_files]
    files = tuple(f for f in parsed if isinstance(f, SharedFile))
    unreadable = parsed.count(_UNREADABLE)
    if unreadable:
        log.warning("a Slack event named %d file(s) of the wrong shape", unreadable)
    return Inbound(where, clean_text(fields.text or "", bot_user_id), files, unreadable)


def action_place(body: Mapping[str, Any]) -> Place | None:
    """Where a button was pressed (a ``block_actions`` payload): the conversation of the
    message that carries the button."""
    user = (body.get("user") or {}).get("id")
    container = body.get("container") or {}
    message = body.get("message") or {}
    channel = (body.get("channel") or {}).get("id") or container.get("channel_id")
    if not isinstance(user, str) or not isinstance(channel, str):
        return None
    thread_ts = message.get("thread_ts") or container.get("thread_ts")
    ts = str(message.get("ts") or container.get("message_ts") or "")
    return place(channel, user, ts, thread_ts, channel.startswith("D"))


_UNREADABLE = "unreadable"


def shared_file(raw: Any) -> SharedFile | str | None:
    """The file, ``None`` for one Slack no longer shows (deleted, over the plan's limit), or
    ``"unreadable"`` for a description of the wrong shape."""
    checked = file_fields(raw)
    if checked is None:
        return _UNREADABLE
    if checked.mode in ("tombstone", "hidden_by_limit"):
        return None
    url = checked.url_private_download or checked.url_private or ""
    return SharedFile(checked.id, checked.name or "file", checked.mimetype or "",
                      checked.size or 0, url)


def clean_text(text: str, bot_user_id: str | None) -> str:
    """Drop mentions of the assistant and undo Slack's &amp; &lt; &gt; escaping."""
    if bot_user_id:
        text = _MENTION.sub(lambda m: "" if m.group(1) == bot_user_id else m.group(0), text)
    return html.unescape(text).strip()


def text_message(key: ConversationKey, text: str,
                 commands: Sequence[str]) -> TextMessage | CommandMessage:
    """``/forget`` or just ``forget`` (Slack's composer keeps a leading slash for its own
    commands) -> a command; anything else is text."""
    word = text.strip().lower().rstrip(".!")
    if word in commands:
        return CommandMessage(key, word)
    return parse_text(key, text)


Fetch = Callable[[SharedFile], Awaitable[Photo]]


async def to_incoming(inbound: Inbound, fetch: Fetch, *, max_bytes: int, max_photos: int,
                      commands: Sequence[str]) -> tuple[Incoming | None, list[str]]:
    """The neutral message for ``inbound`` (photos downloaded through ``fetch``) and the
    friendly reasons for any file refused at the edge (declared type or size, a failed
    download). A message with files is about those files: its text is their caption."""
    key = inbound.place.key
    problems: list[str] = [UNREADABLE_FILE] * min(inbound.unreadable, 1)
    if not inbound.files:
        if problems:
            return None, problems
        return (text_message(key, inbound.text, commands) if inbound.text else None), []
    images = []
    for shared in inbound.files:
        if not shared.mimetype.startswith("image/"):
            reason = UnsupportedImageType.user_message
        elif shared.size > max_bytes:
            reason = ImageTooLarge.over(max_bytes).user_message
        elif not shared.url:
            reason = FileUnavailable.user_message
        else:
            images.append(shared)
            continue
        problems.append(f"{shared.name}: {reason}")
    if len(images) > max_photos:
        return None, [*problems, TOO_MANY_PHOTOS.format(count=len(images))]
    photos = []
    for shared in images:
        try:
            photos.append(await fetch(shared))
        except FacexplainError as exc:
            problems.append(f"{shared.name}: {exc.user_message}")
    if not photos:
        return None, problems
    return PhotoMessage(key, tuple(photos), inbound.text), problems
