"""``facexplain eval qa``: correctness per question family (the paper's Table 2), per mode and
split, with latency percentiles, on a question set and one or more comparisons."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import click

from bot.cli.commands.ask import load_comparison, reader_folder
from bot.cli.options import settings_from
from core.qa.encoder import SentenceTransformerEncoder
from core.qa.engine import QAEngine
from core.qa.evaluate import load_bank, load_questions, run, summarize
from core.qa.reader import HFReader
from core.qa.report import render
from core.resources import qa_data
from core.torch_device import resolve_device

QA_DATA = qa_data()  # the bundled question set and example comparisons


@click.command("qa")
@click.option("--questions", type=click.Path(path_type=Path, dir_okay=False, exists=True),
              default=None, help="A question set (JSON lines) [default: the bank, data/qa/bank].")
@click.option("--comparison", "comparisons", multiple=True,
              type=click.Path(path_type=Path, dir_okay=False, exists=True),
              help="A comparison JSON (repeatable) [default: the four LFW comparisons in "
                   "data/qa/lfw: genuine, impostor, false match, false non-match].")
@click.option("--reader", "reader_dir", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="A SQuAD reader folder: adds the 'grounded+reader' and 'paper' columns.")
@click.option("--encoder", "encoder_dir", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="A sentence-transformers folder [default: bundled all-MiniLM-L6-v2].")
@click.option("--model-dir", type=click.Path(path_type=Path), default=None,
              help="Folder with the model files [FACEXPLAIN_MODEL_DIR].")
@click.option("--split", "splits", multiple=True,
              help="Only these splits (repeatable): train, dev or test for the bank.")
@click.option("--modes", default="grounded,grounded+reader,paper", show_default=True,
              help="Columns to run (comma-separated); the reader ones need a reader.")
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Write the full report (with every wrong answer) as JSON here.")
@click.option("--json", "as_json", is_flag=True, help="Print the JSON report instead of the table.")
def command(questions: Path | None, comparisons: tuple[Path, ...], reader_dir: Path | None,
            encoder_dir: Path | None, model_dir: Path | None, splits: tuple[str, ...],
            modes: str, out: Path | None, as_json: bool) -> None:
    """Score the QA engine on a question set.

        facexplain eval qa --split test
        facexplain eval qa --split test --reader ~/.local/share/facexplain/qa-reader
    """
    if questions is None:
        items = load_bank(splits)
    else:
        items = [i for i in load_questions(questions) if not splits or i.split in splits]
    paths = comparisons or tuple(sorted((QA_DATA / "lfw").glob("*.json")))
    records = {p.stem: load_comparison(p) for p in paths}
    start = time.perf_counter()
    settings = settings_from()
    device = resolve_device(settings.torch_device)
    grounded = QAEngine(SentenceTransformerEncoder(encoder_dir, threads=1, device=device),
                        cache_dir=settings.cache_dir)
    grounded.warm_up()
    for record in records.values():
        grounded.index(record).warm()
    setup_s = time.perf_counter() - start
    engines = {"grounded": (grounded, "grounded")}
    folder = reader_folder(reader_dir, model_dir, required=False)
    if folder is not None:
        with_reader = grounded.using(HFReader(folder, device=device))
        engines |= {"grounded+reader": (with_reader, "grounded"), "paper": (with_reader, "paper")}
    wanted = {m.strip() for m in modes.split(",")}
    engines = {label: pair for label, pair in engines.items() if label in wanted}
    outcomes = run(engines, items, records)
    summary = summarize(outcomes)
    report = {
        "questions": str(questions or "data/qa/bank"), "splits": list(splits), "items": len(items), "comparisons": [str(p) for p in paths],
        "reader": str(folder) if folder else None, "encoder": str(encoder_dir or "all-MiniLM-L6-v2"),
        "setup_seconds": round(setup_s, 2), "load_average": list(os.getloadavg()), "modes": summary,
    }
    if out is not None:
        out.write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
    if as_json:
        click.echo(json.dumps(report, indent=2, ensure_ascii=False))
        return
    click.echo(render(summary))
    click.echo(f"\n{len(items)} items x {len(records)} comparisons; encoder load + fact indexing "
               f"{setup_s:.1f} s (not in the latencies); p50/p95 over answers from the facts; "
               f"load average {os.getloadavg()[0]:.1f}.")
    if "test" in splits or (questions is None and not splits):
        # the held-out split is a figure to report, not a list of failures to tune on
        click.echo("Wrong answers are not printed when the test split is scored (--out has them).")
        return
    for label, mode_summary in summary.items():
        for wrong in mode_summary["wrong"][:5]:
            bad = next(t for t in wrong["turns"] if not t["ok"])
            click.echo(f"  {label} wrong: {wrong['id']} ({wrong['comparison']}) {bad['q']!r} -> {bad['got']}")
