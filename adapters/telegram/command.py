"""``facexplain serve telegram``: compose the conversation service and run the Telegram bot
until Ctrl+C (SIGINT) or SIGTERM. Nothing heavy is imported until the command runs."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from typing import TYPE_CHECKING

import click

from adapters.telegram.config import TelegramConfig, TelegramNotConfigured

if TYPE_CHECKING:
    from bot.settings import Settings


@click.command("telegram")
@click.option("--webhook", is_flag=True,
              help="Receive updates on a webhook (FACEXPLAIN_TELEGRAM_WEBHOOK_URL) instead of "
                   "long polling.")
@click.option("--base-url", default=None,
              help="Bot API server URL (a self-hosted server), e.g. http://localhost:8081/bot.")
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64),
              help="Worker processes for the face models.")
def command(webhook: bool, base_url: str | None, workers: int) -> None:
    """Run the bot on Telegram (token: FACEXPLAIN_TELEGRAM_TOKEN)."""
    from bot.settings import load_settings

    settings = load_settings()
    config = TelegramConfig.from_env(mode="webhook" if webhook else None, base_url=base_url,
                                     max_file_bytes=settings.max_image_bytes)
    hide_in_logs(config.token)
    asyncio.run(serve(settings, config, workers))


async def serve(settings: Settings, config: TelegramConfig, workers: int = 2) -> None:
    from telegram.error import InvalidToken, NetworkError

    from adapters.telegram.service import TelegramBot
    from bot.composition import build_dialogue, build_runner, build_store
    from bot.ops.server import start_ops_server

    store = build_store(settings)
    runner = build_runner(settings, workers=workers)
    dialogue = build_dialogue(settings, runner, store)  # photos capped at max_image_bytes
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    telegram = TelegramBot(config, dialogue)
    ops = None
    try:
        try:  # first, so that a wrong token or URL fails before the workers load the models
            await telegram.start()
        except InvalidToken:
            raise TelegramNotConfigured("Telegram refused the bot token; check "
                                        "FACEXPLAIN_TELEGRAM_TOKEN (from @BotFather).") from None
        except NetworkError as exc:
            raise TelegramNotConfigured(f"I could not reach the Bot API at {config.base_url} "
                                        f"({type(exc).__name__}).") from None
        await runner.start()
        await dialogue.warm_up()  # the QA encoder, before the first question
        await telegram.recover(dialogue)  # replies a stopped bot left in flight (Celery jobs)
        ops = await start_ops_server(settings)  # /healthz and /metrics, when a port is set
        click.echo(f"facexplain is running on Telegram as @{telegram.app.bot.username} "
                   f"({config.mode}). Press Ctrl+C to stop.")
        await stop.wait()
        click.echo("Stopping: finishing the messages already received...")
    finally:
        if ops is not None:
            await ops.cleanup()
        await telegram.stop()
        await dialogue.close()
        await runner.close()
        store.close()


class _Redact(logging.Filter):
    def __init__(self, secret: str) -> None:
        super().__init__()
        self.secret = secret

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if self.secret in message:
            record.msg, record.args = message.replace(self.secret, "<token>"), None
        return True


def hide_in_logs(token: str) -> None:
    """Keep the bot token out of every log line (HTTP client logs name the request URL, and
    the Bot API URL contains the token)."""
    logging.getLogger("httpx").setLevel(logging.WARNING)
    redact = _Redact(token)
    for handler in logging.getLogger().handlers:
        handler.addFilter(redact)
