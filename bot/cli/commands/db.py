"""``facexplain db ...``: migrate the conversation store and purge old data."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import click

from bot.cli.options import settings_from
from bot.cli.store_options import resolve_url, store_session, url_option


@click.group(name="db")
def command() -> None:
    """The conversation store: migrations and retention."""


@command.command()
@url_option
@click.option("--revision", default="head", show_default=True, help="Target revision.")
def upgrade(url: str | None, revision: str) -> None:
    """Create or migrate the database up to the latest schema."""
    from bot.store.migrate import upgrade_to_head

    _migrate(url, lambda target: upgrade_to_head(target, revision))


@command.command()
@url_option
@click.option("--revision", default="-1", show_default=True,
              help='Target revision: "-1" for one step, "base" for an empty database.')
def downgrade(url: str | None, revision: str) -> None:
    """Step the schema back (base drops every table, the audit log included)."""
    from bot.store.migrate import downgrade as step_down

    _migrate(url, lambda target: step_down(target, revision))


def _migrate(url: str | None, step: Callable[[str], None]) -> None:
    """``step`` on the store's URL, then the revision it is at."""
    from bot.store.engine import safe_url
    from bot.store.migrate import current_revision

    target = resolve_url(url)
    step(target)
    click.echo(f"{safe_url(target)} is at revision {current_revision(target) or 'base'}")


@command.command()
@url_option
def current(url: str | None) -> None:
    """Show the database's revision and the latest one."""
    from bot.store.migrate import current_revision, head_revision

    now, head = current_revision(resolve_url(url)), head_revision()
    state = "up to date" if now == head else "needs `facexplain db upgrade`"
    click.echo(f"current: {now or 'base (empty)'}  head: {head}  ({state})")


@command.command()
@url_option
@click.option("--older-than-days", type=click.IntRange(min=0), default=None,
              help="Delete data older than this many days "
                   "[FACEXPLAIN_RETENTION_DAYS].")
def purge(url: str | None, older_than_days: int | None) -> None:
    """Delete conversations, turns, comparisons, reviews and images past retention."""
    from bot.store.models import utcnow
    from bot.store.privacy import purge as purge_rows

    days = settings_from(retention_days=older_than_days).retention_days
    with store_session(url, write=True) as session:
        now = utcnow()
        report = purge_rows(session, now - timedelta(days=days), now)
    counts = ", ".join(f"{n} {name}" for name, n in report.deleted.items())
    click.echo(f"purged data older than {days} days: {counts}")
