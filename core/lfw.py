"""LFW pairs files (View 1 and View 2) and image paths."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Pair:
    a: str  # relative image path, "Name/Name_0001.jpg"
    b: str
    same: bool
    fold: int


def image_rel(name: str, number: int) -> str:
    return f"{name}/{name}_{number:04d}.jpg"


def read_pairs(path: Path) -> list[Pair]:
    """Parse pairs.txt (header "10 300": folds of 300 genuine then 300 impostor pairs) or a
    View 1 file (header "1100": 1100 genuine then 1100 impostor pairs, one fold)."""
    lines = [ln.split() for ln in path.read_text().splitlines() if ln.strip()]
    header = [int(x) for x in lines[0]]
    folds, per_fold = (header[0], header[1]) if len(header) == 2 else (1, header[0])
    pairs: list[Pair] = []
    for i, parts in enumerate(lines[1:]):
        fold = i // (2 * per_fold)
        if len(parts) == 3:
            pairs.append(Pair(image_rel(parts[0], int(parts[1])), image_rel(parts[0], int(parts[2])), True, fold))
        elif len(parts) == 4:
            pairs.append(Pair(image_rel(parts[0], int(parts[1])), image_rel(parts[2], int(parts[3])), False, fold))
        else:
            raise ValueError(f"{path.name}: line {i + 2} is not a pair: {' '.join(parts)}")
    if len(pairs) != folds * 2 * per_fold:
        raise ValueError(f"{path.name}: expected {folds * 2 * per_fold} pairs, found {len(pairs)}")
    return pairs


def view1(lfw_dir: Path) -> list[Pair]:
    return read_pairs(lfw_dir / "pairsDevTrain.txt") + read_pairs(lfw_dir / "pairsDevTest.txt")


def view2(lfw_dir: Path) -> list[Pair]:
    return read_pairs(lfw_dir / "pairs.txt")
