"""Real databases for tests: a SQLite file, or a fresh schema in a throw-away PostgreSQL
database (created once per test process, dropped at exit, so parallel runs never clash).

PostgreSQL is expected to be up (CI starts it): a connection error fails the test loudly.
Set FACEXPLAIN_SKIP_POSTGRES=1 to leave PostgreSQL out.
"""

from __future__ import annotations

import atexit
import os
import secrets
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

SERVER_ENV = "FACEXPLAIN_TEST_POSTGRES_URL"
DEFAULT_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
SKIP_ENV = "FACEXPLAIN_SKIP_POSTGRES"
TEST_KEY = b"test-pseudonym-key-0123456789abcdef"

_database: list[str] = []


def postgres_skipped() -> bool:
    return os.environ.get(SKIP_ENV, "") not in ("", "0")


def _admin(sql: str) -> None:
    server = os.environ.get(SERVER_ENV, DEFAULT_SERVER)
    engine = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text(sql))
    finally:
        engine.dispose()


def postgres_database() -> str:
    """The URL of this process's throw-away database (created on first use)."""
    if not _database:
        name = f"facexplain_test_{secrets.token_hex(6)}"
        _admin(f'CREATE DATABASE "{name}"')
        atexit.register(_admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        server = make_url(os.environ.get(SERVER_ENV, DEFAULT_SERVER))
        _database.append(server.set(database=name).render_as_string(hide_password=False))
    return _database[0]


def postgres_schema_url() -> str:
    """A URL whose connections see only a new, empty schema of the test database."""
    url = postgres_database()
    schema = f"s_{secrets.token_hex(6)}"
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    finally:
        engine.dispose()
    with_path = make_url(url).update_query_dict({"options": f"-csearch_path={schema}"})
    return with_path.render_as_string(hide_password=False)


def database_url(backend: str, directory: Path) -> str:
    """An empty database of ``backend`` ("sqlite" or "postgresql")."""
    if backend == "sqlite":
        return f"sqlite:///{directory / 'store.db'}"
    if backend == "postgresql":
        return postgres_schema_url()
    raise ValueError(backend)


def backend_params() -> list[object]:
    """``pytest.mark.parametrize`` values for a fixture that runs on both databases."""
    import pytest

    skip = pytest.mark.skipif(postgres_skipped(), reason=f"{SKIP_ENV}=1")
    return ["sqlite", pytest.param("postgresql", marks=[pytest.mark.postgres, skip])]
