"""``facexplain serve slack``: compose the conversation service and run the Slack assistant
until Ctrl+C (SIGINT) or SIGTERM. Nothing heavy is imported until the command runs."""

from __future__ import annotations

import asyncio

import click

from adapters.slack.config import config_from_env


@click.command("slack")
@click.option("--http", "http_mode", is_flag=True,
              help="Receive events on the guarded HTTP endpoint (needs a public URL and "
                   "FACEXPLAIN_SLACK_SIGNING_SECRET) instead of Socket Mode.")
@click.option("--host", default=None, help="HTTP mode: address to listen on [127.0.0.1].")
@click.option("--port", default=None, type=int, help="HTTP mode: port to listen on [3000].")
@click.option("--api-url", default=None,
              help="Slack Web API base URL [https://slack.com/api/].")
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64),
              help="Worker processes for the face models.")
def command(http_mode: bool, host: str | None, port: int | None, api_url: str | None,
            workers: int) -> None:
    """Run the assistant on Slack (tokens: FACEXPLAIN_SLACK_BOT_TOKEN and, for Socket Mode,
    FACEXPLAIN_SLACK_APP_TOKEN)."""
    from adapters.slack.serve import serve
    from bot.settings import load_settings

    settings = load_settings()
    config = config_from_env(mode="http" if http_mode else None, host=host, port=port,
                             api_url=api_url, max_file_bytes=settings.max_image_bytes)
    missing = config.missing()
    if missing:
        raise click.UsageError(
            f"Set {', '.join(missing)} (see deploy/slack-manifest.yaml and the README's Slack "
            "section for where to find them).")
    asyncio.run(serve(settings, config, workers, ready=click.echo))
