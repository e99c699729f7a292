"""The Telegram bot: a python-telegram-bot Application around the router, started in long
polling (default) or webhook mode, with the command menu registered at start-up.

Updates reach the router one at a time (``concurrent_updates`` off): the router only starts a
task for each, in arrival order, and the tasks are what run concurrently (each in its
conversation's turn in the dialogue, so a conversation is still answered in order).
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import warnings
from datetime import timedelta

from telegram import BotCommand, Update
from telegram.ext import Application, TypeHandler
from telegram.warnings import PTBDeprecationWarning

from adapters.telegram.config import TelegramNotConfigured
from adapters.telegram.delivery import call
from adapters.telegram.incoming import PLATFORM
from adapters.telegram.router import Router
from adapters.telegram.webhook import WebhookServer
from bot.dialogue.commands import COMMANDS
from bot.dialogue.port import DialoguePort
from bot.platform_settings import TelegramSettings
from core.image_input import DEFAULT_LIMITS

log = logging.getLogger(__name__)


ALLOWED_UPDATES = ["message", "callback_query"]
MENU = [BotCommand(c.name, c.description) for c in COMMANDS if c.in_menu]


class TelegramBot:
    """``await start()``, then updates flow until ``await stop()``; or ``async with``."""

    def __init__(self, config: TelegramSettings, dialogue: DialoguePort, *,
                 max_photo_bytes: int = DEFAULT_LIMITS.max_bytes, grace_s: float = 30.0) -> None:
        self.config = config
        self.grace_s = grace_s  # on stop, work already running gets this long to be delivered
        # PTB 22 warns on every RetryAfter that retry_after will become a timedelta; we read both
        warnings.filterwarnings("ignore", ".*attribute `retry_after`", PTBDeprecationWarning)
        builder = (Application.builder().token(config.token).base_url(config.base_url)
                   .base_file_url(config.file_url).concurrent_updates(False))
        if config.mode == "webhook":
            builder = builder.updater(None)
        self.app = builder.build()
        self.router = Router(self.app.bot, dialogue, config, max_photo_bytes)
        self.app.add_handler(TypeHandler(Update, self.router.on_update))
        self.app.add_error_handler(self._on_error)
        self.webhook: WebhookServer | None = None
        self._started = False

    async def start(self) -> None:
        """``open`` then ``listen``."""
        await self.open()
        await self.listen()

    async def open(self) -> None:
        """Reach the Bot API (getMe: who the bot is; its @name matters in groups) and set the
        command menu. A wrong token or URL fails here, as ``TelegramNotConfigured``."""
        from telegram.error import InvalidToken, NetworkError

        try:
            try:
                await self.app.initialize()
            except BaseException:
                await self.app.bot.request.shutdown()  # its connection, which getMe opened
                raise
        except InvalidToken:
            raise TelegramNotConfigured("Telegram refused the bot token; check "
                                        "FACEXPLAIN_TELEGRAM_TOKEN (from @BotFather).") from None
        except NetworkError as exc:
            raise TelegramNotConfigured(f"I could not reach the Bot API at {self.config.base_url} "
                                        f"({type(exc).__name__}).") from None
        bot, policy = self.app.bot, self.router.policy
        await call(lambda: bot.set_my_commands(MENU), policy)

    async def listen(self) -> str:
        """Start taking updates (long polling or the webhook); says where, for the operator."""
        bot = self.app.bot
        await self.app.start()
        self._started = True
        if self.config.mode == "webhook":
            await self._start_webhook()
        else:
            assert self.app.updater is not None
            await self.app.updater.start_polling(
                timeout=timedelta(seconds=self.config.poll_timeout_s),
                allowed_updates=ALLOWED_UPDATES, drop_pending_updates=self.config.drop_pending)
        log.info("Telegram bot @%s started (%s)", bot.bot.username, self.config.mode)
        return f"facexplain is running on Telegram as @{bot.bot.username} ({self.config.mode})."

    async def _start_webhook(self) -> None:
        config = self.config
        secret = config.webhook_secret or secrets.token_urlsafe(32)
        self.webhook = WebhookServer(self.app.bot, self.app.update_queue.put, secret=secret,
                                     path=config.webhook_path, listen=config.webhook_listen,
                                     port=config.webhook_port, max_bytes=config.webhook_max_bytes,
                                     unreadable=self.router.accept_unreadable)
        await self.webhook.start()
        bot = self.app.bot
        await call(lambda: bot.set_webhook(
            config.webhook_url, secret_token=secret, allowed_updates=ALLOWED_UPDATES,
            drop_pending_updates=config.drop_pending), self.router.policy)

    async def recover(self) -> int:
        """Deliver what an earlier bot left in flight (see ``Dialogue.recover``)."""
        return await self.router.dialogue.recover(PLATFORM, self.router.sink_for)

    async def close(self) -> None:
        await self.stop()

    async def stop(self) -> None:
        """Stop taking updates; let the queued ones and the work they started (the heatmaps)
        finish and be delivered within ``grace_s`` while the Bot API client is still open; only
        then close it. What did not finish stays in the store (and, on Celery, in the queue)
        for the next start."""
        if self.app.updater is not None and self.app.updater.running:
            await self.app.updater.stop()
        if self.webhook is not None:
            await self.webhook.stop()
        if self._started:  # the updates already queued are handed to the router first
            await self.app.stop()
            self._started = False
        try:
            await asyncio.wait_for(self._drain(), self.grace_s)
        except TimeoutError:
            log.warning("stopping with work unfinished after %.0f s; it is left for the next "
                        "start", self.grace_s)
        await self.router.close()
        await self.app.shutdown()

    async def _drain(self) -> None:
        await self.router.inflight.join()
        await self.router.dialogue.idle()

    async def __aenter__(self) -> TelegramBot:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def _on_error(self, update: object, context: object) -> None:
        error = getattr(context, "error", None)
        log.error("Telegram update failed: %s", type(error).__name__,
                  exc_info=error if isinstance(error, BaseException) else None)
