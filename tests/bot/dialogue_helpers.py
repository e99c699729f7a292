"""What the dialogue tests share: photos, the saliency grid, transcript helpers, and the QA
engine built once per process (loading its sentence encoder takes seconds).

The fixtures built on these (``answerer``, ``store``, ``thread_runner``) are in tests/conftest.py,
``dialogue`` in tests/bot/conftest.py.
"""

from __future__ import annotations

import asyncio
import io
from typing import Any

from PIL import Image

from bot.composition import build_answerer
from bot.dialogue import Dialogue
from bot.jobs import JobRunner
from bot.messages import (
    ConversationKey,
    Incoming,
    Photo,
    PhotoMessage,
    Reply,
    TextMessage,
    TextReply,
    parse_text,
)
from bot.services import Answerer
from bot.settings import Settings
from core.progress import Progress, no_progress
from core.saliency import PROFILES, with_changes
from tests.conftest import lfw_image

# A tiny MinPlus grid (2 x 2 blobs, one greedy step): real maps and tables in ~0.1 s a pair.
TINY_SALIENCY = with_changes(PROFILES["interactive"], d=37, tmax=1, profile="tiny-test")

GENUINE = (("Abel_Pacheco", 1), ("Abel_Pacheco", 4))
GENUINE_2 = (("Akhmed_Zakayev", 1), ("Akhmed_Zakayev", 3))
IMPOSTOR = (("Abdel_Madi_Shabneh", 1), ("Dean_Barker", 1))
IMPOSTOR_2 = (("Abdul_Rahman", 1), ("Portia_de_Rossi", 1))


def photo(name: str, number: int) -> Photo:
    return Photo(lfw_image(name, number).read_bytes(), f"{name}_{number:04d}.jpg", "image/jpeg")


def jpeg(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=92)
    return out.getvalue()


def flat_photo() -> Photo:
    """A flat-coloured 'photo': a valid JPEG with no face in it."""
    return Photo(jpeg(Image.new("RGB", (250, 250), (120, 160, 200))), "sky.jpg", "image/jpeg")


def two_faces_photo() -> Photo:
    """Two LFW faces side by side, the right one larger (the one the pipeline must use)."""
    left = Image.open(lfw_image("Dean_Barker", 1)).convert("RGB").resize((180, 180))
    right = Image.open(lfw_image("Abel_Pacheco", 4)).convert("RGB")
    canvas = Image.new("RGB", (440, 260), (90, 90, 90))
    canvas.paste(left, (5, 40))
    canvas.paste(right, (190, 5))
    return Photo(jpeg(canvas), "two.jpg", "image/jpeg")


PDF = Photo(b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer\n%%EOF\n", "scan.pdf",
            "application/pdf")


_answerers: dict[str, Answerer] = {}


def shared_answerer(settings: Settings) -> Answerer:
    """One QA engine per test process (loading the sentence encoder takes seconds)."""
    if "qa" not in _answerers:
        _answerers["qa"] = build_answerer(settings)
    return _answerers["qa"]


class Chat:
    """One user's side of a conversation, for transcript-style tests."""

    def __init__(self, dialogue: Dialogue, user: str, chat: str | None = None,
                 platform: str = "test") -> None:
        self.dialogue = dialogue
        self.key = ConversationKey(platform, chat or f"chat-{user}", user)

    async def send(self, message: Incoming) -> list[Reply]:
        return await self.dialogue.replies(message)

    async def say(self, text: str) -> list[Reply]:
        return await self.send(parse_text(self.key, text))

    async def ask(self, text: str) -> list[Reply]:
        return await self.send(TextMessage(self.key, text))

    async def photos(self, *photos: Photo) -> list[Reply]:
        return await self.send(PhotoMessage(self.key, photos))


def texts_of(replies: list[Reply], kind: str | None = None) -> list[str]:
    return [r.text for r in replies if isinstance(r, TextReply) and (kind is None or r.kind == kind)]


def only(replies: list[Reply], cls: type[Any]) -> Any:
    found = [r for r in replies if isinstance(r, cls)]
    assert len(found) == 1, f"expected one {cls.__name__} in {replies}"
    return found[0]


class HeldHeatmaps:
    """The real runner, but heatmap jobs wait until ``release`` is set (slow heatmaps)."""

    def __init__(self, runner: JobRunner) -> None:
        self.runner = runner
        self.release = asyncio.Event()

    async def start(self) -> None: ...

    async def run(self, job: Any, payload: Any, progress: Progress = no_progress, *,
                  label: str = "") -> Any:
        if label.startswith("explain"):
            await self.release.wait()
        return await self.runner.run(job, payload, progress, label=label)

    def running(self) -> dict[str, int]:
        return {}

    async def close(self) -> None: ...
