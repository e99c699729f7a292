"""Zero-shot CLIP-SMU on a tiny, randomly initialised open_clip model saved to a folder.

The folder has the layout of an open_clip model on the Hugging Face hub, so the test runs
the same loading, preprocessing, prompting and scoring code as ViT-B-32 with OpenAI weights.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from core.attributes.captions import prompts
from core.attributes.vocabulary import KEYS
from core.errors import ModelNotFound


def _open_clip_imports() -> bool:
    if importlib.util.find_spec("open_clip") is None or importlib.util.find_spec("torch") is None:
        return False
    try:
        import open_clip  # noqa: F401
    except ImportError:  # e.g. a torchvision that does not load beside this torch
        return False
    return True


pytestmark = pytest.mark.skipif(not _open_clip_imports(),
                                reason="open_clip is optional and does not import here")

TINY = {
    "model_cfg": {
        "embed_dim": 16,
        "vision_cfg": {"image_size": 32, "layers": 1, "width": 32, "head_width": 16, "patch_size": 8},
        "text_cfg": {"context_length": 77, "vocab_size": 49408, "width": 32, "heads": 2, "layers": 1},
    },
    "preprocess_cfg": {"size": 32, "mean": [0.5, 0.5, 0.5], "std": [0.25, 0.25, 0.25]},
}


def write_tiny_clip(folder: Path) -> Path:
    """A randomly initialised tiny open_clip model, saved as a hub-style model folder."""
    import torch
    from safetensors.torch import save_file

    from core.attributes.open_clip_loader import import_open_clip

    folder.mkdir(parents=True, exist_ok=True)
    (folder / "open_clip_config.json").write_text(json.dumps(TINY))
    torch.manual_seed(0)
    model = import_open_clip().model.CLIP(**TINY["model_cfg"])
    save_file({k: v.contiguous() for k, v in model.state_dict().items()},
              str(folder / "open_clip_model.safetensors"))
    return folder


@pytest.fixture(scope="module")
def tiny_clip_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_tiny_clip(tmp_path_factory.mktemp("tiny-clip"))


@pytest.fixture(scope="module")
def clip(tiny_clip_dir: Path) -> Any:
    from core.attributes.zero_shot import ZeroShotClip

    return ZeroShotClip.from_folder(tiny_clip_dir)


def test_the_tiny_model_loads_from_its_folder_with_the_saved_weights(tiny_clip_dir: Path, clip: Any) -> None:
    from safetensors.torch import load_file

    saved = load_file(str(tiny_clip_dir / "open_clip_model.safetensors"))
    loaded = clip.model.state_dict()
    assert all(np.array_equal(saved[k].numpy(), loaded[k].numpy()) for k in saved)
    assert clip.image_size == 32
    assert np.allclose(clip.mean, 0.5) and np.allclose(clip.std, 0.25)


def test_zero_shot_scores_every_attribute_from_the_crop_and_the_prompts(clip: Any) -> None:
    import torch

    rng = np.random.default_rng(0)
    crops = rng.integers(0, 256, size=(3, 112, 112, 3), dtype=np.uint8)
    scores = clip.scores(crops)
    assert scores.shape == (3, len(KEYS))
    assert np.all((scores > 0) & (scores < 1))
    assert not np.allclose(scores[0], scores[1])  # different crops, different scores

    # the same number by hand for one attribute: softmax over the two prompts' similarities
    pos, neg = prompts("Eyeglasses")
    with torch.no_grad():
        x = torch.from_numpy(clip.preprocess(crops[:1]))
        img = torch.nn.functional.normalize(clip.model.encode_image(x), dim=-1)
        txt = torch.nn.functional.normalize(clip.model.encode_text(clip.tokenizer([pos, neg])), dim=-1)
        probs = (clip.model.logit_scale.exp() * img @ txt.T).softmax(dim=-1)
    assert scores[0, KEYS.index("Eyeglasses")] == pytest.approx(float(probs[0, 0]), abs=1e-5)


def test_a_folder_without_weights_is_refused_by_name(tmp_path: Path) -> None:
    from core.attributes.open_clip_loader import load_open_clip

    (tmp_path / "open_clip_config.json").write_text(json.dumps(TINY))
    with pytest.raises(ModelNotFound, match="no .safetensors"):
        load_open_clip(tmp_path)
    with pytest.raises(ModelNotFound, match="open_clip_config.json"):
        load_open_clip(tmp_path / "missing")
