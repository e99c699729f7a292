"""``facexplain worker`` with the real face models (its default context): the dialogue's own
jobs, their payloads and results pickled through Redis."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from bot.dialogue import Dialogue, DialogueConfig
from bot.dialogue.work import prepare_job, verify_job
from bot.messages import ConversationKey, PhotoMessage, VerificationReply
from bot.store.config import StoreConfig
from bot.store.repository import open_store
from tests.bot.dialogue_helpers import GENUINE, photo, texts_of
from tests.conftest import MODELS, lfw_image, needs_shared
from tests.databases import TEST_KEY
from tests.scale.cluster import Cluster, wait_for
from tests.scale.made_up_calibration import calibrate_with_made_up_scores

pytest.importorskip("celery")  # the scale extra; Redis itself is expected up
pytestmark = [pytest.mark.redis, needs_shared]
HELD = "tests.scale.jobs:held_engines"  # the real engines, able to wait mid-job


async def test_a_worker_with_the_face_models_checks_a_photo_then_compares_the_pair(
        redis_url: str, queue: str, markers: Path, runner: Any, tmp_path: Path) -> None:
    calibrate_with_made_up_scores(tmp_path / "data")
    faces = Cluster(redis_url, queue, markers, MODEL_DIR=str(MODELS),
                    DATA_DIR=str(tmp_path / "data"))
    try:
        faces.start("faces", context=None).wait_ready()
        first = await runner.run(prepare_job, lfw_image("Abel_Pacheco", 1).read_bytes())
        assert first.report.faces_found == 1 and first.embedding.shape == (128,)

        second = lfw_image("Abel_Pacheco", 4).read_bytes()
        verified = await runner.run(verify_job, (first, second))
        comparison = verified.comparison
        assert comparison.faces["A"].faces_found == comparison.faces["B"].faces_found == 1
        assert comparison.same_person and comparison.score > comparison.threshold
    finally:
        faces.stop()


async def test_a_worker_killed_while_comparing_a_pair_still_gives_the_user_one_decision(
        redis_url: str, queue: str, markers: Path, runner: Any, tmp_path: Path) -> None:
    calibrate_with_made_up_scores(tmp_path / "data")
    hold = tmp_path / "hold"
    faces = Cluster(redis_url, queue, markers, MODEL_DIR=str(MODELS),
                    DATA_DIR=str(tmp_path / "data"), TEST_HOLD=str(hold))
    store = open_store(StoreConfig(url=f"sqlite:///{tmp_path / 'store.db'}",
                                   pseudonym_key=TEST_KEY))
    dialogue = Dialogue(runner, store, answerer=None,  # type: ignore[arg-type]  (no questions)
                        config=DialogueConfig(consent="on_first_photo", explain=False))
    alice = ConversationKey("console", "terminal", "alice")
    try:
        doomed = faces.start("doomed", context=HELD).wait_ready()
        first = await dialogue.replies(PhotoMessage(alice, (photo(*GENUINE[0]),)))
        assert texts_of(first)[-1] == "Got it: I found a face. Now send the second photo."

        hold.touch()  # the next photo waits in the worker, mid-job
        second = asyncio.create_task(
            dialogue.replies(PhotoMessage(alice, (photo(*GENUINE[1]),))))
        await asyncio.to_thread(wait_for, lambda: any(markers.glob("held-*")), 30, "the job")
        survivor = faces.start("survivor", context=HELD).wait_ready()
        doomed.kill()
        hold.unlink()

        replies = await asyncio.wait_for(second, 90)
        decisions = [r for r in replies if isinstance(r, VerificationReply)]
        assert len(decisions) == 1 and decisions[0].same_person  # one decision, no error
        assert texts_of(replies, "error") == []
        assert len(list(markers.glob("context-*"))) == 2  # one per worker process
        assert survivor.process.poll() is None
        with store.engine.connect() as db:
            assert db.execute(text("SELECT count(*) FROM comparisons")).scalar_one() == 1
    finally:
        await dialogue.close()
        store.close()
        faces.stop()
