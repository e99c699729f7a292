"""Everything trained for one recognizer, saved in small files keyed by its sha256.

``<data_dir>/attributes/<recognizer sha256>/`` holds ``model.npz`` (the heads' arrays and
the projected prompts, a few hundred kB), ``model.json`` (what was trained on what, the
validation AUC and threshold per method and attribute) and, after ``facexplain eval
attributes``, ``reliability.json`` (the 5-fold AUCs, preferred for descriptions).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from core.attributes.heads import BinaryHeads, MultiLabelHead
from core.attributes.template_clip import TemplateClip
from core.attributes.vocabulary import KEYS
from core.errors import FacexplainError
from core.pipeline_identity import PipelineIdentity

Floats = NDArray[np.float32]
METHOD_NAMES: dict[str, str] = {
    "multilabel": "multi-label head",
    "binary": "binary heads",
    "template_clip": "template CLIP-SMU",
    "zero_shot": "zero-shot CLIP-SMU",
}


class AttributesNotTrained(FacexplainError):
    code = "attributes_not_trained"
    user_message = (
        "Attribute descriptions are not trained for this recognizer yet. Ask the operator to "
        "run `facexplain train attributes`."
    )


@dataclass(frozen=True)
class AttributeModel:
    recognizer: str
    recognizer_sha256: str
    multilabel: MultiLabelHead
    binary: BinaryHeads
    template_clip: TemplateClip | None = None
    validation_auc: dict[str, dict[str, float | None]] = field(default_factory=dict)
    thresholds: dict[str, list[float]] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def methods(self) -> list[str]:
        return ["multilabel", "binary"] + (["template_clip"] if self.template_clip else [])

    def scores(self, method: str, templates: Floats) -> Floats:
        """N x len(KEYS) scores in 0..1 from one of ``methods``."""
        if method == "multilabel":
            return self.multilabel.scores(templates)
        if method == "binary":
            return self.binary.scores(templates)
        if method == "template_clip" and self.template_clip is not None:
            return self.template_clip.scores(templates)
        raise ValueError(f"method {method!r} is not available; trained: {', '.join(self.methods)}")

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        arrays: dict[str, Any] = {f"multilabel.{k}": v for k, v in self.multilabel.params.items()}
        arrays |= {"binary.coef": self.binary.coef, "binary.intercept": self.binary.intercept}
        info: dict[str, Any] = {
            "recognizer": self.recognizer, "recognizer_sha256": self.recognizer_sha256,
            "attributes": list(KEYS), "validation_auc": self.validation_auc,
            "thresholds": self.thresholds, "meta": self.meta,
        }
        clip = self.template_clip
        if clip is not None:
            arrays |= {f"template_clip.{k}": v for k, v in clip.params.items()}
            arrays |= {"template_clip.positive": clip.positive, "template_clip.negative": clip.negative}
            info["template_clip"] = {"log_scale": clip.log_scale, "encoder": clip.encoder,
                                     "losses": [round(x, 5) for x in clip.losses]}
        tmp = folder / "model.tmp.npz"
        np.savez_compressed(tmp, **arrays)
        tmp.replace(folder / "model.npz")
        (folder / "model.json").write_text(json.dumps(info, indent=2), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> AttributeModel:
        if not (folder / "model.npz").is_file() or not (folder / "model.json").is_file():
            raise AttributesNotTrained(detail=f"no trained attribute model in {folder.resolve()}")
        info = json.loads((folder / "model.json").read_text(encoding="utf-8"))
        if info.get("attributes") != list(KEYS):
            raise AttributesNotTrained(detail=f"{folder} was trained on another attribute list")
        with np.load(folder / "model.npz") as data:
            arrays = {k: np.asarray(data[k], dtype=np.float32) for k in data.files}

        def part(prefix: str) -> dict[str, Floats]:
            return {k[len(prefix) + 1:]: v for k, v in arrays.items() if k.startswith(prefix + ".")}

        clip = None
        if "template_clip" in info:
            params = part("template_clip")
            pos, neg = params.pop("positive"), params.pop("negative")
            c = info["template_clip"]
            clip = TemplateClip(params, float(c["log_scale"]), pos, neg, c.get("encoder", ""),
                                list(c.get("losses", [])))
        binary = part("binary")
        return cls(info["recognizer"], info["recognizer_sha256"], MultiLabelHead(part("multilabel")),
                   BinaryHeads(binary["coef"], binary["intercept"]), clip,
                   info.get("validation_auc", {}), info.get("thresholds", {}), info.get("meta", {}))


def model_folder(data_dir: Path, pipeline_key: str) -> Path:
    """The folder of the attribute model trained on one pipeline (``PipelineIdentity.key``)."""
    return data_dir / "attributes" / pipeline_key


def adopt_legacy_folder(data_dir: Path, identity: PipelineIdentity, calibration: Path) -> None:
    """Move a pre-identity folder (``attributes/<recognizer sha256>``) to this identity when
    this pipeline's calibration was migrated from that recognizer's pre-identity file."""
    legacy, target = model_folder(data_dir, identity.recognizer_sha256), model_folder(data_dir, identity.key)
    if target.exists() or not legacy.is_dir() or not calibration.is_file():
        return
    stats = json.loads(calibration.read_text(encoding="utf-8")).get("stats", {})
    if stats.get("migrated_from") == f"{identity.recognizer_sha256}.json":
        legacy.replace(target)


def load_reliability(folder: Path) -> dict[str, dict[str, float | None]] | None:
    """Per method and attribute, the 5-fold mean AUC written by ``eval attributes``."""
    path = folder / "reliability.json"
    if not path.is_file():
        return None
    data: dict[str, dict[str, float | None]] = json.loads(path.read_text(encoding="utf-8"))
    return data
