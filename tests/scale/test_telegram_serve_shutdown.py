"""``facexplain serve telegram`` gets SIGTERM while the heatmaps run (issue 15.6), on the
default runner (worker processes): it stops taking updates, delivers what finishes within
``FACEXPLAIN_SHUTDOWN_GRACE_S`` while the Bot API client is still open, and exits within the
grace + 5 s with no delivery error. Heatmaps that finish in the grace are delivered once, by
the stopping process (the restart sends them again only on /explain); heatmaps cut off by the
grace cannot be resumed (photos and templates are never stored), and the restart says so."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.dialogue import texts
from tests.adapters.fake_telegram import FakeTelegram
from tests.adapters.telegram_person import GENUINE, lfw_bytes
from tests.conftest import needs_shared
from tests.scale.made_up_calibration import calibrate_with_made_up_scores
from tests.scale.telegram_serve import ServeTelegram, Writer

pytestmark = needs_shared


async def heatmaps_running(kai: Writer) -> None:
    """Consent, two photos, the decision; returns once the heatmaps are being made."""
    kai.say("/agree")
    await kai.wait(lambda: texts.CONSENT_THANKS in kai.texts(), "the consent", 30)
    kai.send_photo(lfw_bytes(*GENUINE[0]))
    kai.send_photo(lfw_bytes(*GENUINE[1]))
    await kai.wait(lambda: texts.EXPLAINING in kai.texts(), "the heatmaps to start", 60)


async def test_heatmaps_finishing_in_the_grace_are_delivered_once_before_the_exit(
        tmp_path: Path) -> None:
    calibrate_with_made_up_scores(tmp_path / "data")
    database = f"sqlite:///{tmp_path / 'store.db'}"
    async with FakeTelegram() as fake:
        serve = ServeTelegram(fake, tmp_path / "data", database, job_workers="1",
                              shutdown_grace_s="30")
        kai = Writer(fake, 5201, "Kai")
        try:
            await asyncio.to_thread(serve.start)
            await heatmaps_running(kai)
            assert not kai.collages()
            signalled = await asyncio.to_thread(serve.stop_within_grace, 30)
            [sent] = [r for r in kai.seen() if r.method == "sendPhoto"]
            assert sent.at > signalled  # made and delivered after SIGTERM, before the exit
            assert len(kai.tables()) == 1
            [collage] = kai.collages()

            await asyncio.to_thread(serve.start)
            why = await kai.answer("why?", "threshold")
            assert why and len(kai.collages()) == 1  # the restart does not send them again
            kai.say("/explain")
            await kai.wait(lambda: len(kai.collages()) == 2, "the collage on /explain", 30)
            assert kai.collages()[1] == collage
            assert len([t for t in kai.texts() if t.startswith("Decision")]) == 1
            assert (await asyncio.to_thread(serve.stop))[0] == 0
        finally:
            serve.kill()


async def test_heatmaps_cut_off_by_the_grace_are_reported_by_the_restart(
        tmp_path: Path) -> None:
    calibrate_with_made_up_scores(tmp_path / "data")
    database = f"sqlite:///{tmp_path / 'store.db'}"
    async with FakeTelegram() as fake:
        # the paper's saliency grid: heatmaps that take far longer than the grace
        serve = ServeTelegram(fake, tmp_path / "data", database, job_workers="1",
                              shutdown_grace_s="2", saliency_profile="paper")
        kai = Writer(fake, 5202, "Kai")
        try:
            await asyncio.to_thread(serve.start)
            await heatmaps_running(kai)
            await asyncio.to_thread(serve.stop_within_grace, 2)
            assert not kai.collages()

            await asyncio.to_thread(serve.start)
            kai.say("/explain")
            await kai.wait(lambda: texts.HEATMAPS_INTERRUPTED in kai.texts(), "the notice", 30)
            why = await kai.answer("why?", "threshold")
            assert why and not kai.collages()
            assert len([t for t in kai.texts() if t.startswith("Decision")]) == 1
            assert (await asyncio.to_thread(serve.stop))[0] == 0
        finally:
            serve.kill()
