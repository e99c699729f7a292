"""Which device the torch parts (MTCNN, the sentence encoder, the reader, CLIP) run on.

``FACEXPLAIN_TORCH_DEVICE``: ``cpu``, ``cuda`` or ``auto`` (CUDA when torch sees a GPU). A
requested CUDA device that this torch build or machine cannot give is a WARNING naming what
to install, and the part runs on the CPU.
"""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)

CUDA_HINT = ("install a CUDA build of torch (scripts/setup --gpu, or pip install torch==2.13.0 "
             "from https://download.pytorch.org/whl/cu128) on a machine with an NVIDIA driver")


def resolve_device(requested: str) -> str:
    """``"cpu"`` or ``"cuda"`` for a requested ``cpu``/``cuda``/``auto`` (imports torch)."""
    if requested == "cpu":
        return "cpu"
    if requested not in ("cuda", "auto"):
        raise ValueError(f"unknown torch device {requested!r} (cpu, cuda or auto)")
    import torch

    if torch.cuda.is_available():
        return "cuda"
    if requested == "cuda":
        log.warning("FACEXPLAIN_TORCH_DEVICE=cuda but torch %s sees no CUDA device; running on "
                    "the CPU. To use the GPU: %s.", torch.__version__, CUDA_HINT)
    return "cpu"
