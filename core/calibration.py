"""Per-recognizer calibration: threshold and PIC densities, stored keyed by the model's sha256."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from core.errors import NotCalibrated
from core.pic import PicModel


@dataclass
class Calibration:
    recognizer_sha256: str
    recognizer: str
    detector: str
    dataset: str  # e.g. "LFW View 1 (pairsDevTrain + pairsDevTest)"
    date: str
    threshold: float
    threshold_rule: str  # "EER point" or "FMR <= 0.1%"
    genuine_scores: list[float]
    impostor_scores: list[float]
    pipeline: dict[str, Any] = field(default_factory=dict)  # detector size, flip averaging...
    stats: dict[str, Any] = field(default_factory=dict)  # counts, no-detections, dev EER

    @cached_property
    def pic_model(self) -> PicModel:
        return PicModel.fit(np.asarray(self.genuine_scores), np.asarray(self.impostor_scores))

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if k != "pic_model"}

    @staticmethod
    def path_for(directory: Path, sha256: str) -> Path:
        return directory / f"{sha256}.json"

    def save(self, directory: Path) -> Path:
        directory.mkdir(parents=True, exist_ok=True)
        path = self.path_for(directory, self.recognizer_sha256)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.to_dict(), indent=1), encoding="utf-8")
        tmp.replace(path)
        return path

    @classmethod
    def load(cls, directory: Path, sha256: str) -> Calibration:
        path = cls.path_for(directory, sha256)
        if not path.is_file():
            raise NotCalibrated(
                detail=f"no calibration for recognizer sha256 {sha256[:12]}... in {directory}"
            )
        return cls(**json.loads(path.read_text(encoding="utf-8")))
