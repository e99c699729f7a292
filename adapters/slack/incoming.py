"""Slack -> neutral: which conversation a Slack message or button press belongs to, and the
neutral message it becomes.

Conversations: in a direct message the top level is one conversation and each thread its own;
in a channel the assistant only hears @mentions, and each thread is one conversation shared
by everyone in it (a review team), started by the first mention (its ``ts``). Replies go where
the conversation is: the DM's top level or the thread.
"""

from __future__ import annotations

import html
import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from adapters.slack.download import FileUnavailable
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
_SUBTYPES = {None, "file_share", "thread_broadcast"}  # message subtypes that are people talking
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


def place(channel: str, user: str, ts: str, thread_ts: str | None, direct: bool) -> Place:
    if direct:
        return Place(ConversationKey(PLATFORM, channel, user, thread_ts), channel, thread_ts)
    thread = thread_ts or ts
    return Place(ConversationKey(PLATFORM, channel, user, thread, shared=True), channel, thread)


def parse_event(event: Mapping[str, Any], bot_user_id: str | None) -> Inbound | None:
    """A ``message`` (direct messages only) or ``app_mention`` event -> Inbound; None for what
    the assistant does not answer: bots (itself included), edits, deletions, channel chatter."""
    kind, user, channel = event.get("type"), event.get("user"), event.get("channel")
    if event.get("bot_id") or event.get("subtype") not in _SUBTYPES:
        return None
    if not isinstance(user, str) or not isinstance(channel, str) or user == bot_user_id:
        return None
    if kind == "message":
        if event.get("channel_type") != "im":
            return None  # channels are heard through app_mention only
        direct = True
    elif kind == "app_mention":
        direct = channel.startswith("D")
    else:
        return None
    thread_ts = event.get("thread_ts")
    where = place(channel, user, str(event.get("ts", "")),
                  thread_ts if isinstance(thread_ts, str) else None, direct)
    files = tuple(f for f in map(shared_file, event.get("files") or ()) if f is not None)
    return Inbound(where, clean_text(str(event.get("text") or ""), bot_user_id), files)


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


def shared_file(raw: Any) -> SharedFile | None:
    if not isinstance(raw, Mapping) or raw.get("mode") in ("tombstone", "hidden_by_limit"):
        return None
    url = raw.get("url_private_download") or raw.get("url_private") or ""
    return SharedFile(str(raw.get("id", "")), str(raw.get("name") or "file"),
                      str(raw.get("mimetype") or ""), int(raw.get("size") or 0), str(url))


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
    if not inbound.files:
        return (text_message(key, inbound.text, commands) if inbound.text else None), []
    problems: list[str] = []
    images = []
    for shared in inbound.files:
        if not shared.mimetype.startswith("image/"):
            reason = UnsupportedImageType.user_message
        elif shared.size > max_bytes:
            reason = ImageTooLarge.user_message
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
