"""``facexplain serve telegram`` restarts between the heatmaps and the follow-ups: a process
of its own in long polling (real face models and QA engine, a SQLite store made by Alembic)
against the fake Bot API server. Kai compares two photos; the process is stopped with SIGTERM,
a new one answers "why?", "and the chin?" and /explain (the same collage) from the stored
comparison; that one is killed with SIGKILL (nothing closed, its last updates unconfirmed), and
a third answers /table and a follow-up. Exactly one decision throughout."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy import create_engine, text

from bot.dialogue import texts
from tests.adapters.fake_telegram import FakeTelegram
from tests.adapters.telegram_person import GENUINE, lfw_bytes
from tests.conftest import needs_shared
from tests.scale.made_up_calibration import calibrate_with_made_up_scores
from tests.scale.telegram_serve import ServeTelegram, Writer

pytestmark = needs_shared
GRACE_S = 10
LOST = (texts.NO_PHOTOS_YET, texts.NO_COMPARISON, texts.FIRST_LOST, texts.HEATMAPS_INTERRUPTED)


def stored_tables(database: str) -> int:
    engine = create_engine(database)
    try:
        with engine.connect() as db:
            found: int = db.execute(text(
                "SELECT count(*) FROM comparisons WHERE tables IS NOT NULL")).scalar_one()
            return found
    finally:
        engine.dispose()


async def compared(kai: Writer) -> None:
    """Consent, two photos, the decision, the heatmaps and the table."""
    kai.say("/agree")
    await kai.wait(lambda: texts.CONSENT_THANKS in kai.texts(), "the consent", 30)
    kai.send_photo(lfw_bytes(*GENUINE[0]))
    kai.send_photo(lfw_bytes(*GENUINE[1]))
    await kai.wait(lambda: kai.collages() and kai.tables(), "the heatmaps", 120)


async def test_follow_ups_after_sigterm_and_sigkill_are_answered_from_the_store(
        tmp_path: Path) -> None:
    calibrate_with_made_up_scores(tmp_path / "data")
    database = f"sqlite:///{tmp_path / 'store.db'}"
    async with FakeTelegram() as fake:
        serve = ServeTelegram(fake, tmp_path / "data", database, job_runner="threads",
                              job_workers="1", shutdown_grace_s=str(GRACE_S))
        kai = Writer(fake, 5101, "Kai")
        try:
            await asyncio.to_thread(serve.start)
            await compared(kai)
            await kai.wait(lambda: stored_tables(database) == 1, "the stored tables", 10)
            [collage] = kai.collages()
            status, took = await asyncio.to_thread(serve.stop)
            assert status == 0 and took < GRACE_S + 5, (status, took, serve.output)

            await asyncio.to_thread(serve.start)  # the restart: nothing in memory
            why = await kai.answer("why?", "threshold")
            chin = await kai.answer("and the chin?", "chin")
            kai.say("/explain")
            await kai.wait(lambda: len(kai.collages()) == 2, "the collage again", 30)
            assert kai.collages()[1] == collage
            serve.kill()  # SIGKILL: no clean-up, the last updates not even confirmed

            await asyncio.to_thread(serve.start)
            kai.say("/table")
            await kai.wait(lambda: len(kai.tables()) == 2, "the table again", 30)
            again = await kai.answer("and the chin?", "chin")
            assert why and chin and again == chin
            said = kai.texts()
            assert not [t for t in said if t.startswith(LOST) or "went wrong" in t]
            assert len([t for t in said if t.startswith("Decision")]) == 1
            assert len(kai.collages()) == 2 and len(kai.tables()) == 2  # nothing twice
            assert (await asyncio.to_thread(serve.stop))[0] == 0
        finally:
            serve.kill()
