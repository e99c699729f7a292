"""Zero-shot CLIP-SMU on a tiny, randomly initialised transformers CLIPModel saved to a folder
as ``save_pretrained`` writes it (the layout of openai/clip-vit-base-patch32): the same
loading, preprocessing, prompting and scoring as the real model, with no torchvision, no
open_clip and no network."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from core.attributes.captions import prompts
from core.attributes.vocabulary import KEYS
from core.errors import ModelNotFound

pytest.importorskip("torch")
pytest.importorskip("transformers")


def byte_level_alphabet() -> list[str]:
    """The 256 characters CLIP's (GPT-2's) byte-level BPE maps the bytes to."""
    keep = [*range(ord("!"), ord("~") + 1), *range(ord("¡"), ord("¬") + 1), *range(ord("®"), ord("ÿ") + 1)]
    extra = iter(range(256, 512))
    return [chr(b) if b in keep else chr(next(extra)) for b in range(256)]


def write_tiny_hf_clip(folder: Path) -> Path:
    """A tiny CLIP with a byte-level vocabulary (no merges) and its preprocessing config."""
    import torch
    from transformers import CLIPConfig, CLIPModel, CLIPTokenizer

    folder.mkdir(parents=True, exist_ok=True)
    chars = byte_level_alphabet()
    vocab = {t: i for i, t in enumerate([*chars, *(c + "</w>" for c in chars),
                                         "<|startoftext|>", "<|endoftext|>"])}
    (folder / "vocab.json").write_text(json.dumps(vocab))
    (folder / "merges.txt").write_text("#version: 0.2\n")
    CLIPTokenizer(str(folder / "vocab.json"), str(folder / "merges.txt")).save_pretrained(str(folder))
    config = CLIPConfig(
        text_config={"vocab_size": len(vocab), "hidden_size": 32, "intermediate_size": 64,
                     "num_hidden_layers": 1, "num_attention_heads": 2, "max_position_embeddings": 77,
                     "bos_token_id": vocab["<|startoftext|>"], "eos_token_id": vocab["<|endoftext|>"],
                     "pad_token_id": vocab["<|endoftext|>"]},
        vision_config={"hidden_size": 32, "intermediate_size": 64, "num_hidden_layers": 1,
                       "num_attention_heads": 2, "image_size": 32, "patch_size": 8},
        projection_dim=16)
    torch.manual_seed(0)
    CLIPModel(config).save_pretrained(str(folder))
    (folder / "preprocessor_config.json").write_text(json.dumps(
        {"crop_size": {"height": 32, "width": 32}, "image_mean": [0.5, 0.5, 0.5],
         "image_std": [0.25, 0.25, 0.25]}))
    return folder


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
