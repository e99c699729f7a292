"""What ``calibrate`` and ``eval verification`` share: LFW pairs embedded with a progress bar."""

from __future__ import annotations

from collections.abc import Sequence

import click
import numpy as np
from numpy.typing import NDArray

from bot.cli.progress import TqdmProgress
from bot.lfw_runs import embed_pairs
from bot.settings import Settings
from core.dataset import EmbeddedSet
from core.lfw import Pair
from core.pipeline import FacePipeline


def embed_with_bar(settings: Settings, pipeline: FacePipeline, pairs: Sequence[Pair], doing: str,
                   view: str) -> tuple[EmbeddedSet, NDArray[np.float64], NDArray[np.bool_]]:
    """Say what is being done ("Calibrating", on "View 1"), then ``embed_pairs`` with a bar."""
    click.echo(f"{doing} {pipeline.recognizer.name} with {pipeline.detector.name} on "
               f"{len(pairs)} LFW {view} pairs...")
    progress = TqdmProgress()
    try:
        return embed_pairs(settings, pipeline, pairs, progress)
    finally:
        progress.close()
