"""`facexplain ask` and `facexplain eval qa` driven as a script would drive them (piped stdin)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import bot.cli.commands.ask as ask_module
import bot.cli.eval.qa as eval_module
from bot.cli.main import cli
from tests.core.qa_examples import QA_DATA, encoder, engine, tiny_reader_dir

IMPOSTOR = str(QA_DATA / "impostor.json")


@pytest.fixture(autouse=True)
def one_encoder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The commands build the real encoder and engine; share the ones already loaded (with their
    fact embeddings) so each command does not load and embed everything again."""
    for module in (ask_module, eval_module):
        monkeypatch.setattr(module, "SentenceTransformerEncoder", lambda *a, **k: encoder())
        monkeypatch.setattr(module, "QAEngine",
                            lambda _encoder, reader=None, **_: engine().using(reader))
    monkeypatch.setenv("FACEXPLAIN_MODEL_DIR", str(tmp_path / "models"))
    monkeypatch.setenv("FACEXPLAIN_DATA_DIR", str(tmp_path / "data"))  # no reader trained there


def test_piped_questions_get_one_answer_per_line_and_follow_ups_work() -> None:
    result = CliRunner().invoke(cli, ["ask", IMPOSTOR], input=(
        "What is the decision?\nwhy?\n\nWhat is the importance of the chin?\nand in photo B?\n"
        "Was FaceNet used?\n"
    ))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert len(lines) == 5  # the blank line is not a question
    assert lines[0] == "The decision is that the two photos show different people (not a match)."
    assert "below the threshold" in lines[1]
    assert lines[2].startswith("Over both photos, the chin")
    assert lines[3].startswith("In photo 2 (B), the chin")
    assert lines[4].startswith("I don't know: this comparison has no information about FaceNet.")


def test_json_prints_one_object_per_answer() -> None:
    result = CliRunner().invoke(cli, ["ask", IMPOSTOR, "--json"], input="How sure are you?\nreally?\n")
    assert result.exit_code == 0, result.output
    first, second = (json.loads(line) for line in result.output.splitlines())
    assert set(first) >= {"question", "resolved_question", "answer", "confidence", "fact_ids", "mode", "ms"}
    assert first["fact_ids"] == ["confidence"] and first["mode"] == "grounded"
    assert "97% confident" in first["answer"] and first["ms"] > 0
    assert second["resolved_question"] == "How sure are you? (How sure are you?)"
    assert first["intent"] == "confidence_value" and 0 < first["intent_probability"] <= 1
    assert first["sources"] == "from: the PIC-score"
    assert first["evidence"] == [first["answer"]]  # the fact sentence the answer is


def test_paper_mode_needs_a_reader_and_says_where_it_looked(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["ask", IMPOSTOR, "--mode", "paper"], input="What is the decision?\n")
    assert result.exit_code != 0
    assert "the paper mode needs a question-answering reader" in result.output
    assert str(tmp_path / "models") in result.output


def test_paper_mode_with_a_reader_folder_answers_in_json(tmp_path: Path) -> None:
    reader = tiny_reader_dir(tmp_path / "reader")
    result = CliRunner().invoke(cli, ["ask", IMPOSTOR, "--mode", "paper", "--reader", str(reader), "--json"],
                                input="What is the decision?\nWhat is explainable AI?\n")
    assert result.exit_code == 0, result.output
    answers = [json.loads(line) for line in result.output.splitlines()]
    assert [a["mode"] for a in answers] == ["paper", "paper"]
    assert all(a["fact_ids"] and 0.0 <= a["confidence"] <= 1.0 for a in answers)


def test_a_file_that_is_not_a_comparison_gets_a_clear_message(tmp_path: Path) -> None:
    bad = tmp_path / "photo.json"
    bad.write_text('{"hello": 1}', encoding="utf-8")
    result = CliRunner().invoke(cli, ["ask", str(bad)], input="What is the decision?\n")
    assert result.exit_code != 0 and "is not a comparison file" in result.output


def test_eval_qa_prints_the_family_table_and_writes_the_report(tmp_path: Path) -> None:
    questions = tmp_path / "set.jsonl"
    questions.write_text("\n".join(json.dumps(item) for item in [
        {"id": "d1", "family": "decision", "turns": [{"q": "Is it a match?", "expect": ["decision"]}]},
        {"id": "f1", "family": "follow-up", "turns": [
            {"q": "What does S0- do?", "expect": ["method.S0-"]},
            {"q": "and S1+?", "expect": ["method.S1+"]}]},
        {"id": "u1", "family": "unsupported", "turns": [{"q": "Was ArcFace used?", "expect_kind": ["unknown"]}]},
    ]), encoding="utf-8")
    out = tmp_path / "report.json"
    result = CliRunner().invoke(cli, ["eval", "qa", "--questions", str(questions), "--comparison", IMPOSTOR,
                                      "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "decision" in result.output and "100.0% (  1/1  )" in result.output
    report = json.loads(out.read_text(encoding="utf-8"))
    grounded = report["modes"]["grounded"]
    assert grounded["overall"] == {"correct": 3, "n": 3, "accuracy": 1.0}
    assert grounded["latency_ms"]["answers"]["n"] == 3  # the "I don't know" is not timed as an answer
    assert grounded["latency_ms"]["all_questions"]["n"] == 4
