"""Less in Redis: a delivered job's result is dropped (a small record stays so a redelivery
does not run it again), notes name the user by pseudonym with the platform ids sealed, and
/forget's ``forget_notes`` deletes that user's notes and drops their results (the keys are
scanned), those of jobs still running included. The whole conversation: test_forget_redis.py."""

from __future__ import annotations

import asyncio
import io
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image, ImageCms, PngImagePlugin

from bot.dialogue.pixels import job_photo
from bot.dialogue.png_photo import PngPhoto, decode_png
from bot.dialogue.recovery import Awaited, open_note, sealed_note
from bot.jobs.celery_outcomes import Outcomes
from bot.jobs.celery_tasks import job_name
from bot.jobs.runner import JobFailed
from bot.messages import ConversationKey
from bot.store.config import StoreConfig
from bot.store.repository import Store
from core.image_input import DEFAULT_LIMITS, decode_image
from tests.conftest import lfw_image, needs_shared
from tests.databases import TEST_KEY
from tests.scale.cluster import Cluster, wait_for
from tests.scale.jobs import Nap, nap_job
from tests.scale.jobs import markers as markers_of
from tests.scale.redis_scan import jpeg_with_exif, png_chunks

pytest.importorskip("celery")


SECRET = "SecretCam-SN-7731"


def with_metadata(fmt: str) -> bytes:
    """An LFW photo carrying every kind of metadata its format has: EXIF (camera serial, GPS),
    an ICC profile, XMP and a comment (JPEG) or text chunks (PNG)."""
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    xmp = f'<x:xmpmeta xmlns:x="adobe:ns:meta/"><owner>{SECRET}</owner></x:xmpmeta>'.encode()
    image = Image.open(io.BytesIO(jpeg_with_exif(lfw_image("Abel_Pacheco", 1), SECRET,
                                                 (52.0, 31.0, 12.5))))
    exif = image.getexif().tobytes()
    out = io.BytesIO()
    if fmt == "JPEG":
        image.save(out, "JPEG", exif=exif, icc_profile=icc, xmp=xmp, comment=SECRET, quality=92)
    else:
        text = PngImagePlugin.PngInfo()
        text.add_text("Comment", SECRET)
        text.add_itxt("XML:com.adobe.xmp", xmp.decode())
        image.save(out, "PNG", exif=exif, icc_profile=icc, pnginfo=text)
    return out.getvalue()


@needs_shared
@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
async def test_a_job_carries_its_photo_as_a_png_without_metadata(runner: Any, fmt: str) -> None:
    """On Celery a photo goes to Redis re-encoded: IHDR, IDAT, IEND, nothing else (no eXIf,
    iCCP, tEXt, iTXt, zTXt, tIME), the same pixels, a third of a raw array's size or less."""
    data = with_metadata(fmt)
    assert SECRET.encode() in data and (b"Exif" in data or b"eXIf" in data)
    carried = await job_photo(runner, data, DEFAULT_LIMITS)
    assert isinstance(carried, PngPhoto)
    assert png_chunks(carried.png) == ["IHDR", "IDAT", "IEND"]
    assert SECRET.encode() not in carried.png and b"Exif" not in carried.png
    pixels = decode_png(carried, DEFAULT_LIMITS)  # as the worker decodes it
    assert np.array_equal(pixels, decode_image(data))  # lossless
    assert (carried.width, carried.height) == (pixels.shape[1], pixels.shape[0])
    assert len(carried.png) < pixels.nbytes


def keys_of(runner: Any, job_id: str) -> list[str]:
    redis = runner.client._outcomes.redis()
    return sorted(k.decode() for k in redis.scan_iter(match=f"*{job_id}*"))


async def test_results_are_dropped_once_delivered_and_forget_deletes_notes_and_results(
        cluster: Cluster, runner: Any, markers: Path) -> None:
    cluster.start("privacy").wait_ready()
    await runner.start()
    outcomes: Outcomes = runner.client._outcomes

    value, _ = await runner.run(nap_job, Nap(str(markers), 0.0, 3), job_id="plainjob")
    assert value == 6
    kind, _ = outcomes.get("plainjob") or ("missing", None)
    assert kind == "error"  # the result (templates, in real jobs) is gone; a tombstone stays

    await runner.remember("annjob", {"who": "pseudo-ann", "sealed": "x"})
    await runner.remember("bojob", {"who": "pseudo-bo", "sealed": "y"})
    for job_id in ("annjob", "bojob"):
        await runner.run(nap_job, Nap(str(markers), 0.0, 1), job_id=job_id)
    assert outcomes.get("annjob") is not None and outcomes.get("annjob")[0] == "ok"  # type: ignore[index]

    assert await runner.forget_notes("pseudo-ann") == 1
    assert keys_of(runner, "annjob") == [f"{runner.config.queue}:job:annjob:outcome"]
    assert outcomes.get("annjob")[0] == "error"  # type: ignore[index]  # no note, no result
    assert [k for k in keys_of(runner, "bojob") if "awaited" in k]  # Bo's note stays
    assert await runner.claim("bojob")
    assert outcomes.get("bojob")[0] == "error"  # type: ignore[index]  # dropped once claimed


def test_a_note_names_the_user_by_pseudonym_and_seals_the_platform_ids(tmp_path: Path) -> None:
    with Store(StoreConfig(f"sqlite:///{tmp_path / 's.db'}", TEST_KEY)) as store:
        key = ConversationKey("telegram", "-100123456", "424242", "77", shared=True)
        note = sealed_note(Awaited(key, "explain", 5, 2), store)
        blob = json.dumps(note)
        assert "424242" not in blob and "-100123456" not in blob
        assert note["who"] == store.user_ref("telegram", "424242")
        assert Awaited.from_note(open_note(note, store)) == Awaited(key, "explain", 5, 2)


async def test_a_job_forgotten_while_it_runs_never_keeps_its_result(
        cluster: Cluster, runner: Any, markers: Path) -> None:
    cluster.start("privacy").wait_ready()
    await runner.start()
    outcomes: Outcomes = runner.client._outcomes
    hold = markers / "hold"
    hold.touch()
    await runner.remember("cyjob", {"who": "pseudo-cy", "sealed": "z"})
    running = asyncio.create_task(
        runner.run(nap_job, Nap(str(markers), 0.0, 4, hold=str(hold)), job_id="cyjob"))
    await asyncio.to_thread(wait_for, lambda: markers_of(markers, "started"), 30, "the job")
    assert await runner.forget_notes("pseudo-cy") == 1  # /forget while the job runs
    hold.unlink()
    with pytest.raises(JobFailed):  # it finished, but its result never landed
        await running
    assert outcomes.get("cyjob")[0] == "error"  # type: ignore[index]
    assert [k for k in keys_of(runner, "cyjob") if "awaited" in k] == []


async def test_the_task_state_holds_the_jobs_kind_never_its_result(
        cluster: Cluster, runner: Any, markers: Path) -> None:
    cluster.start("privacy").wait_ready()
    client = runner.client
    client.send("dajob", job_name(nap_job), Nap(str(markers), 0.0, 5))
    await asyncio.to_thread(wait_for, lambda: client.peek("dajob")[0] == "SUCCESS", 30, "the job")
    assert client.peek("dajob") == ("SUCCESS", "ok")
    assert client.outcome("dajob")[0] == "ok"  # the result is in its outcome record only
    assert (await runner.collect("dajob"))[0] == 10
    assert [k for k in keys_of(runner, "dajob") if "celery-task-meta" in k] == []


async def test_with_metrics_on_the_celery_runner_still_reaches_redis_on_forget() -> None:
    """The ops endpoint wraps the runner to count its jobs; the wrapper keeps the notes,
    the pixels and /forget's way into Redis (it used to hide them)."""
    from bot.composition import build_runner
    from bot.dialogue.recovery import RecoverableRunner
    from bot.settings import load_settings

    runner = build_runner(load_settings(ops_port=9100, job_runner="celery"))
    try:
        assert isinstance(runner, RecoverableRunner)
    finally:
        await runner.close()
