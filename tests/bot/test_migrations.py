"""Migrations: an empty database goes to head with `facexplain db upgrade`, matches the models
exactly, and goes back to base with `facexplain db downgrade`."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from click.testing import CliRunner
from sqlalchemy import inspect

from bot.cli.main import cli
from bot.store.config import StoreConfig
from bot.store.engine import make_engine
from bot.store.migrate import current_revision, head_revision, upgrade_to_head
from bot.store.models import Base
from bot.store.repository import open_store
from tests.databases import TEST_KEY, backend_params, database_url

TABLES = {"users", "conversations", "comparisons", "turns", "reviews", "kept_images", "sessions",
          "inbox", "audit_events", "audit_head", "audit_subjects"}


@pytest.fixture(params=backend_params())
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return database_url(request.param, tmp_path)


def db(*args: str) -> str:
    result = CliRunner().invoke(cli, ["db", *args])
    assert result.exit_code == 0, result.output
    return result.output


def table_names(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_upgrade_to_head_matches_the_models_and_downgrades_to_base(url: str) -> None:
    assert "current: base (empty)" in db("current", "--url", url)

    assert f"is at revision {head_revision()}" in db("upgrade", "--url", url)

    assert "up to date" in db("current", "--url", url)
    assert table_names(url) == TABLES | {"alembic_version"}
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    finally:
        engine.dispose()
    assert differences == []

    assert "is at revision base" in db("downgrade", "--url", url, "--revision", "base")
    assert table_names(url) <= {"alembic_version"}
    assert current_revision(url) is None


def test_start_up_migrates_and_a_second_start_is_harmless(url: str) -> None:
    config = StoreConfig(url, TEST_KEY)
    with open_store(config) as first:
        first.start_conversation(first.ensure_user("console", "me"), "terminal")
    with open_store(config) as again:  # start-up runs the migrations on every launch
        assert again.verify_audit().events == 1
    upgrade_to_head(url)
    assert current_revision(url) == head_revision()


def test_the_default_url_is_sqlite_in_the_data_directory(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FACEXPLAIN_DATABASE_URL", raising=False)
    monkeypatch.setenv("FACEXPLAIN_DATA_DIR", str(tmp_path / "data"))
    db("upgrade")
    assert (tmp_path / "data" / "facexplain.db").is_file()
    assert "up to date" in db("current")


def test_commands_on_a_database_without_the_store_say_what_to_do(url: str) -> None:
    for command in (["audit", "verify"], ["audit", "export"], ["db", "purge"]):
        result = CliRunner().invoke(cli, [*command, "--url", url])
        assert result.exit_code == 1
        assert "has no store yet: run `facexplain db upgrade` first" in result.output


def test_an_unreachable_server_is_named_without_its_password() -> None:
    url = "postgresql+psycopg://postgres:hunter2@127.0.0.1:9/nowhere?connect_timeout=2"
    result = CliRunner().invoke(cli, ["audit", "verify", "--url", url])
    assert result.exit_code == 1 and "cannot open postgresql+psycopg://postgres:***@" in result.output
    assert "hunter2" not in result.output
