"""From updates to the dialogue: each update once, each chat in order, each user within a rate.

``accept`` runs for every update in arrival order (PTB hands them over one at a time) and only
decides and starts its work; the work takes its conversation's turn in the dialogue at once
(``Dialogue.turn``) and downloads and collects the message in it, so a conversation's messages
are handled in arrival order and one conversation waits for its own messages only.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Hashable
from dataclasses import dataclass

from telegram import Bot, CallbackQuery, Update, User
from telegram.error import TelegramError

from adapters.inflight import InFlight
from adapters.ratelimit import RATE_LIMITED, RateLimiter
from adapters.seen import Seen
from adapters.telegram.albums import Album, Albums
from adapters.telegram.callbacks import CallbackData
from adapters.telegram.config import file_limit
from adapters.telegram.delivery import RetryPolicy, call
from adapters.telegram.files import Downloader
from adapters.telegram.incoming import PLATFORM, Route, route, to_incoming
from adapters.telegram.outgoing import Outgoing, Target
from bot.dialogue.port import DialoguePort
from bot.messages import ConversationKey, Incoming, Reply, ReplySink, TextReply
from bot.platform_settings import TelegramSettings
from core.errors import FacexplainError
from core.image_input import DEFAULT_LIMITS

log = logging.getLogger(__name__)
UNREADABLE_FILE = ("I could not read that file. Please send it again as a JPEG, PNG or WEBP "
                   "photo.")


@dataclass(frozen=True)
class Work:
    """One message's work: an update, an album being collected, or a notice."""

    where: Route
    update: Update | None = None
    album: Album[tuple[Route, Update]] | None = None
    notice: str = ""


class Router:
    def __init__(self, bot: Bot, dialogue: DialoguePort, config: TelegramSettings,
                 max_photo_bytes: int = DEFAULT_LIMITS.max_bytes) -> None:
        self.bot = bot
        self.dialogue = dialogue
        self.policy = RetryPolicy(config.retry_attempts, config.retry_max_wait_s)
        self.buttons = CallbackData()
        self.outgoing = Outgoing(bot, self.policy, self.buttons)
        self.downloader = Downloader(bot, file_limit(max_photo_bytes), self.policy,
                                     config.download_timeout_s)
        self.seen = Seen(config.seen_updates)
        self.rate = RateLimiter(config.rate_per_minute)
        self.albums: Albums[tuple[Route, Update]] = Albums(config.album_window_s)
        self.inflight = InFlight(config.max_pending_per_chat, name="telegram-message")
        self._answering: set[asyncio.Task[None]] = set()

    @property
    def me(self) -> User:
        return self.bot.bot  # known once the bot is initialised (getMe)

    async def on_update(self, update: Update, context: object) -> None:
        """PTB's handler callback."""
        self.accept(update)

    def accept(self, update: Update) -> str:
        """Queue ``update``; says what became of it (queued, duplicate, ignored, limited...)."""
        if not self.seen.first_time(update.update_id):
            return "duplicate"
        where = route(update, self.me)
        if where is None:
            return "ignored"
        if update.callback_query is not None:
            self._answer(update.callback_query)
        work = Work(where, update)
        if where.album is not None:
            album = self.albums.add(_album_key(where), (where, update))
            if album is None:
                return "album part"
            work = Work(where, album=album)
        elif not where.addressed:
            return "ignored"
        verdict = self.rate.take(where.key.user)
        if verdict != "ok":
            if verdict == "warn":
                self._start(Work(where, notice=RATE_LIMITED))
            return "limited"
        return "queued" if self._start(work) else "dropped"

    def accept_unreadable(self, update: Update) -> str:
        """An update whose file could not be read (its file fields removed): its sender is
        told so, in the chat's turn, if the message was for the bot."""
        if not self.seen.first_time(update.update_id):
            return "duplicate"
        where = route(update, self.me)
        if where is None or not (where.addressed or where.album is not None):
            return "ignored"
        return "queued" if self._start(Work(where, notice=UNREADABLE_FILE)) else "dropped"

    def _start(self, work: Work) -> bool:
        return self.inflight.start(work.where.chat, lambda: self._work(work))

    def _answer(self, query: CallbackQuery) -> None:
        """Stop the button's spinner at once (the press itself waits its turn)."""
        task = asyncio.create_task(self._answer_query(query))
        self._answering.add(task)
        task.add_done_callback(self._answering.discard)

    async def _answer_query(self, query: CallbackQuery) -> None:
        try:
            await call(query.answer, self.policy)
        except TelegramError as exc:
            log.info("could not answer a button press: %s", type(exc).__name__)

    async def _work(self, work: Work) -> None:
        """In the conversation's turn: the album's other parts, the inbox, the downloads, then
        the dialogue; the updates taken are marked handled after."""
        where = work.where
        target = Target(where.chat, where.key, where.thread,
                        where.message_id if where.group else None, where.group)
        taken: list[str] = []

        async def send(reply: Reply) -> None:
            await self.outgoing.send(target, reply)

        async def prepare(say: ReplySink) -> Incoming | None:
            updates = [work.update] if work.update is not None else []
            if work.album is not None:
                parts = await self.albums.complete(_album_key(where), work.album)
                if not any(part.addressed for part, _ in parts):
                    return None
                updates = [update for _, update in parts]
            if work.notice:
                await say(TextReply(work.notice, "error"))
                return None
            fresh = []
            for update in updates:
                key = self._event_key(update)
                if await self.dialogue.take_event(PLATFORM, key):
                    fresh.append(update)
                    taken.append(key)
            if not fresh:
                log.info("dropped update(s) already handled (inbox)")
                return None
            try:
                return await to_incoming(where, fresh, self.me, self.downloader.fetch,
                                         self.buttons)
            except FacexplainError as exc:
                log.info("a message was rejected at the edge: %s", exc.code)
                await say(TextReply(exc.user_message, "error"))
                return None

        await self.dialogue.turn(where.key, send, prepare)
        for key in taken:
            await self.dialogue.finish_event(PLATFORM, key)

    def _event_key(self, update: Update) -> str:
        """The inbox key: the bot's id and the update id (update ids are per bot)."""
        return f"{self.me.id}:{update.update_id}"

    def sink_for(self, key: ConversationKey) -> ReplySink:
        """Where replies to ``key``'s conversation go when no message of it is at hand (the
        replies a restarted bot recovers): its chat and topic, not as replies to a message."""
        chat = int(key.chat)
        target = Target(chat, key, None if key.thread is None else int(key.thread), None,
                        chat < 0)  # group and supergroup ids are negative

        async def send(reply: Reply) -> None:
            await self.outgoing.send(target, reply)

        return send

    async def close(self) -> None:
        await self.inflight.join()
        await asyncio.gather(*self._answering, return_exceptions=True)
        await self.downloader.close()


def _album_key(where: Route) -> Hashable:
    return (where.chat, where.album)
