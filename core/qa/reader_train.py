"""Fine-tune a BERT-architecture encoder (all-MiniLM-L6-v2 by default) into an extractive
question-answering reader: transformers' AutoModelForQuestionAnswering puts a new span head
(start and end logits) on it, trained on synthetic (question, context, span) examples."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from core.progress import Progress, no_progress
from core.qa.synthetic import Example


@dataclass(frozen=True)
class ReaderTraining:
    steps: int = 150
    batch_size: int = 16
    learning_rate: float = 2e-4
    max_length: int = 160
    seed: int = 0
    threads: int = 2


@dataclass
class TrainingRecord:
    base_model: str
    examples: int
    config: dict[str, Any]
    losses: list[float] = field(default_factory=list)
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


def _encode(tok: Any, batch: Sequence[Example], max_length: int) -> dict[str, Any]:
    import torch

    enc = tok([e.question for e in batch], [e.context for e in batch], truncation="only_second",
              max_length=max_length, padding="longest", return_offsets_mapping=True,
              return_tensors="pt")
    offsets = enc.pop("offset_mapping").tolist()
    starts, ends = [], []
    for row, example in enumerate(batch):
        seq = enc.sequence_ids(row)
        inside = [i for i, (a, b) in enumerate(offsets[row])
                  if seq[i] == 1 and b > example.start and a < example.end]
        last = max((i for i in range(len(seq)) if seq[i] == 1), default=0)
        cut = not inside or offsets[row][last][1] < example.end  # answer cut off: point at [CLS]
        starts.append(0 if cut else inside[0])
        ends.append(0 if cut else inside[-1])
    enc["start_positions"], enc["end_positions"] = torch.tensor(starts), torch.tensor(ends)
    return dict(enc)


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
    optim = torch.optim.AdamW(model.parameters(), lr=config.learning_rate, weight_decay=0.01)
    sched = torch.optim.lr_scheduler.LambdaLR(
        optim, lambda s: min(1.0, (s + 1) / max(1, config.steps // 10)) * max(0.0, 1 - s / config.steps))
    record = TrainingRecord(str(base_dir.name), len(data), asdict(config))
    for step in range(config.steps):
        batch = [data[int(i)] for i in rng.choice(len(data), config.batch_size, replace=False)]
        inputs = _encode(tok, batch, config.max_length)
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
