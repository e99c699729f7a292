"""What the ``db`` and ``audit`` commands share: the ``--url`` option and a session on the
store that URL (or the settings) names."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, TypeVar

import click

from bot.cli.options import settings_from

F = TypeVar("F", bound=Callable[..., object])

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


def resolve_url(url: str | None) -> str:
    """The --url given, else FACEXPLAIN_DATABASE_URL, else SQLite in the data directory (the
    store the service itself opens: ``bot.composition.store_config``)."""
    from bot.store.config import default_database_url

    settings = settings_from(database_url=url)
    return settings.database_url or default_database_url(settings.data_dir)


def _audit_key(url: str | None) -> bytes:
    from bot.composition import AuditKeyMissing, audit_key

    try:
        return audit_key(settings_from(database_url=url), create=True)
    except AuditKeyMissing as error:
        raise click.ClickException(str(error)) from None


def url_option(func: F) -> F:
    return click.option(
        "--url", default=None, metavar="URL",
        help="Database URL (default: $FACEXPLAIN_DATABASE_URL, else SQLite in the data "
             "directory). PostgreSQL: postgresql+psycopg://user@host:5432/db",
    )(func)


@contextmanager
def store_session(url: str | None, *, write: bool = False) -> Iterator[Session]:
    """One transaction on a migrated store (read-only unless ``write``; a write session
    carries the audit key, for the events it appends); friendly errors for the usual
    mistakes."""
    from sqlalchemy import inspect
    from sqlalchemy.exc import OperationalError
    from sqlalchemy.orm import Session

    from bot.store.audit import AUDIT_KEY
    from bot.store.engine import make_engine, reader, safe_url

    target = resolve_url(url)
    engine = make_engine(target)
    try:
        try:
            ready = inspect(engine).has_table("audit_head")
        except OperationalError as error:
            reason = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
            raise click.ClickException(f"cannot open {safe_url(target)}: {reason}") from None
        if not ready:
            raise click.ClickException(
                f"{safe_url(target)} has no store yet: run `facexplain db upgrade` first")
        with Session(engine if write else reader(engine)) as session, session.begin():
            if write:
                session.info[AUDIT_KEY] = _audit_key(url)
            yield session
    finally:
        engine.dispose()
