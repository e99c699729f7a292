"""``facexplain serve slack``: the Slack assistant on the conversation service, until Ctrl+C
(SIGINT) or SIGTERM. Nothing heavy is imported until the command runs."""

from __future__ import annotations

import asyncio

import click

from bot.cli.options import settings_from


@click.command("slack")
@click.option("--http", "http_mode", is_flag=True,
              help="Receive events on the guarded HTTP endpoint (needs a public URL and "
                   "FACEXPLAIN_SLACK_SIGNING_SECRET) instead of Socket Mode.")
@click.option("--host", default=None, help="HTTP mode: address to listen on [127.0.0.1].")
@click.option("--port", default=None, type=int, help="HTTP mode: port to listen on [3000].")
@click.option("--api-url", default=None,
              help="Slack Web API base URL [https://slack.com/api/].")
@click.option("--workers", default=None, type=click.IntRange(1, 64),
              help="Worker processes for the face models [FACEXPLAIN_JOB_WORKERS, default 2].")
def command(http_mode: bool, host: str | None, port: int | None, api_url: str | None,
            workers: int | None) -> None:
    """Run the assistant on Slack (tokens: FACEXPLAIN_SLACK_BOT_TOKEN and, for Socket Mode,
    FACEXPLAIN_SLACK_APP_TOKEN)."""
    from adapters.slack.app import SlackAssistant
    from adapters.slack.serve import SlackService
    from bot.cli.lifecycle import exit_now, run_platform
    from bot.composition import Service, build_service
    from bot.settings import with_changes

    settings = settings_from(job_workers=workers)
    config = with_changes(settings.slack, mode="http" if http_mode else None, host=host,
                          port=port, api_url=api_url)
    missing = config.missing()
    if missing:
        raise click.UsageError(
            f"Set {', '.join(missing)} (see deploy/slack-manifest.yaml and the README's Slack "
            "section for where to find them).")

    def platform(service: Service) -> SlackService:
        return SlackService(SlackAssistant(service.dialogue, config,
                                           max_photo_bytes=settings.max_image_bytes),
                            grace_s=settings.shutdown_grace_s)

    asyncio.run(run_platform(settings, build_service(settings), platform, ready=click.echo))
    exit_now()  # stopped by a signal, everything closed
