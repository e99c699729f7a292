"""Run every pair of a pairs file through compare (or compare + explain); a pair that fails
records why and the run goes on. Results stream out as they come (JSON lines)."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from bot.batch.pairs import PairRow
from bot.batch.results import PairResult
from bot.services import Describer
from core.errors import FacexplainError
from core.progress import Progress, no_progress
from core.verify import Verified, Verifier

Work = Callable[[PairRow], PairResult]


def png(image: NDArray[np.uint8]) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, "PNG")
    return buffer.getvalue()


def _photo(path: Path, number: int) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        error = FacexplainError("I could not read that photo", detail=exc.strerror or str(exc))
        error.photo = number
        raise error from exc


def _failure(row: PairRow, exc: FacexplainError) -> PairResult:
    which = f"photo {exc.photo} ({row.a if exc.photo == 1 else row.b}): " if exc.photo else ""
    return PairResult(row, error=which + exc.user_message + (f" ({exc.detail})" if exc.detail else ""))


def described(verified: Verified, describer: Describer | None) -> Verified:
    if describer is None:
        return verified
    descriptions = {"A": describer.describe(verified.face_a.embedding),
                    "B": describer.describe(verified.face_b.embedding)}
    return replace(verified, comparison=replace(verified.comparison, descriptions=descriptions))


def compare_work(verifier: Verifier, describer: Describer | None = None) -> Work:
    def work(row: PairRow) -> PairResult:
        try:
            verified = described(verifier.compare(_photo(row.a, 1), _photo(row.b, 2)), describer)
        except FacexplainError as exc:
            return _failure(row, exc)
        return PairResult(row, verified.comparison,
                          images={"A": png(verified.face_a.crop), "B": png(verified.face_b.crop)})
    return work


def explain_work(verifier: Verifier, explain_one: Callable[[Verified, Path], tuple[bytes, Verified]],
                 out: Path, describer: Describer | None = None) -> Work:
    """``explain_one(verified, folder)`` writes the pair's artefacts into ``folder`` and returns
    the collage PNG and the comparison with its explanation sections."""
    def work(row: PairRow) -> PairResult:
        folder = f"pair-{row.number:04d}"
        try:
            verified = described(verifier.compare(_photo(row.a, 1), _photo(row.b, 2)), describer)
            collage, explained = explain_one(verified, out / folder)
        except FacexplainError as exc:
            return _failure(row, exc)
        return PairResult(row, explained.comparison, folder=folder,
                          images={"collage": collage, "A": png(verified.face_a.crop),
                                  "B": png(verified.face_b.crop)})
    return work


def run_batch(rows: list[PairRow], work: Work, progress: Progress = no_progress) -> Iterator[PairResult]:
    progress("pairs", 0, len(rows))
    for done, row in enumerate(rows, start=1):
        yield work(row)
        progress("pairs", done, len(rows))
