"""Detected faces, the Detector protocol, and the policy that picks one face."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

import numpy as np
from numpy.typing import NDArray

from core.errors import NoFaceFound

FloatArray = NDArray[np.float32]
ImageArray = NDArray[np.uint8]  # H x W x 3, RGB


@dataclass(frozen=True)
class Face:
    """One detected face in image pixel coordinates."""

    box: tuple[float, float, float, float]  # x1, y1, x2, y2
    score: float
    landmarks: FloatArray  # 5 x 2: left eye, right eye, nose, left mouth, right mouth (image left/right)

    @property
    def area(self) -> float:
        x1, y1, x2, y2 = self.box
        return max(0.0, x2 - x1) * max(0.0, y2 - y1)

    @property
    def centre(self) -> tuple[float, float]:
        x1, y1, x2, y2 = self.box
        return ((x1 + x2) / 2.0, (y1 + y2) / 2.0)


class Detector(Protocol):
    """Finds faces with 5 landmarks in an RGB uint8 image."""

    name: str

    def detect(self, image: ImageArray) -> list[Face]: ...


Policy = Literal["largest", "centre"]


@dataclass(frozen=True)
class PickedFace:
    face: Face
    faces_found: int


def pick_face(faces: list[Face], image_shape: tuple[int, ...], policy: Policy = "largest") -> PickedFace:
    """Choose the face to use. Raises NoFaceFound when there is none.

    ``largest`` is the chat policy; ``centre`` is LFW's protocol (the labelled person is centred).
    """
    if not faces:
        raise NoFaceFound()
    if policy == "largest":
        face = max(faces, key=lambda f: f.area)
    else:
        cy, cx = image_shape[0] / 2.0, image_shape[1] / 2.0
        face = min(faces, key=lambda f: (f.centre[0] - cx) ** 2 + (f.centre[1] - cy) ** 2)
    return PickedFace(face=face, faces_found=len(faces))
