"""The PostgreSQL store while the database is away for a few seconds: its connection runs
through a TCP proxy that the test cuts and restores."""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from sqlalchemy.engine import make_url

from bot.store.config import StoreConfig
from bot.store.repository import Store, open_store
from bot.store.retry import StoreUnavailable
from tests.databases import TEST_KEY, postgres_schema_url, postgres_skipped
from tests.scale.proxy import TcpProxy

pytestmark = [pytest.mark.postgres,
              pytest.mark.skipif(postgres_skipped(), reason="FACEXPLAIN_SKIP_POSTGRES=1")]


@dataclass
class Database:
    """The test's PostgreSQL schema, reached only through ``proxy``."""

    proxy: TcpProxy
    url: str

    @contextmanager
    def conversation(self, retry_s: float, user: str) -> Iterator[tuple[Store, int]]:
        """A store that waits up to ``retry_s`` for the database, and a new conversation."""
        store = open_store(StoreConfig(url=self.url, pseudonym_key=TEST_KEY, retry_s=retry_s))
        try:
            yield store, store.start_conversation(store.ensure_user("console", user), "terminal")
        finally:
            store.close()


@pytest.fixture
def database() -> Iterator[Database]:
    direct = make_url(postgres_schema_url())
    proxy = TcpProxy(direct.host or "127.0.0.1", direct.port or 5432).start()
    proxied = direct.set(host="127.0.0.1", port=proxy.port)
    yield Database(proxy, proxied.render_as_string(hide_password=False))
    proxy.stop()


def test_a_turn_written_while_the_database_is_away_is_stored_once_when_it_returns(
        database: Database) -> None:
    proxy = database.proxy
    with database.conversation(retry_s=30, user="alice") as (store, conversation):
        store.add_turn(conversation, "Is it the same person?", "Yes.")

        proxy.stop()  # the database goes away, open connections die
        with ThreadPoolExecutor(1) as pool:
            pending = pool.submit(store.add_turn, conversation, "How sure are you?", "Very.")
            time.sleep(2.0)
            assert not pending.done()  # waiting and retrying, not failed, not dropped
            proxy.start()  # it is back
            turn_id = pending.result(timeout=30)

        history = store.history(conversation)
        assert [(t.question, t.answer) for t in history] == [
            ("Is it the same person?", "Yes."), ("How sure are you?", "Very.")]
        assert history[-1].id == turn_id  # stored exactly once


def test_a_database_away_for_longer_gives_a_friendly_error_and_the_store_recovers(
        database: Database) -> None:
    proxy = database.proxy
    with database.conversation(retry_s=1.0, user="bob") as (store, conversation):
        proxy.stop()
        began = time.monotonic()
        with pytest.raises(StoreUnavailable) as away:
            store.add_turn(conversation, "Still there?", "No.")
        assert time.monotonic() - began < 5  # bounded
        assert away.value.user_message.startswith("I cannot reach my conversation database")

        proxy.start()
        store.add_turn(conversation, "And now?", "Yes.")
        assert [t.question for t in store.history(conversation)] == ["And now?"]
