"""CLIP image features of the aligned face crops of a labelled set (cached), for zero-shot.

The crop is the one the recognizer sees: the face nearest the image centre, aligned to
112 x 112; an image with no detection is aligned with LFW's usual landmark positions, as
``core.dataset`` does for templates.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from core.align import align_face
from core.attributes.zero_shot import ZeroShotClip
from core.dataset import _default_relative_landmarks
from core.errors import NoFaceFound
from core.image_input import decode_image
from core.pipeline import FacePipeline
from core.progress import Progress, no_progress

Floats = NDArray[np.float32]


def face_crop(pipeline: FacePipeline, data: bytes) -> NDArray[np.uint8]:
    image = decode_image(data, pipeline.limits)
    try:
        landmarks = pipeline.locate(image, policy="centre").face.landmarks
    except NoFaceFound:
        h, w = image.shape[:2]
        landmarks = _default_relative_landmarks() * np.array([w, h], dtype=np.float32)
    return align_face(image, landmarks)


def clip_image_features(
    clip: ZeroShotClip,
    pipeline: FacePipeline,
    root: Path,
    paths: Sequence[str],
    *,
    cache_file: Path | None = None,
    chunk: int = 32,
    progress: Progress = no_progress,
) -> Floats:
    known: dict[str, Floats] = {}
    if cache_file is not None and cache_file.is_file():
        with np.load(cache_file) as data:
            known = dict(zip((str(p) for p in data["paths"]), data["features"], strict=True))
    todo = [p for p in dict.fromkeys(paths) if p not in known]
    for start in range(0, len(todo), chunk):
        part = todo[start:start + chunk]
        crops = np.stack([face_crop(pipeline, (root / p).read_bytes()) for p in part])
        known.update(zip(part, clip.image_features(crops), strict=True))
        progress("zero-shot CLIP image features", start + len(part), len(todo))
    if todo and cache_file is not None:
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache_file.with_name(cache_file.name + ".tmp.npz")
        names = list(known)
        np.savez(tmp, paths=np.array(names), features=np.stack([known[p] for p in names]))
        tmp.replace(cache_file)
    return np.stack([known[p] for p in paths]).astype(np.float32)
