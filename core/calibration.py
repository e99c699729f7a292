"""Per-pipeline calibration: threshold and PIC densities, stored keyed by the pipeline identity.

A calibration is served only to the pipeline it was fitted on (``core.pipeline_identity``).
Files written before identities existed (``<recognizer sha256>.json``) are adopted by the
pipeline they record (detector, its input size, mirror averaging) on first load, and moved
to ``legacy/``; one that records another detector or setting is never served.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from core.errors import NotCalibrated
from core.pic import PicModel
from core.pipeline_identity import PipelineIdentity

LEGACY = "legacy"


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
    identity: dict[str, Any] = field(default_factory=dict)  # PipelineIdentity.to_dict()

    @cached_property
    def pic_model(self) -> PicModel:
        return PicModel.fit(np.asarray(self.genuine_scores), np.asarray(self.impostor_scores))

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if k != "pic_model"}

    @staticmethod
    def path_for(directory: Path, identity: PipelineIdentity) -> Path:
        return directory / f"{identity.key}.json"

    def save(self, directory: Path) -> Path:
        if not self.identity:
            raise ValueError("a calibration is saved under its pipeline identity; none was given")
        directory.mkdir(parents=True, exist_ok=True)
        path = self.path_for(directory, PipelineIdentity.from_dict(self.identity))
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.to_dict(), indent=1), encoding="utf-8")
        tmp.replace(path)
        return path

    @classmethod
    def read(cls, path: Path) -> Calibration:
        return cls(**json.loads(path.read_text(encoding="utf-8")))

    @classmethod
    def load(cls, directory: Path, identity: PipelineIdentity, detector_name: str) -> Calibration:
        """The calibration of exactly this pipeline; NotCalibrated (naming `facexplain
        calibrate` and what the calibrations on file differ in) when there is none."""
        path = cls.path_for(directory, identity)
        if path.is_file():
            return cls.read(path)
        adopted = adopt_legacy(directory, identity, detector_name)
        if adopted is not None:
            return adopted
        others = [c for c in stored(directory) if c.identity]
        near = [f"{c.detector} differs in {', '.join(identity.differences(PipelineIdentity.from_dict(c.identity)))}"
                for c in others if c.identity.get("recognizer_sha256") == identity.recognizer_sha256]
        raise NotCalibrated(detail=(
            f"no calibration for this pipeline ({identity.describe()}) in {directory}"
            + (f"; calibrations on file for this recognizer: {'; '.join(near)}" if near else "")
            + ". Run `facexplain calibrate` with these settings."))


def stored(directory: Path) -> list[Calibration]:
    """Every calibration in ``directory`` (new and not yet migrated files), oldest name first."""
    if not directory.is_dir():
        return []
    return [Calibration.read(p) for p in sorted(directory.glob("*.json"))]


def adopt_legacy(directory: Path, identity: PipelineIdentity, detector_name: str) -> Calibration | None:
    """Migrate ``<recognizer sha256>.json`` to this identity when what it records (detector,
    detector input size, mirror averaging) is this pipeline; the detector file's digest and
    the normalisation were not recorded then, so they are taken to be today's (noted)."""
    legacy = directory / f"{identity.recognizer_sha256}.json"
    if not legacy.is_file():
        return None
    old = Calibration.read(legacy)
    recorded = old.pipeline
    same = (old.detector == detector_name and "flip_average" in recorded
            and bool(recorded["flip_average"]) == identity.flip_average
            and (identity.detector != "scrfd"
                 or recorded.get("detector_max_size") == identity.detector_input))
    if not same:
        return None
    old.identity = identity.to_dict()
    old.stats = {**old.stats, "migrated_from": legacy.name,
                 "migration_assumed": ["detector_sha256", "normalisation", "alignment"]}
    old.save(directory)
    (directory / LEGACY).mkdir(exist_ok=True)
    legacy.replace(directory / LEGACY / legacy.name)
    return old
