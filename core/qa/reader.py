"""Extractive question answering (a SQuAD-style reader): the span of a context that answers a
question, with its probability. Any Hugging Face question-answering model folder works; the
paper's is ``bert-large-uncased-whole-word-masking-finetuned-squad``. Contexts longer than the
model's window are read in overlapping windows (``stride`` tokens shared), as transformers'
question-answering pipeline does with ``doc_stride``. The [CLS] token takes part in each
window's softmax (the "no answer here" choice a reader trained with windows learns), so a
window without the answer gives a small span probability and windows compare fairly."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

from core.errors import ModelNotFound
from core.qa.encoder import quiet_transformers

DEFAULT_READER = "bert-large-uncased-whole-word-masking-finetuned-squad"


@dataclass(frozen=True)
class Span:
    """``context[start:end] == text``; ``score`` is P(start) * P(end) in its window (over the
    context's tokens and [CLS]), 0..1."""

    text: str
    start: int
    end: int
    score: float


class Reader(Protocol):
    def read(self, question: str, context: str) -> Span: ...


class HFReader:
    """A transformers AutoModelForQuestionAnswering + fast tokenizer from a local folder. The
    windows are the ones the reader was trained with (its ``training_record.json``), else 384
    tokens with a stride of 128, unless given; so is the longest answer (40 tokens else)."""

    def __init__(
        self,
        model_dir: Path,
        *,
        max_length: int | None = None,
        stride: int | None = None,
        max_answer_tokens: int | None = None,
        max_question_tokens: int = 64,
        device: str = "cpu",
        bf16: bool | None = None,
        model: Any = None,
        tokenizer: Any = None,
    ) -> None:
        self.model_dir = model_dir
        trained = _trained_windows(model_dir)
        self.max_length = max_length or trained.get("max_length", 384)
        self.stride = stride or trained.get("stride", 128)
        self.max_answer_tokens = max_answer_tokens or trained.get("max_answer_tokens", 40)
        self.max_question_tokens = max_question_tokens
        self.device = device
        self.bf16 = bf16  # bfloat16 autocast on the CPU; None: where the CPU has native bf16
        self._model, self._tokenizer = model, tokenizer

    def _load(self) -> tuple[Any, Any]:
        if self._model is None or self._tokenizer is None:
            if not (self.model_dir / "config.json").is_file():
                raise ModelNotFound(
                    detail=f"no question-answering model (config.json) in {self.model_dir.resolve()}"
                )
            from transformers import AutoModelForQuestionAnswering, AutoTokenizer

            quiet_transformers()

            self._tokenizer = AutoTokenizer.from_pretrained(str(self.model_dir), local_files_only=True)
            model = AutoModelForQuestionAnswering.from_pretrained(
                str(self.model_dir), local_files_only=True
            )
            self._model = model.to(self.device).eval()
        return self._model, self._tokenizer

    def read(self, question: str, context: str) -> Span:
        if not context.strip() or not question.strip():
            return Span("", 0, 0, 0.0)
        import torch

        model, tok = self._load()
        ids = tok(question, add_special_tokens=False)["input_ids"]
        if len(ids) > self.max_question_tokens:
            question = tok.decode(ids[: self.max_question_tokens])
        enc = tok(
            question, context, truncation="only_second", max_length=self.max_length,
            stride=self.stride, return_overflowing_tokens=True, return_offsets_mapping=True,
            padding="longest", return_tensors="pt",
        )
        offsets = enc.pop("offset_mapping").numpy()
        enc.pop("overflow_to_sample_mapping", None)
        inputs = {k: v.to(self.device) for k, v in enc.items()}
        fast = self.device == "cpu" and (cpu_bf16() if self.bf16 is None else self.bf16)
        with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=fast):
            out = model(**inputs)
        starts = out.start_logits.float().cpu().numpy()
        ends = out.end_logits.float().cpu().numpy()
        best = Span("", 0, 0, 0.0)
        for w in range(starts.shape[0]):
            in_context = np.array([s == 1 for s in enc.sequence_ids(w)])
            null = np.zeros_like(in_context)
            null[0] = True  # [CLS]: "not in this window"
            found = self._best_in_window(starts[w], ends[w], in_context, null)
            if found is not None and found[2] > best.score:
                a, b = int(offsets[w][found[0]][0]), int(offsets[w][found[1]][1])
                best = Span(context[a:b], a, b, found[2])
        return best

    def _best_in_window(
        self, start: NDArray[np.float32], end: NDArray[np.float32], mask: NDArray[np.bool_],
        null: NDArray[np.bool_],
    ) -> tuple[int, int, float] | None:
        if not mask.any():
            return None
        p_start, p_end = _softmax(start, mask | null), _softmax(end, mask | null)
        joint = np.triu(np.outer(p_start, p_end))  # end at or after start
        joint = np.tril(joint, self.max_answer_tokens - 1)  # at most max_answer_tokens long
        joint[~mask, :] = 0.0
        joint[:, ~mask] = 0.0
        i, j = np.unravel_index(int(np.argmax(joint)), joint.shape)
        return int(i), int(j), float(joint[i, j])


def cpu_bf16() -> bool:
    """Whether this CPU computes bfloat16 natively (oneDNN), where autocast is ~1.6x faster."""
    import torch

    try:
        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):  # a torch built without oneDNN
        return False


def _trained_windows(model_dir: Path) -> dict[str, int]:
    """The window size, stride and longest answer ``facexplain train reader`` trained with."""
    import json

    try:
        config = json.loads((model_dir / "training_record.json").read_text(encoding="utf-8"))["config"]
        return {k: int(config[k]) for k in ("max_length", "stride", "max_answer_tokens")
                if k in config}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def _softmax(logits: NDArray[np.float32], mask: NDArray[np.bool_]) -> NDArray[np.float64]:
    x = np.where(mask, logits.astype(np.float64), -np.inf)
    x = np.exp(x - x[mask].max())
    return np.asarray(x / x.sum(), dtype=np.float64)
