"""``facexplain audit ...``: check the audit log's hash chain and export it for reviewers."""

from __future__ import annotations

import csv
import json
import sys
from datetime import UTC, datetime
from pathlib import Path

import click

from bot.cli.store_options import store_session, url_option

COLUMNS = ("seq", "created_at", "kind", "user_id", "conversation_id", "payload", "prev_hash",
           "hash")


@click.group(name="audit")
def command() -> None:
    """The append-only audit log (a SHA-256 hash chain)."""


@command.command()
@url_option
def verify(url: str | None) -> None:
    """Check every event's hash and link; name the first broken event (exit 1)."""
    from bot.store.audit import verify_chain

    with store_session(url) as session:
        result = verify_chain(session)
    if not result.ok:
        click.echo(f"audit log BROKEN at event #{result.broken_seq}: {result.reason} "
                   f"({result.events} events verified before it)")
        sys.exit(1)
    click.echo(f"audit log OK: {result.events} events, head {result.head_hash}")


@command.command()
@url_option
@click.option("--since", type=click.DateTime(), default=None,
              help="Only events at or after this time (UTC), e.g. 2025-01-31 or 2025-01-31T12:00:00.")
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv"]), default="jsonl",
              show_default=True)
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write here instead of standard output.")
def export(url: str | None, since: datetime | None, fmt: str, output: Path | None) -> None:
    """Export events (ids, pseudonyms and hashes only) as JSON lines or CSV."""
    from bot.store.audit import iter_events

    if since is not None and since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    handle = output.open("w", encoding="utf-8", newline="") if output else sys.stdout
    try:
        with store_session(url) as session:
            writer = csv.writer(handle) if fmt == "csv" else None
            if writer is not None:
                writer.writerow(COLUMNS)
            for event in iter_events(session, since):
                row = event.to_dict()
                if writer is None:
                    handle.write(json.dumps(row, sort_keys=True) + "\n")
                else:
                    row["payload"] = json.dumps(row["payload"], sort_keys=True)
                    writer.writerow([row[name] for name in COLUMNS])
    finally:
        if output:
            handle.close()
