"""The Slack assistant restarts while a user's comparison runs on a Celery worker: the new
assistant delivers the decision and the heatmaps into the same direct message, each exactly
once.

Real parts as in ``test_bot_restart``: a ``facexplain worker`` subprocess with the real face
models, Redis, a SQLite store, and the real slack-bolt app over Socket Mode against the fake
Slack. A crash stops the assistant's event loop dead, as when its process is killed.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

import pytest

from adapters.slack.app import SlackAssistant
from adapters.slack.serve import start_socket_mode
from bot.dialogue import Dialogue, DialogueConfig, texts
from bot.platform_settings import SlackSettings
from bot.store.repository import Store
from tests.adapters.fake_slack import APP_TOKEN, BOT_TOKEN, Call, FakeSlack
from tests.adapters.slack_world import DM, GENUINE, lfw_jpeg
from tests.conftest import needs_shared
from tests.scale.cluster import wait_for
from tests.scale.conftest import celery_runner
from tests.scale.held_job import assert_stored_once_with_tables, held_job
from tests.scale.own_loop import OwnLoop
from tests.scale.slack_serve import wait_until

pytest.importorskip("celery")
pytestmark = [pytest.mark.redis, needs_shared]
QUICK_HELD = "tests.scale.jobs:quick_held_engines"  # real models, a tiny saliency grid, a hold
DANA = "UDANA"


class AssistantProcess(OwnLoop):
    """One run of ``facexplain serve slack`` (assistant + dialogue + Celery runner, Socket
    Mode) on its own event loop."""

    def __init__(self, fake: FakeSlack, store: Store, redis_url: str, queue: str) -> None:
        super().__init__()
        self.fake, self.store, self.redis_url, self.queue = fake, store, redis_url, queue

    async def start(self) -> int:
        """Start as ``serve`` does; returns how many jobs it recovered."""
        async def boot() -> int:
            self.runner = celery_runner(self.redis_url, self.queue)
            self.dialogue = Dialogue(self.runner, self.store, answerer=None,  # type: ignore[arg-type]
                                     config=DialogueConfig(consent="on_first_photo"))
            config = SlackSettings(bot_token=BOT_TOKEN, app_token=APP_TOKEN,
                                 api_url=self.fake.api_url, progress_interval_s=0.0)
            self.assistant = SlackAssistant(self.dialogue, config)
            await self.runner.start()
            found = await self.assistant.recover()
            self.socket = await start_socket_mode(self.assistant)
            return found

        return await self._on_loop(boot())

    async def idle(self) -> None:
        await self._on_loop(self.assistant.idle())

    def leftovers(self) -> list[Coroutine[Any, Any, Any]]:
        return [self.runner.close(), self.assistant.close(),
                asyncio.wait_for(self.socket.close_async(), 10)]  # type: ignore[no-untyped-call]

    async def stop(self) -> None:
        async def shut_down() -> None:
            await self.socket.close_async()  # type: ignore[no-untyped-call]
            await self.assistant.idle()
            await self.assistant.close()
            await self.dialogue.close()
            await self.runner.close()

        await self.stop_with(shut_down())


def direct_message(user: str, files: list[dict[str, Any]], stamp: int) -> dict[str, Any]:
    event = {"type": "message", "channel_type": "im", "user": user, "text": "",
             "channel": DM, "ts": f"1700000100.{stamp:06d}", "team": "T0FAKE",
             "files": files, "subtype": "file_share"}
    return {"token": "unused", "team_id": "T0FAKE", "api_app_id": "AFAKE",
            "type": "event_callback", "event": event, "event_id": f"EvRestart{stamp:04d}",
            "event_time": 1700000100}


def decisions(fake: FakeSlack) -> list[Call]:
    return [c for c in fake.to("chat.postMessage", channel=DM)
            if "Decision: " in c.args.get("text", "")]


def collages(fake: FakeSlack) -> list[Call]:
    return [c for c in fake.to("files.completeUploadExternal", channel_id=DM)
            if json.loads(c.args["files"])[0].get("title", "").startswith("heatmaps")]


@pytest.mark.parametrize("in_flight", ["comparison", "heatmaps"])
async def test_the_assistant_restarts_while_a_job_runs_and_the_new_one_answers_once(
        in_flight: str, redis_url: str, queue: str, markers: Path, tmp_path: Path) -> None:
    ground = held_job(in_flight, redis_url, queue, markers, tmp_path)
    hold, held, faces, store = ground.hold, ground.started, ground.workers, ground.store
    fake = await FakeSlack().start()
    running: list[AssistantProcess] = []
    dead: list[AssistantProcess] = []
    try:
        worker = faces.start("faces", context=QUICK_HELD)
        await asyncio.to_thread(worker.wait_ready, 90)

        def texts_in_dm() -> list[str]:
            return [c.args.get("text", "") for c in fake.to("chat.postMessage", channel=DM)]

        first = AssistantProcess(fake, store, redis_url, queue)
        running.append(first)
        assert await first.start() == 0  # nothing in flight yet
        await fake.connected()
        await fake.push(direct_message(DANA, [fake.host_file(
            lfw_jpeg(*GENUINE[0]), "one.jpg", "image/jpeg")], 1))
        await wait_until(lambda: any(t.startswith("Got it") for t in texts_in_dm()), 60,
                         "the first photo to be checked")

        hold.touch()  # the job of the second photo (or its heatmaps) waits on the worker
        await fake.push(direct_message(DANA, [fake.host_file(
            lfw_jpeg(*GENUINE[1]), "two.jpg", "image/jpeg")], 2))
        await asyncio.to_thread(wait_for, lambda: any(markers.glob(held)), 30,
                                f"the {in_flight} to start on the worker")
        first.crash()  # the assistant dies while the job runs
        running.remove(first)
        dead.append(first)
        assert len(decisions(fake)) == (0 if in_flight == "comparison" else 1)
        assert collages(fake) == []

        second = AssistantProcess(fake, store, redis_url, queue)
        running.append(second)
        assert await second.start() == 1  # the job the first assistant awaited
        hold.unlink()  # the job finishes
        await wait_until(lambda: len(collages(fake)) >= 1, 60, "the heatmaps")
        await second.idle()

        transcript = texts_in_dm()
        assert len(decisions(fake)) == 1, transcript
        assert "Decision: SAME PERSON" in decisions(fake)[0].args["text"]
        assert decisions(fake)[0].args.get("thread_ts") is None  # the DM's top level
        [collage] = collages(fake)
        assert collage.args.get("thread_ts") is None
        assert collage.args["initial_comment"] == texts.COLLAGE_CAPTION
        assert fake.calls.index(decisions(fake)[0]) < fake.calls.index(collage)
        assert not any("went wrong" in t or "try again" in t.lower() for t in transcript)
        assert_stored_once_with_tables(store)  # its tables by the new assistant
    finally:
        for process in running:
            await process.stop()
        for process in dead:
            await process.bury()
        await fake.stop()
        store.close()
        faces.stop()
