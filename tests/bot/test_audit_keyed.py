"""The keyed audit chain against someone who can write to the database: a forged event needs
the audit key; a history rewritten even with the key is caught against an anchor kept
elsewhere; an existing (unkeyed) chain migrates; and ``/forget`` shreds a user's personal
fields while the chain still verifies."""

from __future__ import annotations

import hashlib
import json
import os
import stat
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from bot.cli.main import cli
from bot.composition import AuditKeyMissing, audit_key
from bot.settings import load_settings
from bot.store.audit import GENESIS, EventRecord, iter_events, mac_of, timestamp
from bot.store.config import StoreConfig
from bot.store.migrate import upgrade_to_head
from bot.store.repository import Store
from tests.bot.store_helpers import drop_guards, sample_comparison, six_events, tamper
from tests.databases import TEST_KEY, backend_params, database_url

KEY = "keyed-chain-test-key-0123456789abcdef"


@pytest.fixture(autouse=True)
def own_data_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # the CLI falls back to the key file of the data folder: never the user's own
    monkeypatch.setenv("FACEXPLAIN_DATA_DIR", str(tmp_path / "data"))


@pytest.fixture(params=backend_params())
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return database_url(request.param, tmp_path)


@pytest.fixture
def store(url: str) -> Iterator[Store]:
    upgrade_to_head(url)
    with Store(StoreConfig(url, TEST_KEY, audit_key=KEY.encode())) as opened:
        yield opened


def audit(url: str, *args: str, key: str | None = KEY) -> Result:
    env = {"FACEXPLAIN_AUDIT_KEY": key} if key else {}
    return CliRunner().invoke(cli, ["audit", *args, "--url", url], env=env)


def rows(engine: Engine, sql: str) -> list[tuple[object, ...]]:
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(text(sql)).all()]


def head(engine: Engine) -> tuple[int, str]:
    seq, last_hash = rows(engine, "SELECT last_seq, last_hash FROM audit_head")[0]
    return int(str(seq)), str(last_hash)


def forge(engine: Engine, seq: int, prev_hash: str, kind: str, payload: str,
          mac: str | None, *, move_head: bool = True) -> str:
    """Insert an event with a correct (unkeyed) hash, as an intruder without the key can."""
    created = datetime.now(UTC)
    record = EventRecord(seq, created, kind, None, None, payload, prev_hash, "")
    digest = record.content_hash()
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO audit_events (seq, created_at, kind, user_id, conversation_id, "
            "payload, prev_hash, row_hash, mac) VALUES (:seq, :at, :kind, NULL, NULL, "
            ":payload, :prev, :hash, :mac)"), {
                "seq": seq, "at": created, "kind": kind, "payload": payload,
                "prev": prev_hash, "hash": digest, "mac": mac})
        if move_head:
            connection.execute(text("UPDATE audit_head SET last_seq = :seq, last_hash = :hash, "
                                    "last_mac = :mac"), {"seq": seq, "hash": digest, "mac": mac})
    return digest


# --- forging needs the key -----------------------------------------------------------------


@pytest.mark.parametrize("mac", [None, "0" * 64, "guess"])
def test_a_forged_insert_with_a_correct_unkeyed_hash_is_named(store: Store, url: str,
                                                              mac: str | None) -> None:
    six_events(store)
    seq, last = head(store.engine)
    forge(store.engine, seq + 1, last, "consent_given", "{}",
          None if mac is None else hashlib.sha256(mac.encode()).hexdigest())
    # the database's guards let an append through: only the key tells it apart
    result = audit(url, "verify")
    assert result.exit_code == 1
    assert "BROKEN at event #7" in result.output
    assert ("has no MAC" if mac is None else "its MAC does not match") in result.output


def test_verify_needs_the_key_and_a_wrong_key_fails_at_the_first_event(
        store: Store, url: str) -> None:
    six_events(store)
    assert audit(url, "verify").exit_code == 0
    wrong = audit(url, "verify", key="another-key-0123456789abcdef-0123456")
    assert wrong.exit_code == 1 and "BROKEN at event #1: its MAC does not match" in wrong.output
    if url.startswith("sqlite"):
        missing = audit(url, "verify", key=None)
        assert missing.exit_code == 1 and "need the audit key" in missing.output


# --- a rewrite with the key, against an anchor ---------------------------------------------


def rewrite_with_the_key(engine: Engine, key: bytes, seq: int, payload: str) -> None:
    """The strongest intruder: drops the guards, edits event ``seq`` and recomputes every
    later hash and MAC with the key, and moves the head."""
    drop_guards(engine)
    with Session(engine) as session:
        events = list(iter_events(session))
    with engine.begin() as connection:
        connection.execute(text("DROP TRIGGER IF EXISTS audit_head_forward_only"
                                + (" ON audit_head" if engine.dialect.name == "postgresql"
                                   else "")))
        prev = GENESIS
        for event in events:
            forged = replace(event, prev_hash=prev,
                             payload=payload if event.seq == seq else event.payload)
            digest = forged.content_hash()
            connection.execute(text("UPDATE audit_events SET payload = :p, prev_hash = :prev, "
                                    "row_hash = :h, mac = :m WHERE seq = :s"), {
                "p": forged.payload, "prev": prev, "h": digest, "m": mac_of(key, digest),
                "s": event.seq})
            prev = digest
        connection.execute(text("UPDATE audit_head SET last_hash = :h, last_mac = :m"),
                           {"h": prev, "m": mac_of(key, prev)})


def test_a_full_rewrite_with_the_key_is_caught_against_an_anchor(
        store: Store, url: str, tmp_path: Path) -> None:
    six_events(store)
    anchors = tmp_path / "anchors.jsonl"
    taken = audit(url, "anchor", "--output", str(anchors))
    assert taken.exit_code == 0, taken.output
    anchor = json.loads(anchors.read_text())
    assert anchor["seq"] == 6 and len(anchor["mac"]) == 64
    assert json.loads(taken.output) == anchor
    assert "1 anchor(s) matched" in audit(url, "verify", "--anchor", str(anchors)).output

    rewrite_with_the_key(store.engine, KEY.encode(), 2, '{"forged":true}')

    assert audit(url, "verify").exit_code == 0  # with the key alone it looks whole
    caught = audit(url, "verify", "--anchor", str(anchors))
    assert caught.exit_code == 1
    assert "BROKEN at event #6: it differs from the anchor taken" in caught.output


def test_history_cut_short_is_caught_against_an_anchor(store: Store, url: str,
                                                         tmp_path: Path) -> None:
    six_events(store)
    anchors = tmp_path / "anchors.jsonl"
    assert audit(url, "anchor", "--output", str(anchors)).exit_code == 0
    store.add_turn(1, "q", "a")  # the chain goes on after the anchor: still fine
    assert audit(url, "verify", "--anchor", str(anchors)).exit_code == 0
    drop_guards(store.engine)
    tamper(store.engine, "DROP TRIGGER IF EXISTS audit_head_forward_only" + (
        " ON audit_head" if store.engine.dialect.name == "postgresql" else ""))
    tamper(store.engine, "DELETE FROM audit_events WHERE seq >= 5")
    first_four = rows(store.engine, "SELECT row_hash, mac FROM audit_events WHERE seq = 4")[0]
    with store.engine.begin() as connection:
        connection.execute(text("UPDATE audit_head SET last_seq = 4, last_hash = :h, "
                                "last_mac = :m"), {"h": first_four[0], "m": first_four[1]})
    assert audit(url, "verify").exit_code == 0
    caught = audit(url, "verify", "--anchor", str(anchors))
    assert caught.exit_code == 1 and "event #6, named by an anchor, is missing" in caught.output


# --- an existing chain migrates ------------------------------------------------------------


def test_an_unkeyed_chain_from_before_the_key_migrates_and_is_sealed(url: str) -> None:
    upgrade_to_head(url, "r0002")  # the revision before the keyed chain
    engine = Store(StoreConfig(url, TEST_KEY)).engine
    prev = GENESIS
    with engine.begin() as connection:
        for seq in (1, 2, 3):
            created = datetime(2026, 1, seq, tzinfo=UTC)
            digest = EventRecord(seq, created, "conversation_started", 7, 9, "{}", prev,
                                 "").content_hash()
            connection.execute(text(
                "INSERT INTO audit_events VALUES (:s, :at, 'conversation_started', 7, 9, '{}', "
                ":prev, :h)"), {"s": seq, "at": created, "prev": prev, "h": digest})
            connection.execute(text("UPDATE audit_head SET last_seq = :s, last_hash = :h"),
                               {"s": seq, "h": digest})
            prev = digest
    engine.dispose()
    upgrade_to_head(url)

    before = audit(url, "verify")
    assert before.exit_code == 1 and "all 3 events were written before the audit key" in (
        before.output)
    sealed = audit(url, "seal")
    assert sealed.exit_code == 0 and "sealed 3 events with event #4" in sealed.output
    after = audit(url, "verify")
    assert after.exit_code == 0
    assert "audit log OK: 4 events, the first 3 from before the audit key" in after.output

    with Store(StoreConfig(url, TEST_KEY, audit_key=KEY.encode())) as store:
        six_events(store)
        assert store.verify_audit().ok
        seq, last = head(store.engine)
        forge(store.engine, seq + 1, last, "consent_given", "{}", None)  # legacy-style, late
        assert store.verify_audit().broken_seq == seq + 1


def test_the_audit_key_file_is_made_private_and_a_server_needs_the_setting(
        tmp_path: Path) -> None:
    settings = load_settings(data_dir=tmp_path / "data")
    key = audit_key(settings, create=True)
    path = tmp_path / "data" / "secrets" / "audit.key"
    assert path.read_bytes().strip() == key and len(key) >= 32
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert audit_key(settings, create=False) == key
    server = load_settings(data_dir=tmp_path / "data",
                           database_url="postgresql+psycopg://u@db:5432/facexplain")
    with pytest.raises(AuditKeyMissing, match="FACEXPLAIN_AUDIT_KEY is required"):
        audit_key(server, create=True)


# --- /forget shreds the personal fields ----------------------------------------------------


def test_forget_leaves_a_valid_chain_and_no_readable_personal_field(store: Store,
                                                                    url: str) -> None:
    alice, bob = store.ensure_user("telegram", "alice"), store.ensure_user("telegram", "bob")
    chat = store.start_conversation(alice, "chat-a")
    store.record_consent(chat)
    pair = store.add_comparison(chat, sample_comparison(0.7123))
    store.add_turn(chat, "why?", "because.", comparison_id=pair, confidence=0.8125,
                   mode="template")
    bob_chat = store.start_conversation(bob, "chat-b")
    store.add_comparison(bob_chat, sample_comparison(0.1))

    shown = [json.loads(line) for line in audit(url, "export").output.splitlines()]
    made = next(e for e in shown if e["kind"] == "comparison_made")
    assert made["user_id"] is None and made["conversation_id"] is None  # never in the clear
    assert made["payload"]["user_id"] == alice and made["payload"]["score"] == 0.7123

    assert store.forget_user("telegram", "alice").found
    assert store.verify_audit().ok
    assert audit(url, "verify").exit_code == 0

    events = rows(store.engine, "SELECT kind, user_id, conversation_id, payload "
                                "FROM audit_events ORDER BY seq")
    alices = [e for e in events[:4]]  # started, consent, comparison, question: all hers
    assert [e[0] for e in alices] == ["conversation_started", "consent_given",
                                      "comparison_made", "question_answered"]
    for _kind, user_id, conversation_id, payload in events:
        assert user_id is None and conversation_id is None
        stored = json.loads(str(payload))
        assert set(stored) <= {"subject", "sealed", "recognizer_sha256", "found", "deleted"}
        assert "0.7123" not in str(payload) and "0.8125" not in str(payload)
    subjects = {json.loads(str(e[3]))["subject"] for e in alices}
    assert len(subjects) == 1  # one random tag for her events, and nothing behind it now
    assert rows(store.engine, "SELECT COUNT(*) FROM audit_subjects WHERE subject = "
                              f"'{subjects.pop()}'") == [(0,)]
    assert rows(store.engine, "SELECT COUNT(*) FROM audit_subjects") == [(1,)]  # bob's

    shown = [json.loads(line) for line in audit(url, "export").output.splitlines()]
    assert [e["payload"].get("personal") for e in shown[:4]] == ["erased"] * 4
    assert shown[4]["payload"]["user_id"] == bob  # bob's events still readable
    tombstone = shown[-1]
    assert tombstone["kind"] == "data_forgotten" and tombstone["user_id"] is None
    assert timestamp(datetime.now(UTC))[:4] == tombstone["created_at"][:4]
