"""How well the canonical region map agrees with regions fitted to each face's 68 landmarks.

    python benchmarks/region_agreement.py --n 100 --seed 0 [--box full] [--pictures DIR]

Crops: ``--n`` files drawn at random (``--seed``) from ../shared/data/lfw/aligned-112, which are
already aligned to the ArcFace 112x112 template. Each crop gets dlib's 68 landmarks
(core.regions_dense.DlibLandmarks, inside ``TEMPLATE_BOX`` or, with ``--box full``, the whole
crop), regions built from them, and the IoU of each region with the canonical map. "Frontal"
keeps the crops whose nose tip (landmark 30) lies within 0.08 inter-ocular distances of the
eye midpoint horizontally (a rough yaw test). Also reported: how far the fitted eye centres,
nose tip and mouth corners lie from the template's five points, the fits rejected by the
area check (canonical map used instead), and the time per crop.
"""

from __future__ import annotations

import argparse
import random
import time
from pathlib import Path

import numpy as np
from PIL import Image

from core.align import ARCFACE_TEMPLATE
from core.comparison import REGIONS
from core.regions import canonical_region_masks, masks_from_landmarks68
from core.regions_dense import TEMPLATE_BOX, DenseLandmarkRegions, DlibLandmarks

LFW = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "lfw"


def five_points(p: np.ndarray) -> np.ndarray:
    """The template's five points as read from 68 landmarks (eye centres, nose tip, mouth corners)."""
    return np.array([p[36:42].mean(0), p[42:48].mean(0), p[30], p[48], p[54]])


def is_frontal(p: np.ndarray) -> bool:
    eye_r, eye_l = p[36:42].mean(0), p[42:48].mean(0)
    return bool(abs(p[30, 0] - (eye_r[0] + eye_l[0]) / 2) < 0.08 * np.linalg.norm(eye_l - eye_r))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lfw-dir", type=Path, default=LFW)
    parser.add_argument("--n", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--box", choices=("template", "full"), default="template")
    parser.add_argument("--model", type=Path, default=None, help="shape_predictor_68_face_landmarks.dat")
    parser.add_argument("--pictures", type=Path, default=None, help="write region pictures of 6 crops here")
    args = parser.parse_args()

    files = sorted((args.lfw_dir / "aligned-112").glob("*/*.jpg"))
    if not files:
        raise SystemExit(f"no crops under {args.lfw_dir / 'aligned-112'}")
    files = random.Random(args.seed).sample(files, min(args.n, len(files)))
    box = TEMPLATE_BOX if args.box == "template" else (0, 0, 112, 112)
    regions = DenseLandmarkRegions(DlibLandmarks(args.model, box=box))
    canonical = canonical_region_masks()
    ious, frontal, errors, rejected, seconds = [], [], [], 0, 0.0
    for i, path in enumerate(files):
        crop = np.asarray(Image.open(path).convert("RGB"))
        start = time.perf_counter()
        fit = regions.fit(crop)
        seconds += time.perf_counter() - start
        rejected += fit.used_canonical
        masks = masks_from_landmarks68(fit.landmarks)  # the fitted regions, even when rejected
        ious.append([(masks[r] & canonical[r]).sum() / (masks[r] | canonical[r]).sum() for r in REGIONS])
        frontal.append(is_frontal(fit.landmarks))
        errors.append(np.linalg.norm(five_points(fit.landmarks) - ARCFACE_TEMPLATE, axis=1))
        if args.pictures is not None and i < 6:
            from core.render import render_regions

            args.pictures.mkdir(parents=True, exist_ok=True)
            (args.pictures / f"{path.stem}_dense.png").write_bytes(render_regions(crop, masks))
            (args.pictures / f"{path.stem}_canonical.png").write_bytes(render_regions(crop, canonical))
    iou, front = np.array(ious), np.array(frontal)
    print(f"{len(files)} LFW aligned-112 crops (seed {args.seed}), box {args.box} {box}; "
          f"{front.sum()} frontal")
    print(f"{'region':<15}{'mean IoU':>9}{'frontal':>9}{'median':>8}{'min':>7}")
    for j, region in enumerate(REGIONS):
        col = iou[:, j]
        mean_frontal = col[front].mean() if front.any() else float("nan")
        print(f"{region:<15}{col.mean():>9.3f}{mean_frontal:>9.3f}{np.median(col):>8.3f}{col.min():>7.3f}")
    print(f"{'all regions':<15}{iou.mean():>9.3f}{iou[front].mean() if front.any() else float('nan'):>9.3f}")
    err = np.array(errors).mean(axis=0)
    print("mean distance to the template points (px): eyes {:.2f} {:.2f}, nose {:.2f}, mouth {:.2f} {:.2f}"
          .format(*err))
    print(f"fits rejected by the area check: {rejected}; {1000 * seconds / len(files):.1f} ms per crop")


if __name__ == "__main__":
    main()
