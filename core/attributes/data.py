"""The labelled images for attribute training: labels plus the recognizer's templates.

Templates come from ``core.dataset.embed_images`` (detect, align, embed, with a cache), so a
second run of training or evaluation does not touch the images again.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from core.attributes.labels import LabelledImages, read_lfw_attributes, read_maad
from core.dataset import cache_key, embed_images
from core.errors import FacexplainError
from core.pipeline import FacePipeline
from core.progress import Progress, no_progress

LFW_ATTRIBUTE_FILE = Path("attributes") / "lfw_attributes_62people.tsv"


@dataclass(frozen=True)
class AttributeData:
    images: LabelledImages
    templates: NDArray[np.float32]  # N x D, L2-normalised, same order as images.paths
    image_root: Path
    no_detection: int = 0  # images aligned with mean landmarks because no face was detected


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
) -> AttributeData:
    if not image_root.is_dir():
        raise FacexplainError("The face images were not found.",
                              detail=f"expected the image folder {image_root.resolve()}")
    embedded = embed_images(pipeline, image_root, images.paths, cache_file=cache_file,
                            progress=progress)
    templates = np.stack([embedded.templates[p] for p in images.paths]).astype(np.float32)
    wanted = set(images.paths)
    return AttributeData(images, templates, image_root,
                         sum(1 for p in embedded.no_detection if p in wanted))
