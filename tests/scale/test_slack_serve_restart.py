"""``facexplain serve slack`` restarts between the heatmaps and the follow-ups: a process of its
own in HTTP mode (real face models and QA engine, a SQLite store made by Alembic) against the
fake Slack. Ann compares two photos in a channel thread; the process is stopped with SIGTERM,
a new one answers "why?", "and the chin?" and "explain" in that thread from the stored
comparison; that one is killed with SIGKILL (nothing closed), and a third answers again."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy import create_engine, text

from bot.dialogue import texts
from tests.adapters.fake_slack import FakeSlack
from tests.adapters.slack_world import GENUINE, lfw_jpeg
from tests.conftest import needs_shared
from tests.scale.made_up_calibration import calibrate_with_made_up_scores
from tests.scale.slack_serve import (
    ServeSlack,
    answer,
    free_port,
    mention,
    posted,
    uploads,
    wait_until,
)

pytestmark = needs_shared


async def test_follow_ups_after_sigterm_and_sigkill_are_answered_from_the_store(
        tmp_path: Path) -> None:
    calibrate_with_made_up_scores(tmp_path / "data")
    database = f"sqlite:///{tmp_path / 'store.db'}"
    fake = await FakeSlack().start()
    serve = ServeSlack.on_threads(fake, tmp_path / "data", database, free_port())
    try:
        await asyncio.to_thread(serve.start)
        thread = await mention(serve.endpoint, "agree")
        await wait_until(lambda: texts.CONSENT_THANKS in posted(fake, thread), 30, "consent")
        await mention(serve.endpoint, "same person?", thread, files=[
            fake.host_file(lfw_jpeg(*GENUINE[0]), "one.jpg", "image/jpeg"),
            fake.host_file(lfw_jpeg(*GENUINE[1]), "two.jpg", "image/jpeg")])
        await wait_until(lambda: uploads(fake, thread, "heatmaps")
                         and uploads(fake, thread, texts.TABLE_TITLE), 120, "the heatmaps")
        engine = create_engine(database)
        with engine.connect() as db:  # stored with its tables before Ann reads the heatmaps
            explained = "SELECT count(*) FROM comparisons WHERE tables IS NOT NULL"
            await wait_until(lambda: db.execute(text(explained)).scalar_one() == 1, 10, "it")
        engine.dispose()
        [collage] = uploads(fake, thread, "heatmaps")
        await asyncio.to_thread(serve.stop_within_grace, 10)

        await asyncio.to_thread(serve.start)  # the restart: nothing in memory
        why = await answer(fake, serve.endpoint, thread, "why?", "threshold")
        chin = await answer(fake, serve.endpoint, thread, "and the chin?", "chin")
        await mention(serve.endpoint, "explain", thread)
        await wait_until(lambda: len(uploads(fake, thread, "heatmaps")) == 2, 30, "the collage")
        assert uploads(fake, thread, "heatmaps")[1] == collage
        serve.kill()  # SIGKILL: no clean-up at all

        await asyncio.to_thread(serve.start)
        again = await answer(fake, serve.endpoint, thread, "and the chin?", "chin")
        await mention(serve.endpoint, "table", thread)
        await wait_until(lambda: len(uploads(fake, thread, texts.TABLE_TITLE)) == 2, 30, "the table")
        assert why and chin and again
        lost = (texts.NO_PHOTOS_YET, texts.NO_COMPARISON, texts.FIRST_LOST)
        assert not any(t.startswith(lost) or "went wrong" in t for t in posted(fake, thread))
        assert len([t for t in posted(fake, thread) if "Decision: " in t]) == 1
        assert (await asyncio.to_thread(serve.stop))[0] == 0
    finally:
        serve.kill()
        await fake.stop()
