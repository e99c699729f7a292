"""``compare --pairs`` and ``explain --pairs``: a pairs file through the batch runner, with a
progress bar, JSON lines, and the run's HTML report (``bot.batch``)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import click

from bot.batch.html_report import render_report
from bot.batch.pairs import read_pairs
from bot.batch.results import PairResult, summary
from bot.batch.run import Work, compare_work, explain_work, run_batch
from bot.cli.progress import TqdmProgress
from bot.settings import Settings
from core.verify import Verified


def _run(rows_file: Path, work: Work, out: Path | None, *, quiet: bool, echo_json: bool,
         title: str, about: str) -> list[PairResult]:
    rows = read_pairs(rows_file)
    progress = TqdmProgress(disable=quiet)
    results = []
    lines = None
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        lines = (out / "results.jsonl").open("w", encoding="utf-8")
    try:
        for result in run_batch(rows, work, progress):
            results.append(result)
            line = result.to_json()
            if lines is not None:
                lines.write(line + "\n")
                lines.flush()
            if echo_json:
                click.echo(line)
    finally:
        progress.close()
        if lines is not None:
            lines.close()
    if out is not None:
        (out / "report.html").write_text(render_report(results, title=title, about=about), encoding="utf-8")
    counts = summary(results)
    click.echo(", ".join(f"{v} {k}" for k, v in counts.items() if v or k == "pairs")
               + (f". Report: {out / 'report.html'}" if out is not None else ""), err=echo_json)
    return results


def _about(settings: Settings, verifier_models: str, rows_file: Path) -> str:
    return f"Pairs from {rows_file.name}; {verifier_models}; models in {settings.model_dir}."


def compare_pairs(settings: Settings, rows_file: Path, out: Path | None, quiet: bool) -> None:
    from bot.composition import build_describer, build_verifier

    verifier = build_verifier(settings)
    work = compare_work(verifier, build_describer(settings, verifier))
    models = f"{verifier.pipeline.detector.name} + {verifier.pipeline.recognizer.name}"
    _run(rows_file, work, out, quiet=quiet, echo_json=True, title="facexplain compare: batch review",
         about=_about(settings, models, rows_file))


def explain_pairs(settings: Settings, rows_file: Path, out: Path, quiet: bool) -> None:
    from bot.composition import (
        build_base_recognizer,
        build_describer,
        build_region_source,
        build_rough_recognizer,
        build_verifier,
        saliency_params,
    )
    from core.explanation import explain, write_artefacts

    verifier = build_verifier(settings)
    recognizer, params, source = build_base_recognizer(settings), saliency_params(settings), build_region_source(settings)
    rough = build_rough_recognizer(settings, params)

    def explain_one(verified: Verified, folder: Path) -> tuple[bytes, Verified]:
        explained = explain(verified, recognizer, params, regions=source, seed=settings.saliency_seed,
                            rough=rough)
        comparison = write_artefacts(explained, folder, source)
        return explained.collage_png, replace(verified, comparison=comparison)

    work = explain_work(verifier, explain_one, out, build_describer(settings, verifier))
    models = f"{verifier.pipeline.detector.name} + {verifier.pipeline.recognizer.name}, {params.profile} saliency"
    _run(rows_file, work, out, quiet=quiet, echo_json=False, title="facexplain explain: batch review",
         about=_about(settings, models, rows_file))
