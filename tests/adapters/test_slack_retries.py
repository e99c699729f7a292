"""Transient Slack errors retried with bounded backoff and jitter (``adapters.slack.retries``),
against the fake Slack's injected failures: a 502 or a hang on the upload URL of
``files_upload_v2``, a 5xx on a Web API call and on a file download are tried again and the
reply arrives once; past the tries the user gets one clear message, and the conversation goes
on."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from adapters.slack.download import DownloadFailed
from adapters.slack.outgoing import UPLOAD_FAILED
from adapters.slack.retries import BACKOFF_MAX_S, BoundedBackoff
from bot.dialogue import texts
from tests.adapters.fake_slack import Call
from tests.adapters.slack_world import DM, SlackWorld, header, open_world, said
from tests.fakes import fake_service, fake_settings, person_photo

ANA = "UANA"


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[SlackWorld]:
    """The fakes' world (no ../shared), with a 1 s client time-out so a hang is quick."""
    service = fake_service(tmp_path, consent="on_first_photo")
    async for opened in open_world(fake_settings(tmp_path), tmp_path, service, api_timeout_s=1):
        yield opened


async def compare(world: SlackWorld) -> None:
    shared = [world.fake.host_file(person_photo(3, 1), "a.jpg", "image/jpeg"),
              world.fake.host_file(person_photo(3, 4), "b.jpg", "image/jpeg")]
    assert await world.http_event(world.message(ANA, "", files=shared)) == 200
    await world.settle()


def collages(world: SlackWorld) -> list[Call]:
    return [c for c in world.fake.to("files.completeUploadExternal", channel_id=DM)
            if json.loads(c.args["files"])[0]["title"].startswith("heatmaps")]


def decisions(world: SlackWorld) -> list[str]:
    return [header(p) for p in world.posts() if header(p).startswith(":white_check_mark:")]


def test_the_backoff_is_bounded_and_jittered() -> None:
    backoff = BoundedBackoff()
    waits = [backoff.calculate_sleep_duration(n) for n in range(8) for _ in range(20)]
    assert min(waits) >= 0.5 and max(waits) <= BACKOFF_MAX_S * 1.5
    first = waits[:20]
    assert max(first) <= 0.75 and len({round(w, 3) for w in first}) > 1  # jitter


# the hang's late answer would be a 400 (never retried): only the time-out can save it
@pytest.mark.parametrize("fault", [{"status": 502}, {"status": 400, "hang_s": 3.0}],
                         ids=["502", "hang"])
async def test_a_failed_upload_post_is_retried_and_the_collage_arrives_once(
        world: SlackWorld, fault: dict[str, float]) -> None:
    world.fake.fail("upload", **fault)  # type: ignore[arg-type]
    await compare(world)
    assert len(decisions(world)) == 1
    [collage] = collages(world)
    file_id = json.loads(collage.args["files"])[0]["id"]
    assert world.fake.uploads[file_id].startswith(b"\x89PNG")
    assert [s for what, s in world.fake.failed if what == "upload"] == [int(fault["status"])]
    assert not any("could not" in t.lower() for t in world.texts())


async def test_5xx_answers_of_web_api_calls_are_retried_and_delivered_once(
        world: SlackWorld) -> None:
    world.fake.fail("chat.postMessage", status=502)
    world.fake.fail("files.getUploadURLExternal", status=503)
    world.fake.fail("files.completeUploadExternal", status=500)
    await compare(world)
    assert len(decisions(world)) == 1
    assert len(collages(world)) == 1
    assert len(world.fake.to("files.completeUploadExternal")) == 2  # collage and table
    assert sorted(world.fake.failed) == [("chat.postMessage", 502),
                                         ("files.completeUploadExternal", 500),
                                         ("files.getUploadURLExternal", 503)]


async def test_past_the_tries_the_user_gets_one_clear_message(world: SlackWorld) -> None:
    world.fake.fail("upload", times=3, status=502)
    await compare(world)
    assert world.fake.failed == [("upload", 502)] * 3  # 3 tries, then no more
    assert collages(world) == [] and len(decisions(world)) == 1
    failed = ":warning: " + said(UPLOAD_FAILED.format(what="the heatmap image", command="explain"))
    assert world.texts().count(failed) == 1
    assert len(world.fake.to("files.completeUploadExternal")) == 1  # the table went on

    await world.http_event(world.message(ANA, "explain"))  # Slack is well again
    await world.settle()
    assert len(collages(world)) == 1
    await world.http_event(world.message(ANA, "What is the decision?"))
    await world.settle()
    assert "same person" in world.texts()[-1].lower()
    assert world.texts().count(failed) == 1 and said(texts.NO_COMPARISON) not in world.texts()


async def test_a_5xx_download_is_retried_and_past_the_tries_said_once(world: SlackWorld) -> None:
    world.fake.fail("download", times=1, status=503)
    await compare(world)
    assert len(decisions(world)) == 1 and world.fake.failed == [("download", 503)]

    world.fake.fail("download", times=3, status=502)
    photo = world.fake.host_file(person_photo(3, 2), "c.jpg", "image/jpeg")
    await world.http_event(world.message(ANA, "", files=[photo]))
    await world.settle()
    assert world.fake.files[photo["id"]].requests == 3
    assert world.texts()[-1] == ":warning: " + said(f"c.jpg: {DownloadFailed.user_message}")
