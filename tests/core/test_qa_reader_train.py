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


def test_a_tiny_run_on_a_whole_sentence_reads_the_sentence_back(tmp_path: Path) -> None:
    from core.qa.random_reader import build_random_reader
    from core.qa.synthetic import precomputed_ranking

    rng = np.random.default_rng(1)
    made = [synthetic_comparison(rng)]
    facts = build_facts(made[0])
    question, near = "What is the threshold?", ["decision", "score", "threshold"]
    data = examples(made, read_bank(), rng, per_comparison=16, whole=0.0, span="sentence",
                    asked=[(question, ("threshold",))], bank_share=1.0, max_context=3,
                    ranking=precomputed_ranking({(question, s): near for s in (True, False)}))
    threshold = next(f for f in facts if f.id == "threshold")
    assert {e.context[e.start:e.end] for e in data} == {threshold.text}
    assert len({e.context.index(threshold.text) for e in data}) > 1  # here first, there last
    texts = [f.text for f in facts if f.id in near]
    base = build_random_reader(tmp_path / "base", [*texts, question], seed=0, hidden=32)
    record = train_reader(base, tmp_path / "reader", data,
                          ReaderTraining(steps=300, batch_size=8, learning_rate=3e-3,
                                         max_length=160, threads=1, max_answer_tokens=80))
    assert record.last_loss < record.first_loss / 4
    reader = HFReader(tmp_path / "reader")
    assert reader.max_answer_tokens == 80  # from the training record
    context = context_text([f for f in facts if f.id in near])
    assert reader.read(question, context).text == threshold.text


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


def test_sentence_examples_read_the_questions_top_sentences_as_the_paper_mode_ranks_them() -> None:
    from core.qa.synthetic import precomputed_ranking

    rng = np.random.default_rng(5)
    made = [synthetic_comparison(rng) for _ in range(6)]
    order = ["threshold", "decision", "score", "decision.reason", "pic"]
    asked = [("Where is the cut-off?", ("threshold",)), ("Why this verdict?", ("decision.reason",))]
    ranking = precomputed_ranking({(q, same): order for q, _ in asked for same in (True, False)})
    data = examples(made, read_bank(), rng, per_comparison=20, whole=0.0, span="sentence",
                    asked=asked, ranking=ranking, missing=0.3, bank_share=1.0)
    sentences = {f.text.rstrip(".") for c in made for f in build_facts(c)}
    right = [e for e in data if e.answerable]
    assert right and len(right) < len(data)  # some sub-contexts lack the answer: "not here"
    for e in right:
        assert e.context[e.start:e.end].rstrip(".") in sentences  # a whole fact sentence
        assert e.start == e.anchor
    ranked = [[f.text for f in build_facts(c) if f.id in order] for c in made]
    for e in data:  # only the ranking's top sentences (the answer's put in where left out)
        assert any(_made_of(e.context, texts) for texts in ranked)
    assert all(e.question in dict(asked) for e in data)


def _made_of(context: str, sentences: list[str]) -> bool:
    rest = context
    for sentence in sentences:
        rest = rest.replace(sentence.rstrip(".") + ".", "")
    return not rest.strip()


def test_follow_ups_are_asked_as_the_engine_resolves_them() -> None:
    from core.qa.synthetic import bank_questions, follow_up_resolver

    facts = build_facts(synthetic_comparison(np.random.default_rng(2)))
    resolved = follow_up_resolver(facts)
    assert "chin" in resolved("How important was the nose?", "region.pair.nose", "and the chin?")
    assert "photo 2" in resolved("How important is the nose in photo 1?", "region.A.nose",
                                 "and in photo 2?")
    asked = bank_questions(read_bank(), resolved)
    assert len(asked) > len(bank_questions(read_bank()))  # the follow-ups' two turns are in
    assert ("What is the importance of the chin?", ("region.pair.chin",)) in asked
