"""What makes two face pipelines give the same scores: the key of a calibration.

A PIC-score and a threshold are fitted on the scores one pipeline produced; another detector
file, detector input size, alignment, mirror averaging or input normalisation moves those
scores, so everything learned (calibration, attribute heads) is stored under this identity.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from typing import Any

ALIGNMENT = "arcface-112-similarity-5pt"  # core.align: Umeyama fit to the ArcFace template


@dataclass(frozen=True)
class PipelineIdentity:
    recognizer_sha256: str
    detector: str  # "scrfd" or "mtcnn"
    detector_sha256: str  # the detector file's sha256 (MTCNN: of its three files' digests)
    detector_input: int | None  # the detector's input size cap (longest side), None: off
    alignment: str
    flip_average: bool
    normalisation: tuple[float, float]  # recognizer input (x - mean) / std

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["normalisation"] = list(self.normalisation)
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PipelineIdentity:
        fields = {**data, "normalisation": tuple(float(v) for v in data["normalisation"])}
        return cls(**fields)

    @property
    def key(self) -> str:
        """A short stable name for files: the first 20 hex digits of the identity's sha256."""
        text = json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()[:20]

    def describe(self) -> str:
        mirror = "mirror-averaged" if self.flip_average else "no mirror averaging"
        size = f"input <= {self.detector_input} px" if self.detector_input else "input uncapped"
        mean, std = self.normalisation
        return (f"recognizer {self.recognizer_sha256[:12]}, {self.detector} "
                f"{self.detector_sha256[:12]} ({size}), {self.alignment}, {mirror}, "
                f"normalisation (x - {mean:g}) / {std:g}")

    def differences(self, other: PipelineIdentity) -> list[str]:
        """The names of the parts in which ``other`` differs from this identity."""
        mine, theirs = self.to_dict(), other.to_dict()
        return [k for k in mine if mine[k] != theirs[k]]


def combined_sha256(digests: list[str]) -> str:
    """One digest for a model made of several files (in a fixed order)."""
    return hashlib.sha256("|".join(digests).encode()).hexdigest()
