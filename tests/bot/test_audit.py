"""The audit log: a hash chain that names the first event edited or removed behind the
store's back, refuses edits where the database can, and stays whole under concurrent writers."""

from __future__ import annotations

import csv
import io
import json
import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy.exc import DatabaseError
from sqlalchemy.orm import Session

from bot.cli.main import cli
from bot.store.audit import iter_events
from bot.store.config import StoreConfig
from bot.store.migrate import upgrade_to_head
from bot.store.repository import Store
from tests.bot.store_helpers import drop_guards, six_events, tamper
from tests.databases import TEST_KEY, backend_params, database_url

AUDIT_KEY = "test-audit-key-0123456789abcdef-0123"


@pytest.fixture(params=backend_params())
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    url = database_url(request.param, tmp_path)
    upgrade_to_head(url)
    with Store(StoreConfig(url, TEST_KEY, audit_key=AUDIT_KEY.encode())) as opened:
        yield opened


def audit(store: Store, *args: str, key: str | None = AUDIT_KEY) -> Result:
    url = store.engine.url.render_as_string(hide_password=False)
    env = {"FACEXPLAIN_AUDIT_KEY": key} if key else {}
    return CliRunner().invoke(cli, ["audit", *args, "--url", url], env=env)


def test_an_intact_chain_verifies_and_exports(store: Store) -> None:
    six_events(store)
    verified = audit(store, "verify")
    assert verified.exit_code == 0 and "audit log OK: 6 events" in verified.output

    lines = audit(store, "export", "--format", "jsonl").output.splitlines()
    events = [json.loads(line) for line in lines]
    assert [e["seq"] for e in events] == [1, 2, 3, 4, 5, 6]
    assert [e["kind"] for e in events[:3]] == ["conversation_started", "consent_given",
                                               "question_answered"]
    assert all(b["prev_hash"] == a["hash"] for a, b in zip(events, events[1:], strict=False))
    assert events[0]["prev_hash"] == "0" * 64
    assert "q0" not in "".join(lines) and "grace" not in "".join(lines)  # ids only

    rows = list(csv.DictReader(io.StringIO(audit(store, "export", "--format", "csv").output)))
    assert [int(r["seq"]) for r in rows] == [1, 2, 3, 4, 5, 6]
    assert json.loads(rows[2]["payload"])["mode"] == "template"
    assert audit(store, "export", "--since", "2999-01-01").output == ""


def test_the_database_refuses_edits_and_deletes(store: Store) -> None:
    six_events(store)
    for sql in ("UPDATE audit_events SET kind = 'consent_given' WHERE seq = 3",
                "DELETE FROM audit_events WHERE seq = 6",
                "UPDATE audit_head SET last_seq = 2, last_hash = 'x'",
                "DELETE FROM audit_head"):
        with pytest.raises(DatabaseError, match="append-only|audit_head"):
            tamper(store.engine, sql)
    assert store.verify_audit().ok


def test_verify_names_an_event_edited_behind_the_stores_back(store: Store) -> None:
    six_events(store)
    drop_guards(store.engine)
    tamper(store.engine, "UPDATE audit_events SET payload = '{\"mode\":\"edited\"}' WHERE seq = 4")

    result = audit(store, "verify")

    assert result.exit_code == 1
    assert "BROKEN at event #4" in result.output and "edited" in result.output
    assert store.verify_audit().broken_seq == 4


def test_a_rewritten_hash_is_caught_by_its_mac(store: Store) -> None:
    """A careful intruder recomputes the edited event's own hash: without the key its MAC
    no longer matches (and the next link breaks too)."""
    six_events(store)
    drop_guards(store.engine)
    with Session(store.engine) as session:
        third = next(e for e in iter_events(session) if e.seq == 3)
    forged = replace(third, kind="consent_given")
    tamper(store.engine, f"UPDATE audit_events SET kind = 'consent_given', "
                         f"row_hash = '{forged.content_hash()}' WHERE seq = 3")

    result = store.verify_audit()

    assert (result.broken_seq, result.events) == (3, 2)
    assert "its MAC does not match" in result.reason


def test_verify_names_a_deleted_event(store: Store) -> None:
    six_events(store)
    drop_guards(store.engine)
    tamper(store.engine, "DELETE FROM audit_events WHERE seq = 3")

    result = audit(store, "verify")

    assert result.exit_code == 1 and "BROKEN at event #3: event #3 is missing" in result.output


def test_verify_notices_the_last_event_removed(store: Store) -> None:
    six_events(store)
    drop_guards(store.engine)
    tamper(store.engine, "DELETE FROM audit_events WHERE seq = 6")

    result = store.verify_audit()

    assert result.broken_seq == 6 and "the head says the last event is #6" in result.reason


def test_concurrent_writers_keep_one_valid_chain(store: Store) -> None:
    users = [store.ensure_user("slack", f"U{n}") for n in range(6)]
    chats = [store.start_conversation(user, "C1", thread=str(n)) for n, user in enumerate(users)]
    barrier = threading.Barrier(len(chats))
    errors: list[BaseException] = []

    def talk(chat: int) -> None:
        try:
            barrier.wait()
            for n in range(8):
                store.add_turn(chat, f"q{n}", f"a{n}", latency_ms=n)
        except BaseException as error:  # reported below, not lost in the thread
            errors.append(error)

    threads = [threading.Thread(target=talk, args=(chat,)) for chat in chats]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    result = store.verify_audit()
    assert result.ok and result.events == 6 + 6 * 8
    assert all(len(store.history(chat, limit=100)) == 8 for chat in chats)
