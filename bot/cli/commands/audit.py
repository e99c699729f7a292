"""``facexplain audit ...``: check the audit log's keyed chain, anchor its head, export it.

Every command that checks or writes the chain needs the audit key: FACEXPLAIN_AUDIT_KEY, or
(for the embedded SQLite store) the key file the service made in the data folder.
"""

from __future__ import annotations

import csv
import json
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from bot.cli.options import settings_from
from bot.cli.store_options import store_session, url_option

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from bot.store.audit import Anchor

COLUMNS = ("seq", "created_at", "kind", "user_id", "conversation_id", "payload", "prev_hash",
           "hash", "mac")
anchor_log = logging.getLogger("facexplain.audit.anchor")


@click.group(name="audit")
def command() -> None:
    """The append-only audit log (a SHA-256 hash chain with an HMAC-SHA256 per event)."""


def _key(url: str | None) -> bytes:
    from bot.composition import AuditKeyMissing, audit_key

    try:
        return audit_key(settings_from(database_url=url), create=False)
    except AuditKeyMissing as error:
        raise click.ClickException(f"the audit commands need the audit key: {error}") from None


@contextmanager
def _keyed(url: str | None, *, write: bool = False) -> Iterator[Session]:
    from bot.store.audit import AUDIT_KEY

    with store_session(url, write=write) as session:  # a missing store is named first
        session.info[AUDIT_KEY] = _key(url)
        yield session


def _anchors(path: Path | None) -> list[Anchor]:
    from bot.store.audit import Anchor

    if path is None:
        return []
    try:
        lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        return [Anchor.from_json(line) for line in lines]
    except (OSError, ValueError, KeyError) as error:
        raise click.ClickException(f"cannot read anchors from {path}: {error}") from None


@command.command()
@url_option
@click.option("--anchor", "anchor_file", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="A file of anchors (from `audit anchor --output`): each must "
                                 "still match, which catches a rewrite even with the key.")
def verify(url: str | None, anchor_file: Path | None) -> None:
    """Check every event's hash, link and MAC; name the first bad event (exit 1)."""
    from bot.store.audit import verify_chain

    anchors = _anchors(anchor_file)
    with _keyed(url) as session:
        result = verify_chain(session, anchors=anchors)
    if not result.ok:
        click.echo(f"audit log BROKEN at event #{result.broken_seq}: {result.reason} "
                   f"({result.events} events verified before it)")
        sys.exit(1)
    legacy = f", the first {result.unkeyed} from before the audit key" if result.unkeyed else ""
    pinned = f", {len(anchors)} anchor(s) matched" if anchors else ""
    click.echo(f"audit log OK: {result.events} events{legacy}{pinned}, head {result.head_hash}")


@command.command()
@url_option
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Append the anchor to this file (keep it off the database's machine).")
@click.option("--log", "to_log", is_flag=True,
              help="Also send it to the log (logger facexplain.audit.anchor) for a log sink.")
def anchor(url: str | None, output: Path | None, to_log: bool) -> None:
    """Print the chain's head (sequence number, hash, MAC) after checking the chain."""
    from bot.store.audit import anchor as take_anchor
    from bot.store.audit import verify_chain

    with _keyed(url) as session:
        result = verify_chain(session)
        if not result.ok:
            raise click.ClickException(f"the chain is broken at event #{result.broken_seq}: "
                                       f"{result.reason}; no anchor taken")
        taken = take_anchor(session)
    line = taken.to_json()
    if output is not None:
        with output.open("a", encoding="utf-8") as handle:
            handle.write(line + "\n")
    if to_log:
        anchor_log.warning("audit anchor %s", line)
    click.echo(line)


@command.command()
@url_option
def seal(url: str | None) -> None:
    """Append one keyed event, so the events from before the audit key are sealed under it."""
    from bot.store.audit import append_event, verify_chain

    with _keyed(url, write=True) as session:
        before = verify_chain(session)
        if not before.ok and before.unkeyed != before.events:
            raise click.ClickException(f"the chain is broken at event #{before.broken_seq}: "
                                       f"{before.reason}")
        seq = append_event(session, "chain_sealed", payload={"sealed_events": before.events})
    click.echo(f"sealed {before.events} events with event #{seq}")


@command.command()
@url_option
@click.option("--since", type=click.DateTime(), default=None,
              help="Only events at or after this time (UTC), e.g. 2025-01-31 or 2025-01-31T12:00:00.")
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv"]), default="jsonl",
              show_default=True)
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write here instead of standard output.")
def export(url: str | None, since: datetime | None, fmt: str, output: Path | None) -> None:
    """Export events (internal ids and hashes only; the personal fields of a forgotten user
    show as "erased") as JSON lines or CSV."""
    from bot.store.audit import iter_events, readable

    if since is not None and since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    handle = output.open("w", encoding="utf-8", newline="") if output else sys.stdout
    try:
        with store_session(url) as session:
            writer = csv.writer(handle) if fmt == "csv" else None
            if writer is not None:
                writer.writerow(COLUMNS)
            for event in iter_events(session, since):
                row = readable(session, event)
                if writer is None:
                    handle.write(json.dumps(row, sort_keys=True) + "\n")
                else:
                    row["payload"] = json.dumps(row["payload"], sort_keys=True)
                    writer.writerow([row[name] for name in COLUMNS])
    finally:
        if output:
            handle.close()
