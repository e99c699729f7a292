"""A tiny, randomly initialised BERT reader folder, for tests and smoke runs of the reader
code path when no trained SQuAD model is installed. Its answers are random spans: it proves
the pipeline runs end to end, nothing about accuracy."""

from __future__ import annotations

import re
import string
from collections.abc import Iterable
from pathlib import Path

SPECIAL = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")


def word_piece_vocab(texts: Iterable[str]) -> list[str]:
    """Special tokens, every lower-case word and punctuation mark in ``texts``, and single
    characters (plain and ``##``-prefixed) so that any other word still tokenizes."""
    words: dict[str, None] = {}
    for text in texts:
        for w in re.findall(r"\w+|[^\w\s]", text.lower()):
            words[w] = None
    chars = string.ascii_lowercase + string.digits + string.punctuation
    pieces = list(chars) + [f"##{c}" for c in string.ascii_lowercase + string.digits]
    return list(dict.fromkeys([*SPECIAL, *pieces, *words]))


def build_random_reader(folder: Path, texts: Iterable[str], seed: int = 0, hidden: int = 32) -> Path:
    """Write a randomly initialised BertForQuestionAnswering and its tokenizer to ``folder``."""
    import torch
    from transformers import BertConfig, BertForQuestionAnswering, BertTokenizer

    folder.mkdir(parents=True, exist_ok=True)
    vocab_file = folder / "vocab.txt"
    vocab_file.write_text("\n".join(word_piece_vocab(texts)) + "\n", encoding="utf-8")
    tokenizer = BertTokenizer(vocab_file=str(vocab_file), do_lower_case=True)  # fast in transformers 5
    config = BertConfig(
        vocab_size=len(tokenizer), hidden_size=hidden, num_hidden_layers=2, num_attention_heads=2,
        intermediate_size=2 * hidden, max_position_embeddings=512,
    )
    torch.manual_seed(seed)
    BertForQuestionAnswering(config).save_pretrained(str(folder))
    tokenizer.save_pretrained(str(folder))
    return folder
