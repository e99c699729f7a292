"""SCRFD face detector (InsightFace ONNX export) with 5 keypoints.

Works with the packs' files unchanged (det_500m, det_2.5g, det_10g of buffalo_l): outputs are
scores, box distances and keypoint distances for strides 8/16/32 with 2 anchors per location
(or 5 strides / 1 anchor for the *_shape exports).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray

from core.faces import Face, ImageArray
from core.nms import nms

FloatArray = NDArray[np.float32]


class ScrfdDetector:
    """Detect faces; the network input fits the image (longest side <= ``max_size``)."""

    def __init__(
        self,
        session: Any,
        *,
        name: str = "scrfd",
        max_size: int = 640,
        score_threshold: float = 0.5,
        nms_threshold: float = 0.4,
    ) -> None:
        self.session = session
        self.name = name
        self.max_size = max_size
        self.score_threshold = score_threshold
        self.nms_threshold = nms_threshold
        self._input = session.get_inputs()[0].name
        outputs = len(session.get_outputs())
        self._levels = outputs // 3
        self._strides = [8, 16, 32] if self._levels == 3 else [8, 16, 32, 64, 128]
        self._anchors = 2 if self._levels == 3 else 1
        self._centres: dict[tuple[int, int, int], FloatArray] = {}

    @classmethod
    def from_file(cls, path: Path, *, providers: list[str] | None = None, threads: int = 0,
                  **kwargs: Any) -> ScrfdDetector:
        from core.onnx import open_session

        return cls(open_session(path, providers=providers, threads=threads),
                   name=f"SCRFD ({path.stem})", **kwargs)

    def _input_size(self, height: int, width: int) -> tuple[int, int, float]:
        """Scale so the longest side is at most max_size (never upscale), pad to /32."""
        scale = min(1.0, self.max_size / max(height, width))
        new_h, new_w = max(1, round(height * scale)), max(1, round(width * scale))
        pad_h, pad_w = -(-new_h // 32) * 32, -(-new_w // 32) * 32
        return pad_h, pad_w, scale

    def _anchor_centres(self, fh: int, fw: int, stride: int) -> FloatArray:
        key = (fh, fw, stride)
        if key not in self._centres:
            ys, xs = np.mgrid[:fh, :fw]
            grid = np.stack([xs, ys], axis=-1).astype(np.float32)
            centres = (grid * stride).reshape(-1, 2)
            if self._anchors > 1:
                centres = np.repeat(centres, self._anchors, axis=0)
            self._centres[key] = centres
        return self._centres[key]

    def detect(self, image: ImageArray) -> list[Face]:
        height, width = image.shape[:2]
        pad_h, pad_w, scale = self._input_size(height, width)
        new_h, new_w = max(1, round(height * scale)), max(1, round(width * scale))
        canvas = np.zeros((pad_h, pad_w, 3), dtype=np.uint8)
        resized = image if scale == 1.0 else cv2.resize(image, (new_w, new_h), interpolation=cv2.INTER_AREA)
        canvas[:new_h, :new_w] = resized
        blob = ((canvas.astype(np.float32) - 127.5) / 128.0).transpose(2, 0, 1)[None]
        outs = self.session.run(None, {self._input: np.ascontiguousarray(blob)})
        boxes_all, scores_all, kps_all = [], [], []
        for level, stride in enumerate(self._strides):
            scores = np.asarray(outs[level]).reshape(-1)
            boxes = np.asarray(outs[level + self._levels]).reshape(-1, 4) * stride
            kps = np.asarray(outs[level + 2 * self._levels]).reshape(-1, 10) * stride
            centres = self._anchor_centres(pad_h // stride, pad_w // stride, stride)
            keep = np.where(scores >= self.score_threshold)[0]
            if keep.size == 0:
                continue
            c = centres[keep]
            b = boxes[keep]
            boxes_all.append(np.concatenate([c - b[:, :2], c + b[:, 2:]], axis=1))
            k = kps[keep].reshape(-1, 5, 2)
            kps_all.append(c[:, None, :] + k)
            scores_all.append(scores[keep])
        if not scores_all:
            return []
        boxes_px = np.concatenate(boxes_all) / scale
        kps_px = np.concatenate(kps_all) / scale
        scores_np = np.concatenate(scores_all)
        order = nms(boxes_px, scores_np, self.nms_threshold)
        boxes_px[:, [0, 2]] = boxes_px[:, [0, 2]].clip(0, width)
        boxes_px[:, [1, 3]] = boxes_px[:, [1, 3]].clip(0, height)
        return [
            Face(box=(float(boxes_px[i, 0]), float(boxes_px[i, 1]), float(boxes_px[i, 2]), float(boxes_px[i, 3])),
                 score=float(scores_np[i]), landmarks=kps_px[i].astype(np.float32))
            for i in order
        ]
