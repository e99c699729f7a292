"""``facexplain serve telegram``: the Telegram bot on the conversation service, until Ctrl+C
(SIGINT) or SIGTERM. Nothing heavy is imported until the command runs."""

from __future__ import annotations

import asyncio

import click

from bot.cli.options import settings_from


@click.command("telegram")
@click.option("--webhook", is_flag=True,
              help="Receive updates on a webhook (FACEXPLAIN_TELEGRAM_WEBHOOK_URL) instead of "
                   "long polling.")
@click.option("--base-url", default=None,
              help="Bot API server URL (a self-hosted server), e.g. http://localhost:8081/bot.")
@click.option("--workers", default=None, type=click.IntRange(1, 64),
              help="Worker processes for the face models [FACEXPLAIN_JOB_WORKERS, default 2].")
def command(webhook: bool, base_url: str | None, workers: int | None) -> None:
    """Run the bot on Telegram (token: FACEXPLAIN_TELEGRAM_TOKEN)."""
    from adapters.telegram.config import require
    from adapters.telegram.service import TelegramBot
    from bot.cli.lifecycle import exit_now, run_platform
    from bot.composition import build_service
    from bot.settings import with_changes

    settings = settings_from(job_workers=workers)
    config = require(with_changes(settings.telegram, mode="webhook" if webhook else None,
                                  base_url=base_url))
    asyncio.run(run_platform(
        settings, build_service(settings),
        lambda service: TelegramBot(config, service.dialogue,
                                    max_photo_bytes=settings.max_image_bytes,
                                    grace_s=settings.shutdown_grace_s),
        ready=click.echo))
    exit_now()  # stopped by a signal, everything closed
