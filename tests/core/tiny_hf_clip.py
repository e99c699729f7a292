"""A tiny, randomly initialised transformers CLIPModel saved to a folder as ``save_pretrained``
writes it (the layout of openai/clip-vit-base-patch32). Needs torch and transformers."""

from __future__ import annotations

import json
from pathlib import Path


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
