"""The labelled images for attribute training: labels plus the recognizer's templates.

Templates come from ``core.dataset.embed_images`` (detect, align, embed, with a cache), so a
second run of training or evaluation does not touch the images again.

Unlabelled templates (for the spreading multi-label head) are the LFW View 1 images
(pairsDevTrain/pairsDevTest, the development view the calibration also uses) of people who
are not in the labelled set; View 2 (the verification test view) is never read here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from core.attributes.labels import LabelledImages, read_lfw_attributes, read_maad
from core.dataset import cache_key, embed_images
from core.errors import FacexplainError
from core.lfw import view1
from core.pipeline import FacePipeline
from core.progress import Progress, no_progress

LFW_ATTRIBUTE_FILE = Path("attributes") / "lfw_attributes_62people.tsv"


@dataclass(frozen=True)
class AttributeData:
    images: LabelledImages
    templates: NDArray[np.float32]  # N x D, L2-normalised, same order as images.paths
    image_root: Path
    no_detection: int = 0  # images aligned with mean landmarks because no face was detected
    unlabelled: NDArray[np.float32] | None = None  # M x D, faces of people not in images


def unlabelled_paths(lfw_dir: Path, labelled_people: set[str]) -> list[str]:
    """LFW View 1 images of people outside ``labelled_people`` (folder names, "First_Last");
    empty when the View 1 files are absent."""
    if not (lfw_dir / "pairsDevTrain.txt").is_file() or not (lfw_dir / "pairsDevTest.txt").is_file():
        return []
    paths = {x for pair in view1(lfw_dir) for x in (pair.a, pair.b)}
    return sorted(p for p in paths if p.split("/")[0] not in labelled_people)


def read_labels(kind: str, path: Path) -> LabelledImages:
    """``kind`` "lfw": the LFW folder (its attributes/ file); "maad": the MAAD-Face CSV."""
    if kind == "lfw":
        return read_lfw_attributes(path / LFW_ATTRIBUTE_FILE)
    if kind == "maad":
        return read_maad(path)
    raise ValueError(f"unknown attribute label source {kind!r} (lfw or maad)")


def template_cache_file(cache_dir: Path, pipeline: FacePipeline, dataset: str = "lfw") -> Path:
    """The same file the LFW verification commands use, so their templates are shared."""
    return cache_dir / f"{dataset}-templates-{cache_key(pipeline)}.npz"


def load_attribute_data(
    pipeline: FacePipeline,
    images: LabelledImages,
    image_root: Path,
    *,
    cache_file: Path | None = None,
    progress: Progress = no_progress,
    unlabelled: list[str] | None = None,
) -> AttributeData:
    """``unlabelled``: paths (under ``image_root``) of images without labels to embed too."""
    if not image_root.is_dir():
        raise FacexplainError("The face images were not found.",
                              detail=f"expected the image folder {image_root.resolve()}")
    extra = list(unlabelled or [])
    embedded = embed_images(pipeline, image_root, [*images.paths, *extra], cache_file=cache_file,
                            progress=progress)
    templates = np.stack([embedded.templates[p] for p in images.paths]).astype(np.float32)
    wanted = set(images.paths)
    pool = (np.stack([embedded.templates[p] for p in extra]).astype(np.float32)
            if extra else None)
    return AttributeData(images, templates, image_root,
                         sum(1 for p in embedded.no_detection if p in wanted), pool)
