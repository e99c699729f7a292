"""The reader path end to end on a tiny, randomly initialised BERT reader (no trained SQuAD
weights are available offline): windows over long contexts, spans mapped back to facts, the
paper's two-step pipeline, and the grounded mode's use of a confident reader."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.qa.engine import QAEngine, ReaderMissing
from core.qa.facts import build_facts, context_spans, context_text
from core.qa.reader import HFReader, Span
from tests.core.qa_examples import PAPER_QUESTIONS, Chat, engine, example, index, tiny_reader_dir


@pytest.fixture(scope="module")
def reader(tmp_path_factory: pytest.TempPathFactory) -> HFReader:
    return HFReader(tiny_reader_dir(tmp_path_factory.mktemp("tiny-reader")), max_length=128, stride=32)


def test_the_reader_returns_a_real_span_of_a_context_longer_than_its_window(reader: HFReader) -> None:
    context = context_text(build_facts(example("genuine")))
    model, tok = reader._load()
    windows = tok("What is the decision?", context, truncation="only_second", max_length=128,
                  stride=32, return_overflowing_tokens=True)["input_ids"]
    assert len(windows) > 10  # the whole context does not fit one window
    span = reader.read("What is the decision?", context)
    assert span.text and context[span.start:span.end] == span.text
    assert 0.0 < span.score <= 1.0
    cited = [f for s, e, f in context_spans(build_facts(example("genuine"))) if s < span.end and span.start < e]
    assert cited  # every span falls inside the facts' sentences


def test_the_reader_handles_empty_and_oversized_questions(reader: HFReader) -> None:
    assert reader.read("", "The decision is that.") == Span("", 0, 0, 0.0)
    assert reader.read("What?", "   ") == Span("", 0, 0, 0.0)
    span = reader.read("why " * 2000, "The two photos show the same person.")
    assert span.text in "The two photos show the same person."


def test_transcript_paper_mode_runs_end_to_end_and_cites_the_facts_its_spans_come_from(reader: HFReader) -> None:
    qa = engine().using(reader)
    chat = Chat(index("impostor"), qa, mode="paper")
    facts = index("impostor").by_id
    for question in PAPER_QUESTIONS:
        answer = chat.ask(question)
        assert answer.mode == "paper" and answer.kind == "answer"
        assert 0.0 <= answer.confidence <= 1.0
        assert answer.fact_ids and all(f in facts for f in answer.fact_ids)
        # the span lies within the cited sentences (a span may cross two of them)
        assert answer.text.split()[0].lower() in " ".join(facts[f].text.lower() for f in answer.fact_ids)
    assert "different people" in Chat(index("impostor")).ask("What is the decision?").text


def test_paper_mode_asks_again_on_the_most_similar_sentences_when_unsure(reader: HFReader) -> None:
    from core.qa.paper import paper_answer

    idx = index("genuine")
    query = engine().encoder.encode(["What is the decision?"])[0]
    result = paper_answer(idx, "What is the decision?", query, reader, threshold=1.01, sentences=3)
    assert result.asked_again  # a random reader is never that sure
    nearest = sorted(idx.facts, key=lambda f: -float(idx.similarity(query)[idx.facts.index(f)]))[:3]
    assert set(result.fact_ids) <= {f.id for f in nearest}


def test_paper_mode_without_a_reader_says_which_model_is_missing() -> None:
    with pytest.raises(ReaderMissing) as raised:
        engine().ask(index("genuine"), "What is the decision?", mode="paper")
    assert "reader" in raised.value.user_message


def test_a_missing_reader_folder_is_named(tmp_path: Path) -> None:
    with pytest.raises(Exception, match=str(tmp_path.resolve())):
        HFReader(tmp_path).read("What?", "Something.")


class SpanOfTheAnswer:
    """A Reader that is sure of the fact's own answer span: shows what grounded does with a
    confident reader (the trained SQuAD readers are not available offline)."""

    def read(self, question: str, context: str) -> Span:
        answer = index("genuine").by_id["confidence"].answer
        at = context.find(answer)
        return Span(answer, at, at + len(answer), 0.93) if at >= 0 else Span("", 0, 0, 0.0)


def test_grounded_mode_uses_a_confident_readers_span_and_falls_back_to_the_fact(reader: HFReader) -> None:
    sure = Chat(index("genuine"), QAEngine(engine().encoder, SpanOfTheAnswer())).ask("How confident are you?")
    assert sure.text == index("genuine").by_id["confidence"].answer and sure.confidence == 0.93
    assert sure.evidence == (index("genuine").by_id["confidence"].text,)
    unsure = Chat(index("genuine"), engine().using(reader)).ask("How confident are you?")
    assert unsure.text == index("genuine").by_id["confidence"].text  # random reader: below reader_min


class Recording:
    """A Reader that remembers the contexts it read and is sure only of short ones."""

    def __init__(self, sure_below: int) -> None:
        self.contexts: list[str] = []
        self.sure_below = sure_below

    def read(self, question: str, context: str) -> Span:
        self.contexts.append(context)
        end = context.index(".") + 1
        return Span(context[:end], 0, end, 0.9 if len(context) < self.sure_below else 0.2)


def test_sub_context_first_reads_the_whole_context_only_when_unsure() -> None:
    from core.qa.paper import paper_answer

    idx = index("genuine")
    query = engine().encoder.encode(["What is the threshold?"])[0]
    sure = Recording(sure_below=2000)
    result = paper_answer(idx, "What is the threshold?", query, sure, 0.5, 4, first="sub")
    assert len(sure.contexts) == 1 and not result.asked_again  # four sentences, no windows
    assert result.fact_ids[0] == "threshold"  # the keys rank the asked fact first
    unsure = Recording(sure_below=0)
    result = paper_answer(idx, "What is the threshold?", query, unsure, 0.5, 4, first="sub")
    assert len(unsure.contexts) == 2 and result.asked_again
    assert unsure.contexts[1] == context_text(idx.facts)
    whole_first = Recording(sure_below=0)
    paper_answer(idx, "What is the threshold?", query, whole_first, 0.5, 4)
    assert whole_first.contexts[0] == context_text(idx.facts)  # the paper's order by default


class FirstSentence:
    """A reader that points at the first few words of the first sentence and remembers what it
    was asked."""

    def __init__(self) -> None:
        self.asked: list[tuple[str, str]] = []

    def read(self, question: str, context: str) -> Span:
        self.asked.append((question, context))
        return Span(context[:12], 0, 12, 0.8)


def test_paper_mode_answers_with_the_spans_sentence_and_its_evidence() -> None:
    reader = FirstSentence()
    answer = engine().using(reader).ask(index("genuine"), "What is the threshold?", mode="paper")
    fact = index("genuine").by_id["threshold"]
    assert answer.fact_ids == ("threshold",) and answer.kind == "answer"
    assert answer.text == fact.text and answer.evidence == (fact.text,)  # not the 12 characters
    assert answer.sources and answer.confidence == 0.8


def test_paper_mode_reads_a_follow_up_as_the_conversation_resolves_it() -> None:
    reader = FirstSentence()
    chat = Chat(index("genuine"), engine().using(reader), mode="paper")
    chat.ask("How important is the nose in photo 1?")
    answer = chat.ask("and in photo 2?")
    assert reader.asked[-1][0] == answer.resolved_question != "and in photo 2?"
    assert "nose" in answer.resolved_question and answer.fact_ids == ("region.B.nose",)
    why = chat.ask("why?")  # tied to one fact: read from that fact's sentence alone
    assert reader.asked[-1][1] == index("genuine").by_id[why.fact_ids[0]].text


def test_paper_mode_says_what_it_cannot_tell_instead_of_reading_a_span() -> None:
    reader = FirstSentence()
    qa = engine().using(reader)
    answer = qa.ask(index("genuine"), "Who is the man in these photos?", mode="paper")
    assert answer.kind == "unknown" and answer.intent == "oos_identity" and not reader.asked
    from dataclasses import replace

    plain = QAEngine(qa.encoder, reader, replace(qa.config, paper_scope=False))
    assert plain.ask(index("genuine"), "Who is the man in these photos?", mode="paper").kind == "answer"


def test_the_banks_wordings_rank_the_sentence_they_ask_for_first() -> None:
    import numpy as np

    from core.qa.paper import TypicalQuestions, nearest

    idx = index("genuine")
    enc = engine().encoder
    question = "On what grounds was that verdict reached?"
    query = enc.encode([question])[0]
    typical = TypicalQuestions(enc.encode(["what were the grounds for the verdict?"]),
                               ("decision.reason",))
    assert typical.similarity(idx, query).max() > 0.5
    assert nearest(idx, query, 1, None, typical)[0].id == "decision.reason"
    unknown = TypicalQuestions(enc.encode([question]), ("no.such.fact",))
    assert np.all(unknown.similarity(idx, query) == -1.0)  # a fact this comparison lacks
