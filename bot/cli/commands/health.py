"""``facexplain health``: check settings, model files, database and Redis; print a JSON report
and exit 0 when everything is fine, 1 otherwise (for Docker's HEALTHCHECK and monitors)."""

from __future__ import annotations

import sys

import click


@click.command(name="health")
def command() -> None:
    """Check that this installation can serve: settings, models, database, Redis."""
    from bot.cli.options import loaded
    from bot.ops.health import run_checks
    from bot.settings import Settings

    got = loaded()

    def settings() -> Settings:
        if got.settings is None:
            raise ValueError(got.error)
        return got.settings

    report = run_checks(settings)
    click.echo(report.to_json())
    sys.exit(0 if report.ok else 1)
