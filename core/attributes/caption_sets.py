"""Training captions for template CLIP-SMU: per image, its full caption and random subsets.

A face with many attributes gets one long caption; the text side learns each attribute
better when it also sees captions about one attribute, so every image gets ``variants``
captions: the full one (present attributes only, as in the paper) and ``variants - 1``
short ones that name one attribute, present or absent, in exactly the words of that
attribute's positive or negative prompt ("A photo of a face without eyeglasses."). The
negative prompts that score an attribute are thus learned, not guessed from the positive
words they share. Short captions repeat across images, which keeps the number of distinct
captions (each encoded once by the frozen sentence encoder) small. The choice is seeded by
the image's labels, so equal labels give equal captions in every fold and run. Unknown
labels (MAAD-Face's 0) are never named.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from core.attributes.captions import caption_for, prompts
from core.attributes.vocabulary import ATTRIBUTES, KEYS


def image_captions(labels: NDArray[np.int8], variants: int, seed: int = 0) -> list[list[str]]:
    """``variants`` captions for each row of ``labels`` (1 present, -1 absent, 0 unknown)."""
    named_when_absent = {a.key for a in ATTRIBUTES if a.absent_label}
    out: list[list[str]] = []
    for row in labels:
        present = [k for k, v in zip(KEYS, row, strict=True) if v > 0]
        absent = [k for k, v in zip(KEYS, row, strict=True) if v < 0 and k in named_when_absent]
        off = [k for k, v in zip(KEYS, row, strict=True) if v < 0]
        captions = [caption_for(present, absent)]
        rng = np.random.default_rng([seed, *(np.asarray(row, np.int64) + 1).tolist()])
        for _ in range(variants - 1):
            side = present if present and (not off or rng.random() < 0.5) else off
            if not side:
                captions.append(captions[0])
                continue
            key = side[int(rng.integers(len(side)))]
            captions.append(prompts(key)[0 if side is present else 1])
        out.append(captions)
    return out


def caption_index(captions: list[list[str]]) -> tuple[list[str], NDArray[np.int64]]:
    """The unique captions and, per image and variant, the index of its caption."""
    unique = sorted({c for per_image in captions for c in per_image})
    where = {c: i for i, c in enumerate(unique)}
    ids = np.array([[where[c] for c in per_image] for per_image in captions], dtype=np.int64)
    return unique, ids
