"""The comparison record: everything one verification (and its explanation) produced.

Written as JSON by ``facexplain explain`` and read back by the QA engine and the chat. Plain
data only; every later stage adds its own optional section.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

SCHEMA_VERSION = 1

# Region names use the subject's own left/right (the person's left eye appears on the
# viewer's right), as anatomy and forensic reports do. See core/regions.py.
REGIONS: tuple[str, ...] = (
    "left eyebrow",
    "right eyebrow",
    "left eye",
    "right eye",
    "nose",
    "left cheek",
    "right cheek",
    "chin",
    "lips",
)
METHODS: tuple[str, ...] = ("S0-", "S1-", "S0+", "S1+", "AVG")


@dataclass
class FaceReport:
    """What was found in one photo."""

    faces_found: int
    box: list[float]
    detection_score: float
    landmarks: list[list[float]]
    image_size: list[int]  # width, height


@dataclass
class ModelInfo:
    recognizer: str
    recognizer_sha256: str
    detector: str
    calibration_dataset: str = ""
    calibration_date: str = ""
    threshold_rule: str = ""


@dataclass
class Comparison:
    """One verification of photo A against photo B, plus optional explanation sections.

    ``tables`` maps "A", "B" and "pair" to {region: {method or "Mean" or "Ratio of 1s": value}}.
    ``saliency`` holds the maps' parameters (profile, nh, d, tmax, th, evaluations).
    ``descriptions`` maps "A"/"B" to attribute descriptions (CLIP-SMU), when available.
    """

    score: float
    threshold: float
    same_person: bool
    pic: float  # P(same person | score), 0..1
    confidence: float  # confidence in the decision: pic for a match, 1 - pic otherwise
    confidence_sentence: str
    faces: dict[str, FaceReport]
    models: ModelInfo
    timings_ms: dict[str, float] = field(default_factory=dict)
    saliency: dict[str, Any] | None = None
    tables: dict[str, dict[str, dict[str, float]]] | None = None
    artefacts: dict[str, str] = field(default_factory=dict)
    descriptions: dict[str, Any] | None = None
    schema_version: int = SCHEMA_VERSION

    @property
    def decision(self) -> str:
        return "same person" if self.same_person else "different people"

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["decision"] = self.decision
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Comparison:
        data = dict(data)
        data.pop("decision", None)
        data["faces"] = {k: FaceReport(**v) for k, v in data["faces"].items()}
        data["models"] = ModelInfo(**data["models"])
        return cls(**data)

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(self.to_dict(), indent=2), encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> Comparison:
        return cls.from_dict(json.loads(path.read_text(encoding="utf-8")))
