"""The conversation store on SQLite and on PostgreSQL: the same tests on both."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select, text

from bot.cli.main import cli
from bot.store.config import StoreConfig
from bot.store.engine import reader
from bot.store.keys import new_key
from bot.store.migrate import upgrade_to_head
from bot.store.models import Conversation, KeptImage, Review, User, utcnow
from bot.store.port import AlreadyReviewed, ImagesDisabled, StorePort, UnknownRecord
from bot.store.pseudonym import pseudonym
from bot.store.repository import Store
from tests.bot.store_helpers import sample_comparison
from tests.databases import TEST_KEY, backend_params, database_url


@pytest.fixture(params=backend_params())
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    target = database_url(request.param, tmp_path)
    upgrade_to_head(target)
    return target


@pytest.fixture
def store(url: str) -> Iterator[Store]:
    with Store(StoreConfig(url, TEST_KEY)) as opened:
        yield opened


def test_a_conversation_is_kept_in_order_and_without_raw_handles(store: Store) -> None:
    port: StorePort = store  # the Store satisfies the dialogue's port
    alice = port.ensure_user("telegram", "alice-4711")
    assert port.ensure_user("telegram", "alice-4711") == alice
    assert port.ensure_user("slack", "alice-4711") != alice  # another platform, another user

    conversation = port.start_conversation(alice, "chat-99", thread=None)
    assert port.find_conversation(alice, "chat-99") is not None
    assert port.find_conversation(alice, "chat-99", thread="t1") is None
    found = port.find_conversation(alice, "chat-99")
    assert found is not None and found.id == conversation and found.consent_given_at is None

    consent = port.record_consent(conversation)
    assert port.record_consent(conversation) == consent  # once only

    comparison_id = port.add_comparison(conversation, sample_comparison())
    explained = sample_comparison()
    explained.tables = {"pair": {"nose": {"S0-": 3.0, "Mean": 3.0}}}
    explained.saliency = {"profile": "fast", "evaluations": 64}
    port.add_explanation(comparison_id, explained)
    stored = store.get_comparison(comparison_id)
    assert stored is not None
    assert (stored.decision, stored.score, stored.threshold) == ("same person", 0.62, 0.35)
    assert stored.tables == {"pair": {"nose": {"S0-": 3.0, "Mean": 3.0}}}
    assert stored.parameters["saliency"]["evaluations"] == 64
    assert stored.models["recognizer_sha256"] == "ab" * 32
    assert "landmarks" not in str(stored.parameters)  # geometry of the face is not kept

    for n in range(5):
        port.add_turn(conversation, f"question {n}?", f"answer {n}.", fact_ids=[f"f{n}"],
                      confidence=0.5 + n / 10, latency_ms=10.0 * n, mode="extractive",
                      comparison_id=comparison_id)
    history = port.history(conversation, limit=3)
    assert [turn.question for turn in history] == ["question 2?", "question 3?", "question 4?"]
    assert history[-1].fact_ids == ["f4"] and history[-1].latency_ms == 40.0

    with store.engine.connect() as connection:
        users = connection.execute(select(User.pseudonym, User.platform)).all()
        places = connection.execute(select(Conversation.chat_ref)).all()
    assert all(len(ref) == 64 and "alice" not in ref for ref, _ in users)
    assert all("chat-99" not in ref for (ref,) in places)


def test_reviews_are_one_per_reviewer(store: Store) -> None:
    alice = store.ensure_user("slack", "U-alice")
    conversation = store.start_conversation(alice, "C-1", thread="1700000000.1")
    comparison = store.add_comparison(conversation, sample_comparison())
    reviewer, other = store.ensure_user("slack", "U-rev1"), store.ensure_user("slack", "U-rev2")

    store.add_review(comparison, reviewer, "confirm", "looks right")
    with pytest.raises(AlreadyReviewed):
        store.add_review(comparison, reviewer, "reject")  # pressed twice
    store.add_review(comparison, other, "escalate")
    with pytest.raises(ValueError):
        store.add_review(comparison, other, "maybe")  # type: ignore[arg-type]
    with pytest.raises(UnknownRecord):
        store.add_review(comparison + 100, reviewer, "confirm")

    verdicts = [(r.reviewer_id, r.verdict, r.comment) for r in store.reviews(comparison)]
    assert verdicts == [(reviewer, "confirm", "looks right"), (other, "escalate", "")]
    assert store.verify_audit().ok


def test_unknown_ids_are_reported_not_crashed(store: Store) -> None:
    with pytest.raises(UnknownRecord):
        store.add_turn(404, "q", "a")
    with pytest.raises(UnknownRecord):
        store.start_conversation(404, "chat")
    assert store.find_conversation(404, "chat") is None
    assert store.get_comparison(404) is None and store.history(404) == []


def test_concurrent_first_contact_makes_one_user(store: Store) -> None:
    ids: list[int] = []
    barrier = threading.Barrier(6)

    def contact() -> None:
        barrier.wait()
        ids.append(store.ensure_user("telegram", "same-person"))

    threads = [threading.Thread(target=contact) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(ids) == 6 and len(set(ids)) == 1


def test_foreign_keys_and_pragmas_are_on(store: Store) -> None:
    with store.engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
            assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 30_000
        with pytest.raises(Exception, match="(?i)foreign key"):
            connection.execute(text(
                "INSERT INTO turns (conversation_id, question, answer, fact_ids, latency_ms, "
                "mode, created_at) VALUES (999, 'q', 'a', '[]', 0, '', '2025-01-01')"))


class Clock:
    """A clock the test moves: rows get the time it shows."""

    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self) -> datetime:
        return self.now


def test_forget_user_deletes_everything_of_that_user_and_nothing_else(url: str) -> None:
    config = StoreConfig(url, TEST_KEY, keep_images=True, image_key=new_key())
    with Store(config) as store:
        alice, bob = store.ensure_user("telegram", "alice"), store.ensure_user("telegram", "bob")
        alice_chat = store.start_conversation(alice, "chat-a")
        bob_chat = store.start_conversation(bob, "chat-b")
        alice_pair = store.add_comparison(alice_chat, sample_comparison(0.7))
        bob_pair = store.add_comparison(bob_chat, sample_comparison(0.1))
        store.keep_image(alice_pair, "collage", b"alice's heatmap")
        for chat, pair in ((alice_chat, alice_pair), (alice_chat, alice_pair), (bob_chat, bob_pair)):
            store.add_turn(chat, "why?", "because.", comparison_id=pair)
        store.add_review(alice_pair, bob, "confirm")
        store.add_review(bob_pair, alice, "reject")

        report = store.forget_user("telegram", "alice")

        assert report.found
        assert report.deleted == {"kept_images": 1, "reviews": 1, "turns": 2, "sessions": 0,
                                  "comparisons": 1, "conversations": 1, "users": 1}
        assert store.get_comparison(alice_pair) is None and store.history(alice_chat) == []
        assert store.find_conversation(alice, "chat-a") is None
        assert store.get_comparison(bob_pair) is not None and len(store.history(bob_chat)) == 1
        assert store.reviews(bob_pair) == []  # alice's verdict on bob's pair went with her
        # bob's verdict on alice's pair stays: the fact that it was reviewed, by whom, no pair
        with store._read() as session:
            kept = session.scalars(select(Review).where(Review.reviewer_id == bob)).all()
            assert [(r.comparison_id, r.verdict) for r in kept] == [(None, "confirm")]
        assert store.verify_audit().ok  # the audit table was not edited, only appended to

        with store.engine.connect() as connection:
            events = connection.execute(text(
                "SELECT kind, user_id, payload FROM audit_events ORDER BY seq")).all()
        kind, user_id, payload = events[-1]
        assert (kind, user_id) == ("data_forgotten", None)  # the tombstone names no one
        secret = pseudonym(TEST_KEY, "telegram", "alice")
        assert all("alice" not in p and secret not in p for _, _, p in events)

        assert not store.forget_user("telegram", "alice").found  # nothing left to forget
        assert store.ensure_user("telegram", "alice") not in (alice, bob)  # ids never reused
        assert store.verify_audit().ok


def test_retention_purges_old_data(url: str) -> None:
    clock = Clock()
    audit_key = "retention-test-audit-key-0123456789"
    with Store(StoreConfig(url, TEST_KEY, audit_key=audit_key.encode()), clock=clock) as store:
        clock.now -= timedelta(days=40)
        carol = store.ensure_user("console", "carol")
        old_chat = store.start_conversation(carol, "terminal")
        old_pair = store.add_comparison(old_chat, sample_comparison())
        store.add_turn(old_chat, "old question", "old answer", comparison_id=old_pair)
        clock.now += timedelta(days=40)
        dave = store.ensure_user("console", "dave")
        new_chat = store.start_conversation(dave, "terminal")
        store.add_turn(new_chat, "new question", "new answer")

        result = CliRunner().invoke(cli, ["db", "purge", "--url", url, "--older-than-days", "30"],
                                    env={"FACEXPLAIN_AUDIT_KEY": audit_key})

        assert result.exit_code == 0, result.output
        assert "1 comparisons" in result.output and "1 conversations" in result.output
        assert store.get_comparison(old_pair) is None and store.history(old_chat) == []
        assert [t.question for t in store.history(new_chat)] == ["new question"]
        assert store.find_conversation(carol, "terminal") is None  # and carol is gone too
        assert store.ensure_user("console", "carol") != carol
        assert store.purge().deleted["turns"] == 0  # default retention: nothing more is due
        assert store.verify_audit().ok


def test_kept_images_are_off_by_default_encrypted_and_expire(url: str) -> None:
    with Store(StoreConfig(url, TEST_KEY)) as plain:
        user = plain.ensure_user("console", "erin")
        pair = plain.add_comparison(plain.start_conversation(user, "t"), sample_comparison())
        with pytest.raises(ImagesDisabled):
            plain.keep_image(pair, "collage", b"pixels")
    with pytest.raises(ValueError):
        StoreConfig(url, TEST_KEY, keep_images=True)  # no key, no images

    clock = Clock()
    config = StoreConfig(url, TEST_KEY, keep_images=True, image_key=new_key(), image_ttl_hours=1)
    with Store(config, clock=clock) as store:
        picture = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
        image = store.keep_image(pair, "collage", picture)
        with store.engine.connect() as connection:
            sealed = connection.execute(select(KeptImage.ciphertext)).scalar_one()
        assert picture not in sealed and bytes(range(256)) not in sealed
        assert store.load_image(image) == picture

        clock.now += timedelta(hours=2)
        assert store.load_image(image) is None  # expired
        assert store.purge().deleted["kept_images"] == 1


def test_logs_hold_no_questions_images_or_handles(url: str, caplog: pytest.LogCaptureFixture) -> None:
    config = StoreConfig(url, TEST_KEY, keep_images=True, image_key=new_key())
    sql_log = caplog.at_level(logging.INFO, logger="sqlalchemy.engine")  # an operator's -v
    with caplog.at_level(logging.DEBUG), sql_log, Store(config) as store:
        user = store.ensure_user("telegram", "frank-handle")
        chat = store.start_conversation(user, "frank-chat")
        pair = store.add_comparison(chat, sample_comparison())
        store.keep_image(pair, "collage", b"IMAGE-BYTES-XYZ")
        store.add_turn(chat, "my private question", "an answer")
        store.forget_user("telegram", "frank-handle")
    assert "INSERT INTO turns" in caplog.text  # SQL is logged when asked for...
    for secret in ("frank-handle", "frank-chat", "IMAGE-BYTES", "private question",
                   pseudonym(TEST_KEY, "telegram", "frank-handle")):
        assert secret not in caplog.text  # ...but never the values


def test_a_long_read_does_not_block_writers(url: str) -> None:
    """`audit verify` or `history` reading a snapshot while the bot keeps writing."""
    with Store(StoreConfig(url, TEST_KEY, busy_timeout_ms=500)) as store:
        chat = store.start_conversation(store.ensure_user("console", "heidi"), "tty")
        with reader(store.engine).connect() as snapshot:
            snapshot.begin()
            before = snapshot.execute(text("SELECT count(*) FROM turns")).scalar_one()
            store.add_turn(chat, "still there?", "yes")  # would time out behind a write lock
            assert [t.answer for t in store.history(chat)] == ["yes"]
            assert before == 0
