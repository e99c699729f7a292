"""Less in Redis, told as a conversation on the Celery runner: Dana sends two phone photos
(a camera serial and a GPS position in their EXIF), gets her decision and heatmaps, starts a
second comparison and sends /forget while its heatmaps run.

- the jobs waiting in Redis carry pixels (a PNG with no metadata chunk), never the photo's
  bytes or its EXIF;
- once a reply is delivered its job keeps no result (no task result, a small outcome record);
- notes of awaited jobs name Dana by pseudonym only;
- after /forget a SCAN of the namespace finds nothing of hers, the store has no row of hers
  and the audit chain still verifies.

Real parts: a ``facexplain worker`` with the real face models (a tiny saliency grid), Redis,
and a PostgreSQL store brought to head by Alembic.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sqlalchemy import text

from bot.dialogue import Dialogue, DialogueConfig
from bot.dialogue.png_photo import PngPhoto, decode_png
from bot.jobs.celery_client import UNQUEUED_RECORD_S
from bot.messages import ImageReply, Photo, VerificationReply
from bot.store.repository import Store
from core.image_input import DEFAULT_LIMITS, decode_image
from tests.bot.dialogue_helpers import GENUINE, GENUINE_2, Chat, texts_of
from tests.conftest import lfw_image, needs_shared
from tests.databases import SKIP_ENV, postgres_skipped
from tests.scale.cluster import wait_for
from tests.scale.conftest import OnPostgres
from tests.scale.redis_scan import (
    job_messages,
    jpeg_with_exif,
    kind_of,
    namespace,
    outcome_kinds,
    png_chunks,
    task_results,
)

pytest.importorskip("celery")
pytestmark = [pytest.mark.redis, pytest.mark.postgres, needs_shared,
              pytest.mark.skipif(postgres_skipped(), reason=f"{SKIP_ENV}=1")]
QUICK_HELD = "tests.scale.jobs:quick_held_engines"  # real models, a tiny saliency grid, holds
CAMERA = b"SecretCam-SN-7731"
# What /forget leaves in Redis, none of it hers: Celery's queue bindings, and per job (named by
# a random id) its attempt counter, its outcome record with no result and its task state
LEFT_BY_DESIGN = {"binding", "attempts", "outcome", "task state"}
STORE_TABLES = ("users", "conversations", "comparisons", "turns", "reviews", "kept_images",
                "sessions", "audit_subjects")


def phone_photo(name: str, number: int, latitude: float) -> Photo:
    data = jpeg_with_exif(lfw_image(name, number), CAMERA.decode(), (latitude, 31.0, 12.5))
    return Photo(data, f"IMG_{number:04d}.jpg", "image/jpeg")


def assert_pixels_only(message: dict[str, Any], photo: Photo) -> np.ndarray:
    """The job carries the pixels as a PNG with no metadata chunk (IHDR, IDAT, IEND only);
    neither the photo's bytes nor its EXIF are anywhere in the message (body or headers)."""
    carried = message["args"][2]
    png = carried[1] if isinstance(carried, tuple) else carried  # verify: (first, photo)
    assert isinstance(png, PngPhoto) and png_chunks(png.png) == ["IHDR", "IDAT", "IEND"]
    for blob in (message["raw"], message["body"]):
        assert CAMERA not in blob and b"Exif" not in blob
        assert photo.data[-4096:-16] not in blob  # not even the compressed picture
    pixels = decode_png(png, DEFAULT_LIMITS)
    assert np.array_equal(pixels, decode_image(photo.data))  # lossless
    return pixels


def assert_nothing_of_hers(left: dict[str, list[bytes]], store: Store, who: str) -> None:
    """After /forget: no key or value of the namespace names Dana or holds her photo's camera,
    what is left is small records with no result, the store has no row of hers and the audit
    chain still verifies."""
    for name, values in left.items():
        for blob in (name.encode(), *values):
            for personal in (who.encode(), b"dana-4242", b"chat-4242", CAMERA):
                assert personal not in blob, name
    assert not [k for k in left if ":awaited:" in k]  # no note
    assert set(outcome_kinds(left).values()) <= {"error"}  # no result: small records only
    assert set(task_results(left).values()) <= {"ok", "error"}  # a job's kind, no result
    assert {kind_of(k) for k in left} <= LEFT_BY_DESIGN, sorted(left)
    with store.engine.connect() as db:
        for table in STORE_TABLES:
            assert db.execute(text(f"SELECT count(*) FROM {table}")).scalar_one() == 0, table
        events = db.execute(text("SELECT payload FROM audit_events")).scalars().all()
    assert events and not [e for e in events if who in str(e) or "dana-4242" in str(e)]
    assert store.verify_audit().ok


def dana_on(ground: OnPostgres) -> tuple[Dialogue, Chat, str]:
    """Dana's dialogue on the Celery runner (no QA engine), her chat, and her pseudonym."""
    talk = Dialogue(ground.runner, ground.store, None,  # type: ignore[arg-type]
                    DialogueConfig(consent="on_first_photo"))
    return (talk, Chat(talk, "dana-4242", chat="chat-4242", platform="telegram"),
            ground.store.user_ref("telegram", "dana-4242"))


async def test_forget_leaves_nothing_in_redis_or_the_store_and_a_valid_audit_chain(
        on_postgres: OnPostgres, queue: str, markers: Path, tmp_path: Path) -> None:
    hold, hold_explain = tmp_path / "hold", tmp_path / "hold-explain"
    workers, store, client = on_postgres.workers, on_postgres.store, on_postgres.client
    workers.settings.update(TEST_HOLD=str(hold), TEST_HOLD_EXPLAIN=str(hold_explain))
    talk, dana, who = dana_on(on_postgres)
    try:
        first = phone_photo(*GENUINE[0], latitude=52.0)
        sending = asyncio.create_task(dana.photos(first))  # no worker yet: the job waits
        await asyncio.to_thread(wait_for, lambda: job_messages(client, queue), 30,
                                "the first photo's job in Redis")
        queued = assert_pixels_only(job_messages(client, queue)[0], first)
        assert queued.shape[:2] == (250, 250)  # the whole photo, decoded once, by the bot

        worker = workers.start("faces", context=QUICK_HELD)
        await asyncio.to_thread(worker.wait_ready, 90)
        assert any(t.startswith("Got it") for t in texts_of(await sending))

        hold.touch()  # the worker holds the second photo's job, still unacknowledged
        second = phone_photo(*GENUINE[1], latitude=48.0)
        sending = asyncio.create_task(dana.photos(second))
        await asyncio.to_thread(wait_for, lambda: any(markers.glob("held-*")), 30,
                                "the second photo's job to start")
        taken = job_messages(client, queue)
        assert len(taken) == 1
        assert_pixels_only(taken[0], second)
        notes = [v for k, vs in namespace(client, queue).items() if ":awaited:" in k for v in vs]
        assert len(notes) == 1 and who.encode() in notes[0]  # named by pseudonym
        assert b"dana-4242" not in notes[0] and b"chat-4242" not in notes[0]
        hold.unlink()
        replies = await sending
        assert [r for r in replies if isinstance(r, VerificationReply)]
        assert [r for r in replies if isinstance(r, ImageReply)]  # the heatmaps

        delivered = namespace(client, queue)
        assert not [k for k in delivered if "celery-task-meta" in k]  # no task results
        assert set(outcome_kinds(delivered).values()) == {"error"}  # no job keeps a result
        assert not [k for k in delivered if ":awaited:" in k]

        hold_explain.touch()  # a second comparison; /forget while its heatmaps run
        await dana.photos(phone_photo(*GENUINE_2[0], latitude=40.0))
        talk_task = asyncio.create_task(dana.photos(phone_photo(*GENUINE_2[1], latitude=41.0)))
        await asyncio.to_thread(wait_for, lambda: any(markers.glob("explaining-*")), 30,
                                "the second heatmaps to start")
        forgot = await dana.say("/forget")
        assert texts_of(forgot) and "deleted" in texts_of(forgot)[-1].lower()
        hold_explain.unlink()  # the heatmaps finish after /forget: their result never lands
        await talk_task
        await asyncio.to_thread(wait_for, lambda: not job_messages(client, queue), 30,
                                "the worker to finish the heatmaps")
        await talk.idle()

        assert_nothing_of_hers(namespace(client, queue), store, who)
    finally:
        for path in (hold, hold_explain):
            path.unlink(missing_ok=True)
        await talk.close()


async def test_forget_takes_her_waiting_job_off_the_queue_with_its_records(
        on_postgres: OnPostgres, queue: str) -> None:
    """Only a decisions worker runs, so Dana's heatmaps wait in the background queue, her
    aligned faces in the message; /forget takes the message off the queue, her awaiting
    conversation ends at once, and within seconds no key names the job."""
    workers, store, client = on_postgres.workers, on_postgres.store, on_postgres.client
    talk, dana, who = dana_on(on_postgres)
    try:
        worker = workers.start("decisions", context=QUICK_HELD, lanes="decisions")
        await asyncio.to_thread(worker.wait_ready, 90)
        await dana.photos(phone_photo(*GENUINE[0], latitude=52.0))
        second = phone_photo(*GENUINE[1], latitude=48.0)
        sending = asyncio.create_task(dana.photos(second))
        background = f"{queue}:{queue}.background"
        await asyncio.to_thread(wait_for, lambda: client.llen(background), 30, "the heatmaps job")
        waiting = job_messages(client, queue)
        assert len(waiting) == 1 and waiting[0]["args"][1].endswith("explain_job")
        faces = waiting[0]["body"]  # her decision, with both aligned faces as pixels
        job_id = waiting[0]["headers"]["id"]

        forgot = await dana.say("/forget")
        assert texts_of(forgot) and "deleted" in texts_of(forgot)[-1].lower()
        assert not job_messages(client, queue)  # taken off the queue: no pixels in Redis
        await asyncio.wait_for(sending, 5)  # her conversation stopped waiting for it
        await talk.idle()
        await asyncio.to_thread(  # the job's small record, there for bots awaiting it
            wait_for, lambda: not list(client.scan_iter(match=f"*{job_id}*")),
            UNQUEUED_RECORD_S + 5, "the forgotten job's record to expire")
        left = namespace(client, queue)
        assert not [k for k, vs in left.items() for v in vs if faces[-4096:] in v]
        assert_nothing_of_hers(left, store, who)
    finally:
        await talk.close()
