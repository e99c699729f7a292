"""Per-face regions from 68 dense landmarks (optional: needs dlib and a 68-point model file).

Left and right are the subject's own: the person's left eye appears on the VIEWER'S RIGHT of the
image (as in ``core.regions`` and ``core.comparison.REGIONS``).

The regions are built by ``core.regions.masks_from_landmarks68`` from this face's own landmarks
instead of the template's mean shape, so they follow the face's real eyebrows, lips and jaw.
``LandmarkModel`` is the seam; ``DlibLandmarks`` runs dlib's 68-point shape predictor (iBUG
300-W scheme) on the aligned crop inside a fixed box. Install with
``pip install 'facexplain[regions-dense]'`` (dlib-bin, and face_recognition_models, which ships
``shape_predictor_68_face_landmarks.dat``; the file is found from the package's location without
importing it, since its ``__init__`` needs the retired ``pkg_resources``). That model was trained on
iBUG 300-W, whose licence excludes commercial use; the product never bundles it.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

from core.errors import ModelNotFound
from core.regions import TEMPLATE_SIZE, Mask, canonical_region_masks, masks_from_landmarks68

MODEL_FILE = "shape_predictor_68_face_landmarks.dat"
# The box dlib's predictor is given, on the 112 px template: the mean box of dlib's own frontal
# face detector on 100 LFW aligned-112 crops (13.5, 29.3, 95.0, 110.8). On those crops it puts the
# eye centres and mouth corners 3.4 px from the template points on average, against 3.9 px for
# the full-crop box (benchmarks/region_agreement.py --box full reports the latter).
TEMPLATE_BOX: tuple[int, int, int, int] = (13, 29, 95, 111)


class LandmarkModel(Protocol):
    """Finds the 68 iBUG/300-W landmarks on an aligned crop (H x W x 3 RGB uint8)."""

    name: str

    def landmarks68(self, crop: NDArray[np.uint8]) -> NDArray[np.float64]:
        """68 x 2 (x, y) in crop pixels."""
        ...


class DlibLandmarks:
    """dlib's shape predictor on the crop. ``predictor`` may be injected (any callable
    ``(image, dlib.rectangle) -> full_object_detection``); otherwise it is loaded from
    ``model_path`` or, when that is None, from the face_recognition_models package."""

    name = "dlib-68"

    def __init__(self, model_path: Path | None = None, *, box: tuple[int, int, int, int] = TEMPLATE_BOX,
                 predictor: Any = None) -> None:
        try:
            import dlib
        except ImportError as exc:
            raise ModelNotFound(detail="dlib is not installed (pip install dlib-bin)") from exc
        self._rectangle = dlib.rectangle
        self.box = box
        self._predictor = predictor if predictor is not None else dlib.shape_predictor(
            str(_model_path(model_path)))

    def landmarks68(self, crop: NDArray[np.uint8]) -> NDArray[np.float64]:
        scale = crop.shape[1] / TEMPLATE_SIZE
        left, top, right, bottom = (int(round(v * scale)) for v in self.box)
        shape = self._predictor(np.ascontiguousarray(crop), self._rectangle(left, top, right, bottom))
        return np.array([[p.x, p.y] for p in shape.parts()], dtype=np.float64)


@dataclass(frozen=True)
class DenseRegions:
    masks: dict[str, Mask]
    landmarks: NDArray[np.float64]
    used_canonical: bool  # True when the fit looked wrong and the canonical map was used instead


class DenseLandmarkRegions:
    """A ``core.regions.RegionSource`` fitted to each face. A region masks fitted to each face. A region whose area falls below ``min_area_ratio`` or
    above ``1 / min_area_ratio`` times its canonical area marks the fit as failed, and the
    canonical map is returned for the whole face (so masks always stay disjoint and non-empty)."""

    def __init__(self, model: LandmarkModel, *, min_area_ratio: float = 0.3) -> None:
        self.model = model
        self.name = f"dense ({model.name})"
        self.min_area_ratio = min_area_ratio

    def fit(self, crop: NDArray[np.uint8]) -> DenseRegions:
        size = crop.shape[0]
        points = self.model.landmarks68(crop)
        masks, canonical = masks_from_landmarks68(points, size), canonical_region_masks(size)
        ratios = [masks[r].sum() / max(int(canonical[r].sum()), 1) for r in canonical]
        if min(ratios) < self.min_area_ratio or max(ratios) > 1.0 / self.min_area_ratio:
            return DenseRegions(canonical, points, used_canonical=True)
        return DenseRegions(masks, points, used_canonical=False)

    def masks(self, crop: NDArray[np.uint8]) -> dict[str, Mask]:
        return self.fit(crop).masks


def _model_path(model_path: Path | None) -> Path:
    if model_path is None:
        spec = importlib.util.find_spec("face_recognition_models")  # finds, does not import
        if spec is None or not spec.submodule_search_locations:
            raise ModelNotFound(detail=f"{MODEL_FILE}: pass its path, or pip install "
                                "'facexplain[regions-dense]' (face_recognition_models)")
        model_path = Path(next(iter(spec.submodule_search_locations))) / "models" / MODEL_FILE
    if not model_path.is_file():
        raise ModelNotFound(detail=f"{model_path.name} was not found in {model_path.parent}")
    return model_path
