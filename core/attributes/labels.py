"""Attribute labels from LFW's attribute scores or MAAD-Face's annotation file.

Labels are an N x 47 int8 matrix in vocabulary order: 1 present, -1 absent, 0 unknown.

* LFW (Kumar et al.): a TSV with ``person``, ``imagenum`` and 73 real-valued attribute
  scores; > 0 means present. Image path: ``<person with spaces as _>/<person>_NNNN.jpg``.
  Every MAAD-Face attribute has an LFW column of the same meaning (``LFW_COLUMNS``) except
  Attractive, which LFW splits into "Attractive Man" and "Attractive Woman": we use the one
  that matches the image's Male score.
* MAAD-Face (Terhörst et al.): a CSV whose header is ``Filename,Identity,`` followed by the
  47 attribute names (any order, extra columns ignored) and whose values are 1, -1 or 0
  (unknown); ``Filename`` is relative to the VGGFace2 image folder (``n000002/0001_01.jpg``).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from core.attributes.vocabulary import KEYS
from core.errors import FacexplainError

# MAAD-Face key -> LFW column (Kumar et al.'s names)
LFW_COLUMNS: dict[str, str] = {
    "Male": "Male", "Young": "Youth", "Middle_Aged": "Middle Aged", "Senior": "Senior",
    "Asian": "Asian", "White": "White", "Black": "Black", "Rosy_Cheeks": "Rosy Cheeks",
    "Shiny_Skin": "Shiny Skin", "Bald": "Bald", "Wavy_Hair": "Wavy Hair",
    "Receding_Hairline": "Receding Hairline", "Bangs": "Bangs", "Sideburns": "Sideburns",
    "Black_Hair": "Black Hair", "Blond_Hair": "Blond Hair", "Brown_Hair": "Brown Hair",
    "Gray_Hair": "Gray Hair", "No_Beard": "No Beard", "Mustache": "Mustache",
    "5_o_Clock_Shadow": "5 o' Clock Shadow", "Goatee": "Goatee", "Oval_Face": "Oval Face",
    "Square_Face": "Square Face", "Round_Face": "Round Face", "Double_Chin": "Double Chin",
    "High_Cheekbones": "High Cheekbones", "Chubby": "Chubby",
    "Obstructed_Forehead": "Obstructed Forehead",
    "Fully_Visible_Forehead": "Fully Visible Forehead", "Brown_Eyes": "Brown Eyes",
    "Bags_Under_Eyes": "Bags Under Eyes", "Bushy_Eyebrows": "Bushy Eyebrows",
    "Arched_Eyebrows": "Arched Eyebrows", "Mouth_Closed": "Mouth Closed",
    "Smiling": "Smiling", "Big_Lips": "Big Lips", "Big_Nose": "Big Nose",
    "Pointy_Nose": "Pointy Nose", "Heavy_Makeup": "Heavy Makeup", "Wearing_Hat": "Wearing Hat",
    "Wearing_Earrings": "Wearing Earrings", "Wearing_Necktie": "Wearing Necktie",
    "Wearing_Lipstick": "Wearing Lipstick", "No_Eyewear": "No Eyewear",
    "Eyeglasses": "Eyeglasses",
}
LFW_ATTRACTIVE = ("Attractive Man", "Attractive Woman")


@dataclass(frozen=True)
class LabelledImages:
    """Images (paths relative to an image root), their identities and attribute labels."""

    paths: list[str]
    identities: list[str]
    labels: NDArray[np.int8]  # N x len(KEYS): 1 present, -1 absent, 0 unknown
    source: str = ""

    def subset(self, index: NDArray[np.intp]) -> LabelledImages:
        return LabelledImages([self.paths[i] for i in index], [self.identities[i] for i in index],
                              self.labels[index], self.source)


def lfw_path(person: str, number: int) -> str:
    name = person.strip().replace(" ", "_")
    return f"{name}/{name}_{number:04d}.jpg"


def read_lfw_attributes(tsv: Path) -> LabelledImages:
    if not tsv.is_file():
        raise FacexplainError("The LFW attribute file was not found.",
                              detail=f"expected {tsv.resolve()}")
    with tsv.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh, delimiter="\t"))
    header, body = rows[0], [r for r in rows[1:] if r]
    col = {name: i for i, name in enumerate(header)}
    missing = [c for c in [*LFW_COLUMNS.values(), *LFW_ATTRACTIVE, "person", "imagenum"]
               if c not in col]
    if missing:
        raise FacexplainError("The LFW attribute file lacks columns.", detail=", ".join(missing))
    values = np.array([[float(r[i]) for i in range(2, len(header))] for r in body])
    scores = {name: values[:, col[name] - 2] for name in header[2:]}
    labels = np.zeros((len(body), len(KEYS)), dtype=np.int8)
    for j, key in enumerate(KEYS):
        if key == "Attractive":
            man, woman = (scores[c] for c in LFW_ATTRACTIVE)
            s = np.where(scores["Male"] > 0, man, woman)
        else:
            s = scores[LFW_COLUMNS[key]]
        labels[:, j] = np.where(s > 0, 1, -1)
    paths = [lfw_path(r[col["person"]], int(r[col["imagenum"]])) for r in body]
    people = [r[col["person"]].strip() for r in body]
    return LabelledImages(paths, people, labels, source=f"LFW attributes ({tsv.name})")


def read_maad(csv_file: Path) -> LabelledImages:
    """MAAD-Face's annotation CSV (``MAAD_Face.csv``): 1 / -1 / 0 = unknown."""
    if not csv_file.is_file():
        raise FacexplainError("The MAAD-Face annotation file was not found.",
                              detail=f"expected {csv_file.resolve()}")
    with csv_file.open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        header = [h.strip() for h in next(reader)]
        col = {name: i for i, name in enumerate(header)}
        missing = [k for k in ("Filename", "Identity", *KEYS) if k not in col]
        if missing:
            raise FacexplainError("The MAAD-Face file lacks columns.", detail=", ".join(missing))
        paths, people, rows = [], [], []
        for r in reader:
            if not r:
                continue
            paths.append(r[col["Filename"]].strip())
            people.append(r[col["Identity"]].strip())
            rows.append([int(float(r[col[k]])) for k in KEYS])
    labels = np.clip(np.array(rows, dtype=np.int64).reshape(-1, len(KEYS)), -1, 1).astype(np.int8)
    return LabelledImages(paths, people, labels, source=f"MAAD-Face ({csv_file.name})")
