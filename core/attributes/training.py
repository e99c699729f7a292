"""Train every method on templates, and measure it on held-out identities.

``fit_methods`` trains the multi-label head, the binary heads and (when a text encoder is
given) template CLIP-SMU on one set of templates; ``train_attribute_model`` does that on an
identity-disjoint training split and records, per method and attribute, the validation AUC
(None where the validation people have too few positives or negatives) and the threshold
that maximises TPR - FPR there.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field

import numpy as np
from numpy.typing import NDArray

from core.attributes.data import AttributeData
from core.attributes.evaluation import attribute_auc, youden_threshold
from core.attributes.folds import split_train_validation
from core.attributes.heads import (
    BinaryHeads,
    HeadConfig,
    MultiLabelHead,
    train_binary,
    train_multilabel,
)
from core.attributes.model import AttributeModel
from core.attributes.template_clip import TemplateClip, TemplateClipConfig, train_template_clip
from core.attributes.vocabulary import KEYS
from core.progress import Progress, no_progress

Floats = NDArray[np.float32]
EncodeTexts = Callable[[Sequence[str]], Floats]


@dataclass(frozen=True)
class TrainConfig:
    seed: int = 0
    validation_share: float = 0.2
    min_positives: int = 10  # in the validation split, for an AUC to be recorded
    binary_c: float = 1.0
    heads: HeadConfig = field(default_factory=HeadConfig)
    clip: TemplateClipConfig = field(default_factory=TemplateClipConfig)


@dataclass(frozen=True)
class Fitted:
    multilabel: MultiLabelHead
    binary: BinaryHeads
    template_clip: TemplateClip | None
    seconds: dict[str, float]

    def scores(self) -> dict[str, Callable[[Floats], Floats]]:
        out: dict[str, Callable[[Floats], Floats]] = {
            "multilabel": self.multilabel.scores, "binary": self.binary.scores}
        if self.template_clip is not None:
            out["template_clip"] = self.template_clip.scores
        return out


def fit_methods(
    templates: Floats,
    labels: NDArray[np.int8],
    encode: EncodeTexts | None,
    config: TrainConfig = TrainConfig(),
    *,
    encoder_name: str = "",
    progress: Progress = no_progress,
    unlabelled: Floats | None = None,
) -> Fitted:
    """``unlabelled``: templates of other people's faces, for the spreading multi-label head."""
    seconds: dict[str, float] = {}
    t = time.perf_counter()
    heads = HeadConfig(**{**asdict(config.heads), "seed": config.seed})
    multilabel = train_multilabel(templates, labels, heads, progress, unlabelled)
    seconds["multilabel"] = time.perf_counter() - t
    t = time.perf_counter()
    binary = train_binary(templates, labels, c=config.binary_c, seed=config.seed, progress=progress)
    seconds["binary"] = time.perf_counter() - t
    clip = None
    if encode is not None:
        t = time.perf_counter()
        clip_config = TemplateClipConfig(**{**asdict(config.clip), "seed": config.seed})
        clip = train_template_clip(templates, labels, encode, clip_config,
                                   encoder_name=encoder_name, progress=progress)
        seconds["template_clip"] = time.perf_counter() - t
    return Fitted(multilabel, binary, clip, seconds)


def train_attribute_model(
    data: AttributeData,
    encode: EncodeTexts | None,
    *,
    recognizer: str,
    recognizer_sha256: str,
    config: TrainConfig = TrainConfig(),
    encoder_name: str = "",
    progress: Progress = no_progress,
) -> AttributeModel:
    labels = data.images.labels
    train, val = split_train_validation(data.images.identities, seed=config.seed,
                                        strata=labels[:, KEYS.index("Male")] > 0,
                                        validation_share=config.validation_share)
    fitted = fit_methods(data.templates[train], labels[train], encode, config,
                         encoder_name=encoder_name, progress=progress, unlabelled=data.unlabelled)
    validation: dict[str, dict[str, float | None]] = {}
    thresholds: dict[str, list[float]] = {}
    for method, score in fitted.scores().items():
        s = score(data.templates[val])
        validation[method], thresholds[method] = {}, []
        for j, key in enumerate(KEYS):
            y = labels[val, j]
            enough = min(int(np.sum(y > 0)), int(np.sum(y < 0))) >= config.min_positives
            a = attribute_auc(s[:, j], y) if enough else None
            validation[method][key] = round(a, 4) if a is not None else None
            thresholds[method].append(round(youden_threshold(s[:, j], y), 5) if enough else 0.5)
    meta = {
        "dataset": data.images.source, "images": len(labels),
        "train_images": int(len(train)), "validation_images": int(len(val)),
        "train_identities": len({data.images.identities[i] for i in train}),
        "validation_identities": len({data.images.identities[i] for i in val}),
        "no_detection": data.no_detection, "seed": config.seed, "text_encoder": encoder_name,
        "unlabelled_images": 0 if data.unlabelled is None else len(data.unlabelled),
        "config": asdict(config), "seconds": {k: round(v, 2) for k, v in fitted.seconds.items()},
        "trained_parts": {
            "multilabel": ("labelled and unlabelled templates with their (soft) labels, kernel "
                           "label spreading (recognizer frozen)" if config.heads.kind == "spread"
                           else "all weights of the head (recognizer frozen)"),
            "binary": "one logistic regression per attribute (recognizer frozen)",
            "template_clip": "text head (linear projection"
                             + (" + residual MLP" if config.clip.hidden else "")
                             + ") and temperature; recognizer and sentence encoder frozen",
        },
    }
    return AttributeModel(recognizer, recognizer_sha256, fitted.multilabel, fitted.binary,
                          fitted.template_clip, validation, thresholds, meta)
