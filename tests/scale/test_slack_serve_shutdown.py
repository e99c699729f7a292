"""``facexplain serve slack --http`` gets SIGTERM while the heatmaps run (issue 15.6), on the
default runner (worker processes): it stops taking events, delivers what finishes within
``FACEXPLAIN_SHUTDOWN_GRACE_S`` while the Web API client is still open, and exits within the
grace + 5 s with no delivery error. Heatmaps that finish in the grace are uploaded once, by
the stopping process (the restart uploads them again only on "explain"); heatmaps cut off by
the grace cannot be resumed (photos and templates are never stored), and the restart says so.
The Telegram side: ``test_telegram_serve_shutdown.py``."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.dialogue import texts
from tests.adapters.fake_slack import FakeSlack
from tests.adapters.slack_world import GENUINE, lfw_jpeg
from tests.conftest import needs_shared
from tests.scale.made_up_calibration import calibrate_with_made_up_scores
from tests.scale.serve_process import serve_env
from tests.scale.slack_serve import (
    SLACK_SETTINGS,
    ServeSlack,
    answer,
    free_port,
    mention,
    posted,
    upload_calls,
    uploads,
    wait_until,
)

pytestmark = needs_shared
HEATMAPS = "heatmaps"  # the collage's title starts so


def serve_slack(fake: FakeSlack, tmp_path: Path, **settings: str) -> ServeSlack:
    """One process on the default runner (one worker process), a SQLite store."""
    calibrate_with_made_up_scores(tmp_path / "data")
    env = serve_env(tmp_path / "data", f"sqlite:///{tmp_path / 'store.db'}", job_workers="1",
                    **SLACK_SETTINGS, **settings)
    return ServeSlack(fake, env, free_port())


async def heatmaps_running(fake: FakeSlack, endpoint: str) -> str:
    """Consent, two photos, the decision; the thread's ts once the heatmaps are being made."""
    thread = await mention(endpoint, "agree")
    await wait_until(lambda: texts.CONSENT_THANKS in posted(fake, thread), 30, "the consent")
    await mention(endpoint, "same person?", thread, files=[
        fake.host_file(lfw_jpeg(*GENUINE[0]), "one.jpg", "image/jpeg"),
        fake.host_file(lfw_jpeg(*GENUINE[1]), "two.jpg", "image/jpeg")])
    await wait_until(lambda: texts.EXPLAINING in posted(fake, thread), 60,
                     "the heatmaps to start")
    return thread


def decisions(fake: FakeSlack, thread: str) -> list[str]:
    return [t for t in posted(fake, thread) if "Decision: " in t]


async def test_heatmaps_finishing_in_the_grace_are_uploaded_once_before_the_exit(
        tmp_path: Path) -> None:
    fake = await FakeSlack().start()
    serve = serve_slack(fake, tmp_path, shutdown_grace_s="30")
    try:
        await asyncio.to_thread(serve.start)
        thread = await heatmaps_running(fake, serve.endpoint)
        assert not uploads(fake, thread, HEATMAPS)
        signalled = await asyncio.to_thread(serve.stop_within_grace, 30)
        [sent] = upload_calls(fake, thread, HEATMAPS)
        assert sent.at > signalled  # made and uploaded after SIGTERM, before the exit
        assert len(uploads(fake, thread, texts.TABLE_TITLE)) == 1
        [collage] = uploads(fake, thread, HEATMAPS)

        await asyncio.to_thread(serve.start)
        why = await answer(fake, serve.endpoint, thread, "why?", "threshold")
        assert why and len(uploads(fake, thread, HEATMAPS)) == 1  # not uploaded again
        await mention(serve.endpoint, "explain", thread)
        await wait_until(lambda: len(uploads(fake, thread, HEATMAPS)) == 2, 30,
                         "the collage on explain")
        assert uploads(fake, thread, HEATMAPS)[1] == collage
        assert len(decisions(fake, thread)) == 1
        assert (await asyncio.to_thread(serve.stop))[0] == 0
    finally:
        serve.kill()
        await fake.stop()


async def test_heatmaps_cut_off_by_the_grace_are_reported_by_the_restart(
        tmp_path: Path) -> None:
    fake = await FakeSlack().start()
    # the paper's saliency grid: heatmaps that take far longer than the grace
    serve = serve_slack(fake, tmp_path, shutdown_grace_s="2", saliency_profile="paper")
    try:
        await asyncio.to_thread(serve.start)
        thread = await heatmaps_running(fake, serve.endpoint)
        await asyncio.to_thread(serve.stop_within_grace, 2)
        assert not uploads(fake, thread, HEATMAPS)

        await asyncio.to_thread(serve.start)
        await mention(serve.endpoint, "explain", thread)
        await wait_until(lambda: texts.HEATMAPS_INTERRUPTED in posted(fake, thread), 30,
                         "the notice")
        why = await answer(fake, serve.endpoint, thread, "why?", "threshold")
        assert why and not uploads(fake, thread, HEATMAPS)
        assert not uploads(fake, thread, texts.TABLE_TITLE)
        assert len(decisions(fake, thread)) == 1
        assert (await asyncio.to_thread(serve.stop))[0] == 0
    finally:
        serve.kill()
        await fake.stop()
