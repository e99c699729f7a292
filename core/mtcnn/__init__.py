"""MTCNN face detector (Zhang et al. 2016): P-Net on an image pyramid, then R-Net and O-Net.

The weights are facenet-pytorch's state dicts ``pnet.pt``, ``rnet.pt`` and ``onet.pt`` (MIT),
loaded with ``MtcnnDetector.from_dir``. torch is imported only when a detector is built or run.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import cv2
import numpy as np
from numpy.typing import NDArray

from core.errors import ModelNotFound
from core.faces import Face, ImageArray
from core.mtcnn.boxes import Boxes, crops, drop_nested, proposals, pyramid_sizes, regress, square
from core.nms import nms

if TYPE_CHECKING:
    import torch

WEIGHT_FILES = ("pnet.pt", "rnet.pt", "onet.pt")


class MtcnnDetector:
    """Detector protocol implementation; nets are injectable torch modules (see core.mtcnn.nets).

    ``max_size`` (None: off, as in the paper) bounds the work on large photos: the smallest face
    searched grows with the image so the pyramid starts no larger than for that longer side;
    R-Net and O-Net still read their crops from the full-resolution image.
    """

    name = "mtcnn"

    def __init__(
        self,
        pnet: torch.nn.Module,
        rnet: torch.nn.Module,
        onet: torch.nn.Module,
        *,
        min_face_size: float = 20,
        thresholds: tuple[float, float, float] = (0.6, 0.7, 0.7),
        factor: float = 0.709,
        max_size: int | None = None,
        device: str = "cpu",
    ) -> None:
        if not 0.0 < factor < 1.0 or min_face_size < 1 or (max_size is not None and max_size < 12):
            raise ValueError("factor must lie in (0, 1), min_face_size be >= 1 and max_size >= 12")
        self.nets = [net.to(device).eval().requires_grad_(False) for net in (pnet, rnet, onet)]
        self.min_face_size = min_face_size
        self.thresholds = thresholds
        self.factor = factor
        self.max_size = max_size  # search faces as if the longer side were at most this
        self.device = device

    @classmethod
    def from_dir(cls, path: Path, **kwargs: Any) -> MtcnnDetector:
        """Load pnet.pt, rnet.pt and onet.pt from ``path``; ModelNotFound names a missing one."""
        import torch

        from core.mtcnn.nets import ONet, PNet, RNet

        nets: list[torch.nn.Module] = [PNet(), RNet(), ONet()]
        for net, file_name in zip(nets, WEIGHT_FILES, strict=True):
            file = path / file_name
            if not file.is_file():
                raise ModelNotFound(detail=f"MTCNN weight file {file_name} not found in {path.resolve()}")
            net.load_state_dict(torch.load(file, map_location="cpu", weights_only=True), strict=True)
        return cls(*nets, **kwargs)

    def detect(self, image: ImageArray) -> list[Face]:
        """Faces found in an H x W x 3 RGB uint8 image, best score first."""
        if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
            raise ValueError(f"expected an H x W x 3 uint8 image, got {image.shape} {image.dtype}")
        import torch

        with torch.inference_mode():
            boxes = self._propose(image)
            if len(boxes):
                boxes = self._refine(image, boxes)
            return self._output(image, boxes) if len(boxes) else []

    def _run(self, stage: int, batch: NDArray[np.uint8]) -> list[NDArray[np.float32]]:
        """Run net ``stage`` on N x H x W x 3 uint8 pixels; outputs as float32 numpy arrays."""
        import torch

        x = torch.from_numpy(batch).to(self.device).permute(0, 3, 1, 2).float()
        outputs = self.nets[stage]((x - 127.5) / 128.0)
        return [out.cpu().numpy().astype(np.float32) for out in outputs]

    def _propose(self, image: ImageArray) -> Boxes:
        height, width = image.shape[:2]
        min_face = self.min_face_size
        if self.max_size and max(height, width) > self.max_size:
            min_face *= max(height, width) / self.max_size
        found: list[tuple[Boxes, NDArray[np.float32], Boxes]] = []
        for h, w in pyramid_sizes(height, width, min_face, self.factor):
            scaled = np.asarray(cv2.resize(image, (w, h), interpolation=cv2.INTER_AREA), np.uint8)
            prob, reg = self._run(0, scaled[None])
            boxes, scores, regs = proposals(prob[0, 1], reg[0], (h / height, w / width), self.thresholds[0])
            keep = nms(boxes, scores, 0.5)
            found.append((boxes[keep], scores[keep], regs[keep]))
        if not found:
            return np.zeros((0, 4), np.float32)
        boxes, scores, regs = (np.concatenate(parts) for parts in zip(*found, strict=True))
        keep = nms(boxes, scores, 0.7)
        return square(regress(boxes[keep], regs[keep]))

    def _refine(self, image: ImageArray, boxes: Boxes) -> Boxes:
        prob, reg = self._run(1, crops(image, boxes, 24))
        passed = prob[:, 1] > self.thresholds[1]
        boxes, scores, reg = boxes[passed], prob[passed, 1], reg[passed]
        keep = nms(boxes, scores, 0.7)
        return square(regress(boxes[keep], reg[keep]))

    def _output(self, image: ImageArray, boxes: Boxes) -> list[Face]:
        prob, reg, marks = self._run(2, crops(image, boxes, 48))
        passed = prob[:, 1] > self.thresholds[2]
        boxes, scores, reg, marks = boxes[passed], prob[passed, 1], reg[passed], marks[passed]
        size = boxes[:, 2:4] - boxes[:, 0:2]
        points = boxes[:, None, 0:2] + np.stack([marks[:, :5], marks[:, 5:]], axis=2) * size[:, None, :]
        boxes = regress(boxes, reg)
        height, width = image.shape[:2]
        boxes[:, 0::2] = boxes[:, 0::2].clip(0, width)
        boxes[:, 1::2] = boxes[:, 1::2].clip(0, height)
        return [
            Face(box=(float(boxes[i, 0]), float(boxes[i, 1]), float(boxes[i, 2]), float(boxes[i, 3])),
                 score=float(scores[i]), landmarks=points[i].astype(np.float32))
            for i in drop_nested(boxes, scores, 0.7)
        ]
