"""Zero-shot CLIP-SMU on a tiny, randomly initialised transformers CLIPModel saved to a folder
as ``save_pretrained`` writes it (the layout of openai/clip-vit-base-patch32): the same
loading, preprocessing, prompting and scoring as the real model, with no torchvision, no
open_clip and no network."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from core.attributes.captions import prompts
from core.attributes.vocabulary import KEYS
from core.errors import ModelNotFound
from tests.core.tiny_hf_clip import write_tiny_hf_clip

pytest.importorskip("torch")
pytest.importorskip("transformers")


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from core.attributes.zero_shot import ZeroShotClip

    return ZeroShotClip.from_folder(write_tiny_hf_clip(tmp_path_factory.mktemp("hf-clip")))


def test_a_hugging_face_clip_folder_loads_without_torchvision_or_open_clip(clip: Any) -> None:
    assert clip.kind == "clip" and clip.image_size == 32
    assert np.allclose(clip.mean, 0.5) and np.allclose(clip.std, 0.25)
    assert "open_clip" not in sys.modules


def test_zero_shot_scores_are_the_softmax_over_the_two_prompts(clip: Any) -> None:
    import torch

    rng = np.random.default_rng(0)
    crops = rng.integers(0, 256, size=(3, 112, 112, 3), dtype=np.uint8)
    scores = clip.scores(crops)
    assert scores.shape == (3, len(KEYS)) and np.all((scores > 0) & (scores < 1))
    assert not np.allclose(scores[0], scores[1])
    pos, neg = prompts("Eyeglasses")
    model = clip.model.model  # the transformers CLIPModel
    with torch.no_grad():
        out = model(input_ids=clip.tokenizer([pos, neg])["input_ids"],
                    attention_mask=clip.tokenizer([pos, neg])["attention_mask"],
                    pixel_values=torch.from_numpy(clip.preprocess(crops[:1])))
        probs = out.logits_per_image.softmax(dim=-1)
    assert scores[0, KEYS.index("Eyeglasses")] == pytest.approx(float(probs[0, 0]), abs=1e-5)


def test_a_folder_that_is_not_clip_is_refused_by_name(tmp_path: Path) -> None:
    from core.attributes.hf_clip import load_hf_clip

    with pytest.raises(ModelNotFound, match="model_type 'clip'"):
        load_hf_clip(tmp_path)
