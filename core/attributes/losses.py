"""CLIP's symmetric contrastive loss, and batches in which every caption is unique.

For a batch of N (template, caption) pairs, logits = exp(log_scale) * cos(template_i,
caption_j); the loss is the mean of the cross-entropy of each row (image -> text) and of each
column (text -> image) against the diagonal. Two equal captions in one batch would make a
correct pair count as a wrong one, so batches never repeat a caption.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray


def symmetric_clip_loss(image: Any, text: Any, log_scale: Any) -> Any:
    """The paper's loss on torch tensors: (CE(image->text) + CE(text->image)) / 2."""
    import torch
    import torch.nn.functional as F

    image = F.normalize(image, dim=-1)
    text = F.normalize(text, dim=-1)
    logits = log_scale.exp() * image @ text.T
    target = torch.arange(len(image), device=logits.device)
    return (F.cross_entropy(logits, target) + F.cross_entropy(logits.T, target)) / 2


def unique_caption_batches(
    caption_ids: Sequence[int] | NDArray[np.int64], batch_size: int, rng: np.random.Generator
) -> list[NDArray[np.int64]]:
    """Shuffled batches of sample indices with no caption id twice in a batch.

    A sample goes to the first open batch that lacks its caption; a batch closes when full.
    Every sample is used once, except that left-over batches of one sample (which contrast
    nothing) are dropped.
    """
    ids = np.asarray(caption_ids)
    open_batches: list[tuple[list[int], set[int]]] = []
    done: list[NDArray[np.int64]] = []
    for i in rng.permutation(len(ids)):
        cid = int(ids[i])
        pos = next((j for j, (_, seen) in enumerate(open_batches) if cid not in seen), None)
        if pos is None:
            open_batches.append(([], set()))
            pos = len(open_batches) - 1
        members, seen = open_batches[pos]
        members.append(int(i))
        seen.add(cid)
        if len(members) == batch_size:
            done.append(np.array(members, dtype=np.int64))
            del open_batches[pos]
    done += [np.array(m, dtype=np.int64) for m, _ in open_batches if len(m) > 1]
    order = rng.permutation(len(done))
    return [done[j] for j in order]
