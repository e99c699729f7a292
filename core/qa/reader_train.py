"""Fine-tune a BERT-architecture encoder (all-MiniLM-L6-v2 by default) into an extractive
question-answering reader: transformers' AutoModelForQuestionAnswering puts a new span head
(start and end logits) on it, trained on synthetic (question, context, span) examples.

Long contexts are cut into overlapping windows exactly as the reader reads them (``max_length``
tokens, ``stride`` shared): the window that shows the answer and its sentence is labelled with
the answer, another one sometimes with [CLS] ("not here"), as for SQuAD 2.0."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from core.progress import Progress, no_progress
from core.qa.reader import cpu_bf16
from core.qa.synthetic import Example


@dataclass(frozen=True)
class ReaderTraining:
    steps: int = 250
    batch_size: int = 8
    learning_rate: float = 2e-4
    max_length: int = 256  # tokens per window, as the reader reads (HFReader max_length)
    stride: int = 96  # tokens shared by neighbouring windows of a long context
    negatives: float = 0.5  # chance that a long context adds a window without the answer
    # the longest span the reader then returns (HFReader reads it from the record): a whole
    # fact sentence when the examples' answers are sentences
    max_answer_tokens: int = 40
    seed: int = 0
    threads: int = 2
    bf16: bool | None = None  # bfloat16 autocast; None: where the CPU has native bf16 (~1.6x)


@dataclass
class TrainingRecord:
    base_model: str
    examples: int
    config: dict[str, Any]
    losses: list[float] = field(default_factory=list)
    buckets: list[int] = field(default_factory=list)  # examples in one window, in several
    rows: int = 0  # windows trained on
    seconds: float = 0.0
    size_bytes: int = 0

    @property
    def first_loss(self) -> float:
        return float(np.mean(self.losses[: max(1, len(self.losses) // 10)]))

    @property
    def last_loss(self) -> float:
        return float(np.mean(self.losses[-max(1, len(self.losses) // 10):]))

    def save(self, folder: Path) -> None:
        data = asdict(self) | {"first_loss": round(self.first_loss, 4),
                               "last_loss": round(self.last_loss, 4)}
        (folder / "training_record.json").write_text(json.dumps(data, indent=2), encoding="utf-8")


Row = tuple[dict[str, list[int]], int, int]  # one window's inputs, start and end token


def windows(tok: Any, example: Example, config: ReaderTraining, rng: np.random.Generator
          ) -> list[Row]:
    """The windows the reader would see for ``example``: one that shows the answer with its
    sentence's start (labelled with the answer's tokens) and, for a long context, sometimes one
    that does not (labelled [CLS]: "not in this window")."""
    enc = tok(example.question, example.context, truncation="only_second",
              max_length=config.max_length, stride=config.stride,
              return_overflowing_tokens=True, return_offsets_mapping=True)
    keep = [k for k in ("input_ids", "token_type_ids", "attention_mask") if k in enc]
    good: list[Row] = []
    bad: list[Row] = []
    for w, offsets in enumerate(enc["offset_mapping"]):
        seq = enc.sequence_ids(w)
        ctx = [i for i, s in enumerate(seq) if s == 1]
        inputs = {k: list(enc[k][w]) for k in keep}
        inside = [i for i in ctx if offsets[i][1] > example.start and offsets[i][0] < example.end
                  ] if example.answerable else []
        shows = bool(ctx) and offsets[ctx[0]][0] <= example.evidence_start \
            and offsets[ctx[-1]][1] >= example.end
        if shows and inside:
            good.append((inputs, inside[0], inside[-1]))
        else:
            bad.append((inputs, 0, 0))
    rows = [good[int(rng.integers(len(good)))]] if good else [bad[0]]
    if good and bad and rng.random() < config.negatives:
        rows.append(bad[int(rng.integers(len(bad)))])
    return rows


def _encode(tok: Any, batch: Sequence[Example], config: ReaderTraining,
            rng: np.random.Generator) -> dict[str, Any]:
    import torch

    rows = [row for example in batch for row in windows(tok, example, config, rng)]
    enc = tok.pad([inputs for inputs, _, _ in rows], return_tensors="pt")
    enc["start_positions"] = torch.tensor([a for _, a, _ in rows])
    enc["end_positions"] = torch.tensor([b for _, _, b in rows])
    return dict(enc)


def _buckets(tok: Any, data: Sequence[Example], config: ReaderTraining) -> list[list[int]]:
    """Examples whose context fits one window, and the others (read in windows), so that a
    batch pads short sub-contexts only to their own length."""
    sizes: dict[str, int] = {}
    short: list[int] = []
    long: list[int] = []
    for i, example in enumerate(data):
        if example.context not in sizes:
            sizes[example.context] = len(tok(example.context)["input_ids"])
        fits = sizes[example.context] + len(tok(example.question)["input_ids"]) <= config.max_length
        (short if fits else long).append(i)
    return [b for b in (short, long) if b]


def _optimizer(model: Any, config: ReaderTraining) -> tuple[Any, Any]:
    """AdamW with a linear warm-up (10% of the steps) and decay; the word embeddings (half the
    weights, little to learn there from a few thousand windows) stay as they are."""
    import torch

    model.get_input_embeddings().requires_grad_(False)
    optim = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad],
                              lr=config.learning_rate, weight_decay=0.01)
    warm = max(1, config.steps // 10)
    sched = torch.optim.lr_scheduler.LambdaLR(
        optim, lambda s: min(1.0, (s + 1) / warm) * max(0.0, 1 - s / config.steps))
    return optim, sched


def train_reader(base_dir: Path, out_dir: Path, data: Sequence[Example],
                 config: ReaderTraining = ReaderTraining(), progress: Progress = no_progress
                 ) -> TrainingRecord:
    """Fine-tune ``base_dir`` on ``data`` for ``config.steps`` steps; save model, tokenizer and
    training record in ``out_dir``."""
    import torch
    from transformers import AutoModelForQuestionAnswering, AutoTokenizer

    from core.qa.encoder import quiet_transformers

    quiet_transformers()
    torch.manual_seed(config.seed)
    torch.set_num_threads(max(1, config.threads))
    rng = np.random.default_rng(config.seed)
    start = time.perf_counter()
    tok = AutoTokenizer.from_pretrained(str(base_dir), local_files_only=True)
    model = AutoModelForQuestionAnswering.from_pretrained(str(base_dir), local_files_only=True)
    model.train()
    optim, sched = _optimizer(model, config)
    record = TrainingRecord(str(base_dir.name), len(data), asdict(config))
    buckets = _buckets(tok, data, config)
    bf16 = cpu_bf16() if config.bf16 is None else config.bf16
    record.config["bf16"] = bf16
    weights = np.array([len(b) for b in buckets], dtype=np.float64)
    record.buckets = [len(b) for b in buckets]
    for step in range(config.steps):
        bucket = buckets[int(rng.choice(len(buckets), p=weights / weights.sum()))]
        chosen = rng.choice(len(bucket), min(config.batch_size, len(bucket)), replace=False)
        inputs = _encode(tok, [data[bucket[int(i)]] for i in chosen], config, rng)
        record.rows += len(inputs["input_ids"])
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            loss = model(**inputs).loss
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optim.step()
        sched.step()
        optim.zero_grad()
        record.losses.append(round(float(loss.item()), 4))
        progress("train reader", step + 1, config.steps)
    out_dir.mkdir(parents=True, exist_ok=True)
    model.eval()
    model.save_pretrained(str(out_dir))
    tok.save_pretrained(str(out_dir))
    record.seconds = round(time.perf_counter() - start, 1)
    record.size_bytes = sum(f.stat().st_size for f in out_dir.iterdir() if f.is_file())
    record.save(out_dir)
    return record
