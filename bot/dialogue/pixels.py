"""Photos in jobs that wait outside this process: decoded here, carried as re-encoded pixels.

A job on a runner whose jobs outlive the bot (``RecoverableRunner``: Celery) waits in Redis
until a worker takes it. Its photo goes there as the pixels that ``decode_image`` makes
(orientation applied; no EXIF with its GPS or camera serial, no ICC or XMP, nothing appended),
re-encoded as a lossless PNG with no metadata (``bot.dialogue.png_photo``): a 12 MP photo is
about 11 MB instead of a 36 MB raw array. The decode keeps every bound a worker's has, and
always runs in the CPU-bounded child, so a crash inside a decoder cannot take the bot down.
Other runners keep their jobs in this machine's memory: they get the bytes, decoded in the
job as before.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace

from bot.dialogue.png_photo import encode_png
from bot.dialogue.recovery import RecoverableRunner
from bot.dialogue.work import PhotoData
from bot.jobs.runner import JobRunner
from core.image_input import ImageLimits, decode_image


async def job_photo(runner: JobRunner, data: bytes, limits: ImageLimits) -> PhotoData:
    """What a job of ``runner`` carries for the photo ``data``; raises ``ImageRejected``."""
    if not isinstance(runner, RecoverableRunner):
        return data
    isolated = replace(limits, isolate_above_pixels=0)  # the bot decodes in the child only
    return await asyncio.to_thread(lambda: encode_png(decode_image(data, isolated)))
