"""The dialogue's heavy work as jobs (module-level, so worker processes can import them)."""

from __future__ import annotations

from dataclasses import replace

from bot.dialogue.png_photo import PngPhoto, decode_png
from bot.services import Engines, Explanation
from core.errors import FacexplainError, about_photo
from core.pipeline import PreparedFace
from core.progress import Progress
from core.verify import Verified

# A photo as a job gets it: its bytes, or its pixels re-encoded by the bot (bot.dialogue.pixels)
PhotoData = bytes | PngPhoto


def prepare(engines: Engines, photo: PhotoData) -> PreparedFace:
    if isinstance(photo, bytes):
        return engines.faces.prepare(photo)
    return engines.faces.prepare_image(decode_png(photo, engines.limits))


def prepare_job(engines: Engines, photo: PhotoData, progress: Progress) -> PreparedFace:
    """One photo: decode, find the face, align, embed."""
    progress("photo", 0, 1)
    face = prepare(engines, photo)
    progress("photo", 1, 1)
    return face


def verify_job(engines: Engines, pair: tuple[PreparedFace, PhotoData],
               progress: Progress) -> Verified:
    """The second photo against the already prepared first: the decision and its confidence."""
    first, photo = pair
    progress("verify", 0, 1)
    with about_photo(2):
        second = prepare(engines, photo)
    comparison = engines.decider.decide(first, second)
    if engines.describer is not None:  # CLIP-SMU descriptions become facts the QA engine answers
        comparison = replace(comparison, descriptions={
            "A": engines.describer.describe(first.embedding),
            "B": engines.describer.describe(second.embedding)})
    progress("verify", 1, 1)
    return Verified(comparison, first, second)


def explain_job(engines: Engines, verified: Verified, progress: Progress) -> Explanation:
    if engines.explainer is None:
        raise FacexplainError("Heatmaps are switched off on this server.")
    return engines.explainer.explain(verified, progress)
