"""Templates for a labelled image set (LFW), with a cache so a rerun is quick.

Dataset protocol, not chat policy: the face nearest the image centre is used (LFW centres the
labelled person). Images where nothing is detected are aligned with the mean landmarks of the
images that were detected (scaled to the image size) and counted, never dropped silently.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from core.align import align_face
from core.errors import NoFaceFound
from core.image_input import decode_image
from core.pipeline import FacePipeline
from core.progress import Progress, no_progress


@dataclass
class EmbeddedSet:
    templates: dict[str, NDArray[np.float32]]
    no_detection: list[str] = field(default_factory=list)
    several_faces: int = 0

    def score_pairs(self, pairs: Sequence[tuple[str, str]]) -> NDArray[np.float64]:
        a = np.stack([self.templates[x] for x, _ in pairs])
        b = np.stack([self.templates[y] for _, y in pairs])
        return np.asarray(np.sum(a * b, axis=1), dtype=np.float64)


def cache_key(pipeline: FacePipeline, extra: str = "") -> str:
    det = pipeline.detector
    text = "|".join([pipeline.recognizer.name, pipeline.recognizer.sha256, det.name,
                     str(getattr(det, "max_size", "")), extra])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def embed_images(
    pipeline: FacePipeline,
    root: Path,
    rel_paths: Sequence[str],
    *,
    cache_file: Path | None = None,
    progress: Progress = no_progress,
) -> EmbeddedSet:
    wanted = sorted(set(rel_paths))
    cached: dict[str, NDArray[np.float32]] = {}
    missing_before: list[str] = []
    if cache_file is not None and cache_file.is_file():
        with np.load(cache_file) as data:
            cached = {k: data[k] for k in data.files if not k.startswith("__")}
            if "__no_detection__" in data.files:
                missing_before = [str(x) for x in data["__no_detection__"]]
    result = EmbeddedSet({k: v for k, v in cached.items() if k in wanted},
                         [m for m in missing_before if m in wanted])
    todo = [p for p in wanted if p not in result.templates]
    undetected: list[tuple[str, NDArray[np.uint8]]] = []
    landmarks: list[NDArray[np.float32]] = []
    for i, rel in enumerate(todo):
        # the operator's own dataset: decoded here, without the per-photo child process
        trusted = replace(pipeline.limits, decode_cpu_s=None)
        image = decode_image((root / rel).read_bytes(), trusted)
        try:
            picked = pipeline.locate(image, policy="centre")
        except NoFaceFound:
            undetected.append((rel, image))
            progress("embed", i + 1, len(todo))
            continue
        result.several_faces += picked.faces_found > 1
        h, w = image.shape[:2]
        landmarks.append((picked.face.landmarks / np.array([w, h], dtype=np.float32)).astype(np.float32))
        crop = align_face(image, picked.face.landmarks)
        result.templates[rel] = pipeline.recognizer.embed(crop[None])[0]
        progress("embed", i + 1, len(todo))
    if undetected:
        mean = np.mean(landmarks, axis=0) if landmarks else _default_relative_landmarks()
        for rel, image in undetected:
            h, w = image.shape[:2]
            crop = align_face(image, mean * np.array([w, h], dtype=np.float32))
            result.templates[rel] = pipeline.recognizer.embed(crop[None])[0]
            result.no_detection.append(rel)
    if cache_file is not None and todo:
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache_file.with_name(cache_file.name + ".tmp.npz")
        merged: dict[str, NDArray[np.generic]] = {**cached, **result.templates}
        merged["__no_detection__"] = np.array(sorted(set(result.no_detection) | set(missing_before)))
        np.savez(tmp, **merged)  # type: ignore[arg-type]  # numpy's stub types **kwds as bool
        tmp.replace(cache_file)
    return result


def _default_relative_landmarks() -> NDArray[np.float32]:
    """Where LFW's deep-funneled faces put the 5 points, relative to the frame."""
    return np.array([[0.435, 0.44], [0.594, 0.44], [0.52, 0.546], [0.449, 0.628], [0.576, 0.628]],
                    dtype=np.float32)
