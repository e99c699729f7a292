"""Run the store's Alembic migrations from code: no alembic.ini, works from an installed
package. ``facexplain db upgrade`` and start-up (``upgrade_to_head``) both come here."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text
from sqlalchemy.engine import Connection

from bot.store.engine import make_engine

SCRIPT_LOCATION = "bot.store:migrations"
MIGRATION_LOCK = 0x66786D67  # pg_advisory_xact_lock key: one migrator at a time


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    if connection is not None:
        config.attributes["connection"] = connection
    return config


@contextmanager
def _locked_connection(target: str | Engine) -> Iterator[Connection]:
    engine = make_engine(target) if isinstance(target, str) else target
    try:
        with engine.begin() as connection:  # SQLite: BEGIN IMMEDIATE serialises migrators
            if connection.dialect.name == "postgresql":
                connection.execute(text("SELECT pg_advisory_xact_lock(:key)"),
                                   {"key": MIGRATION_LOCK})
            yield connection
    finally:
        if isinstance(target, str):
            engine.dispose()


def upgrade_to_head(target: str | Engine, revision: str = "head") -> None:
    """Bring the database at ``target`` (a URL or an engine) up to ``revision``."""
    with _locked_connection(target) as connection:
        command.upgrade(alembic_config(connection), revision)


def downgrade(target: str | Engine, revision: str = "-1") -> None:
    """Step the database down to ``revision`` ("-1": one step; "base": empty)."""
    with _locked_connection(target) as connection:
        command.downgrade(alembic_config(connection), revision)


def current_revision(target: str | Engine) -> str | None:
    with _locked_connection(target) as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()
