"""Translation in: a Telegram update (or the parts of an album) -> a neutral message.

``route`` decides cheaply, before anything is downloaded, whether an update is for the bot
and which conversation it belongs to; ``to_incoming`` then builds the neutral message.
In groups the bot only takes messages that mention it, reply to it, or are commands.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from telegram import Chat, Message, MessageEntity, Update, User

from adapters.telegram.callbacks import CallbackData
from adapters.telegram.files import Attachment
from bot.messages import (
    ButtonPress,
    ConversationKey,
    Incoming,
    Photo,
    PhotoMessage,
    parse_text,
)

PLATFORM = "telegram"
Fetch = Callable[[Attachment], Awaitable[Photo]]


@dataclass(frozen=True)
class Route:
    """Where an update goes: its chat, its conversation, and what it is."""

    chat: int
    key: ConversationKey
    message_id: int | None  # None for a button press
    group: bool
    addressed: bool  # always True in a private chat
    album: str | None = None  # the media group id of an album part
    thread: int | None = None


def route(update: Update, me: User) -> Route | None:
    """None for what the bot ignores: edits, channel posts, other bots, service messages."""
    query = update.callback_query
    if query is not None and query.message is not None and not query.from_user.is_bot:
        chat = query.message.chat
        return Route(chat.id, _key(chat, query.from_user, None), None,
                     chat.type != Chat.PRIVATE, True)
    message = update.message
    if message is None or message.from_user is None or message.from_user.is_bot:
        return None
    chat, group = message.chat, message.chat.type != Chat.PRIVATE
    if chat.type == Chat.CHANNEL:
        return None
    thread = message.message_thread_id if message.is_topic_message else None
    return Route(chat.id, _key(chat, message.from_user, thread), message.message_id, group,
                 not group or _addressed(message, me), message.media_group_id, thread)


def _key(chat: Chat, user: User, thread: int | None) -> ConversationKey:
    return ConversationKey(PLATFORM, str(chat.id), str(user.id),
                           None if thread is None else str(thread))


def _addressed(message: Message, me: User) -> bool:
    """A group message is for the bot if it mentions it, replies to it, or is a command."""
    replied = message.reply_to_message
    if replied is not None and replied.from_user is not None and replied.from_user.id == me.id:
        return True
    found = {**message.parse_entities(), **message.parse_caption_entities()}
    for entity, text in found.items():
        if entity.type == MessageEntity.MENTION and text[1:].lower() == (me.username or "").lower():
            return True
        if entity.type == MessageEntity.TEXT_MENTION and entity.user and entity.user.id == me.id:
            return True
        if entity.type == MessageEntity.BOT_COMMAND and entity.offset == 0:
            _, at, name = text.partition("@")
            return not at or name.lower() == (me.username or "").lower()
    return False


def _without_mention(text: str, me: User) -> str:
    if not me.username:
        return text.strip()
    return re.sub(rf"@{re.escape(me.username)}\b", "", text, flags=re.IGNORECASE).strip()


def attachment(message: Message) -> Attachment | None:
    """The file of a photo (its largest size) or of a document (sent uncompressed)."""
    if message.photo:
        size = max(message.photo, key=lambda p: (p.width * p.height, p.file_size or 0))
        return Attachment(size.file_id, size.file_size, f"{size.file_unique_id}.jpg", "image/jpeg")
    document = message.document
    if document is not None:
        return Attachment(document.file_id, document.file_size, document.file_name or "",
                          document.mime_type or "")
    return None


async def to_incoming(where: Route, updates: Sequence[Update], me: User, fetch: Fetch,
                      buttons: CallbackData) -> Incoming:
    """The neutral message for one update, or for all the parts of one album."""
    key = where.key
    query = updates[0].callback_query
    if query is not None:
        action, value = buttons.decode(query.data or "")
        return ButtonPress(key, action, value)
    messages = [u.message for u in updates if u.message is not None]
    files = [a for a in map(attachment, messages) if a is not None]
    if files:
        photos = tuple([await fetch(a) for a in files])
        caption = next((m.caption for m in messages if m.caption), "")
        return PhotoMessage(key, photos, _without_mention(caption, me))
    text = messages[0].text or ""
    return parse_text(key, _without_mention(text, me) if where.group else text)
