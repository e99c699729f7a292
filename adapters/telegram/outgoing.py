"""Translation out: a neutral reply -> Bot API calls.

Text in HTML parse mode (escaped) within Telegram's limits; the collage as a photo with a
caption; the table as a monospace block; one status message per conversation, edited in place
as work progresses; suggested questions as reply-keyboard buttons (inline buttons in groups,
where keyboard taps would not reach a bot in privacy mode); prompts with inline buttons.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    ReplyKeyboardMarkup,
    ReplyParameters,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest

from adapters.telegram import formatting
from adapters.telegram.callbacks import CallbackData
from adapters.telegram.delivery import RetryPolicy, call, not_modified
from bot.messages import (
    ButtonsReply,
    ConversationKey,
    ImageReply,
    ProgressReply,
    Reply,
    SuggestionsReply,
    TableReply,
    TextReply,
    VerificationReply,
)

Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup
PLACEHOLDER = "Ask me about the result"


@dataclass(frozen=True)
class Target:
    """Where replies to one message go: its chat (and forum topic); in groups, as replies to it."""

    chat: int
    key: ConversationKey
    thread: int | None = None
    reply_to: int | None = None
    group: bool = False


class Outgoing:
    def __init__(self, bot: Bot, policy: RetryPolicy, buttons: CallbackData,
                 statuses: int = 10_000) -> None:
        self.bot = bot
        self.policy = policy
        self.buttons = buttons
        self.statuses = statuses
        self._status: OrderedDict[tuple[str, ...], int] = OrderedDict()  # progress message ids

    async def send(self, target: Target, reply: Reply) -> None:
        """The Bot API calls that show ``reply`` in ``target``'s chat."""
        if isinstance(reply, ProgressReply):
            await self._progress(target, reply)
        elif isinstance(reply, VerificationReply):
            await self._texts(target, formatting.bold_first_line(reply.text))
        elif isinstance(reply, ImageReply):
            caption, rest = formatting.caption(reply.caption)
            await call(lambda: self.bot.send_photo(
                target.chat, InputFile(reply.png, filename=reply.filename), caption=caption,
                parse_mode=ParseMode.HTML, **self._where(target)), self.policy)
            await self._texts(target, rest)
        elif isinstance(reply, TableReply):
            await self._texts(target, formatting.table(reply.title, reply.text))
        elif isinstance(reply, SuggestionsReply):
            await self._texts(target, formatting.split(reply.text), self._suggestions(target, reply))
        elif isinstance(reply, ButtonsReply):
            markup = InlineKeyboardMarkup([[InlineKeyboardButton(
                label, callback_data=self.buttons.encode(action, value))]
                for label, action, value in reply.buttons])
            await self._texts(target, formatting.split(reply.text), markup)
        elif isinstance(reply, TextReply):
            await self._texts(target, formatting.split(reply.text))

    def _suggestions(self, target: Target, reply: SuggestionsReply) -> Markup:
        if target.group:
            return InlineKeyboardMarkup([[InlineKeyboardButton(
                q, callback_data=self.buttons.encode("ask", q))] for q in reply.questions])
        return ReplyKeyboardMarkup([[q] for q in reply.questions], resize_keyboard=True,
                                   one_time_keyboard=True, input_field_placeholder=PLACEHOLDER)

    async def _texts(self, target: Target, pieces: list[str], markup: Markup | None = None) -> None:
        """Each piece as a message; the buttons go with the last one."""
        for number, piece in enumerate(pieces, start=1):
            await self._message(target, piece, markup if number == len(pieces) else None)

    async def _message(self, target: Target, html: str, markup: Markup | None = None) -> int:
        sent = await call(lambda: self.bot.send_message(
            target.chat, html, parse_mode=ParseMode.HTML, reply_markup=markup,
            **self._where(target)), self.policy)
        return sent.message_id

    async def _progress(self, target: Target, reply: ProgressReply) -> None:
        """One status message per conversation: sent once, then edited in place."""
        scope = target.key.scope()
        message_id = self._status.get(scope)
        text = formatting.split(reply.text)[0] if reply.text.strip() else "..."
        if message_id is None and not reply.final:
            self._keep(scope, await self._message(target, text))
        elif message_id is not None:
            try:
                await call(lambda: self.bot.edit_message_text(
                    text, chat_id=target.chat, message_id=message_id,
                    parse_mode=ParseMode.HTML), self.policy)
            except BadRequest as exc:
                if "not found" in exc.message.lower() and not reply.final:  # deleted meanwhile
                    self._keep(scope, await self._message(target, text))
                elif not not_modified(exc):
                    raise
        if reply.final:
            self._status.pop(scope, None)

    def _keep(self, scope: tuple[str, ...], message_id: int) -> None:
        self._status[scope] = message_id
        if len(self._status) > self.statuses:
            self._status.popitem(last=False)

    @staticmethod
    def _where(target: Target) -> dict[str, Any]:
        where: dict[str, Any] = {"message_thread_id": target.thread}
        if target.reply_to is not None:
            where["reply_parameters"] = ReplyParameters(target.reply_to,
                                                        allow_sending_without_reply=True)
        return where
