"""`train reader` machinery: a tiny run that lowers the loss and then reads the right span,
plus the synthetic examples it learns from (seconds: a tiny BERT stands in for MiniLM)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from core.qa.bank import read_bank
from core.qa.facts import build_facts, context_text
from core.qa.reader import HFReader
from core.qa.reader_train import ReaderTraining, train_reader
from core.qa.synthetic import Example, examples, synthetic_comparison


def test_synthetic_examples_point_at_the_answer_span_of_a_real_fact() -> None:
    rng = np.random.default_rng(3)
    made = [synthetic_comparison(rng) for _ in range(5)]
    data = examples(made, read_bank(), rng, per_comparison=10)
    assert len(data) >= 40
    answers = {f.answer for c in made for f in build_facts(c)}
    for e in data:
        assert e.context[e.start:e.end] in answers
        assert e.question.strip()
    assert len({e.context for e in data}) > 30  # varied contexts, not one copied


def test_a_tiny_training_run_lowers_the_loss_and_answers_the_span(tmp_path: Path) -> None:
    from core.qa.random_reader import build_random_reader

    rng = np.random.default_rng(0)
    comparison = synthetic_comparison(rng)
    facts = build_facts(comparison)
    threshold = next(f for f in facts if f.id == "threshold")
    context = context_text(facts[:4])
    start = context.index(threshold.answer, context.index("The decision threshold is"))
    example = Example("What is the threshold?", context, start, start + len(threshold.answer))
    base = build_random_reader(tmp_path / "base", [context, example.question], seed=0, hidden=32)
    record = train_reader(base, tmp_path / "reader", [example] * 8,
                          ReaderTraining(steps=40, batch_size=4, learning_rate=5e-3,
                                         max_length=256, threads=1))
    assert record.last_loss < record.first_loss / 4
    assert (tmp_path / "reader" / "training_record.json").is_file()
    span = HFReader(tmp_path / "reader").read(example.question, context)
    assert span.text == threshold.answer


def test_a_long_context_gives_the_window_that_shows_the_answer_and_a_window_without_it() -> None:
    from transformers import AutoTokenizer

    from core.qa.encoder import bundled_encoder_dir
    from core.qa.reader_train import windows

    facts = build_facts(synthetic_comparison(np.random.default_rng(1)))
    context = context_text(facts)
    anchor = context.index("The decision threshold is")
    answer = next(f for f in facts if f.id == "threshold").answer
    start = context.index(answer, anchor)
    example = Example("What is the threshold?", context, start, start + len(answer), anchor)
    tok = AutoTokenizer.from_pretrained(str(bundled_encoder_dir()), local_files_only=True)
    config = ReaderTraining(max_length=128, stride=48, negatives=1.0)
    rows = windows(tok, example, config, np.random.default_rng(0))
    assert len(rows) == 2
    (shown, a, b), (_, na, nb) = rows
    assert a > 0 and (na, nb) == (0, 0)  # the second window is labelled "not here" ([CLS])
    assert tok.decode(shown["input_ids"][a:b + 1]).replace(" ", "") == answer.replace(" ", "")
