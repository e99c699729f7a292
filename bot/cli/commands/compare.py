"""``facexplain compare A.jpg B.jpg``: the decision and its calibrated confidence."""

from __future__ import annotations

import json
from pathlib import Path

import click

from bot.cli.options import model_options, settings_from
from bot.composition import build_verifier
from bot.dialogue.texts import verification_text


def read_photo(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise click.BadParameter(f"cannot read {path}: {exc.strerror}") from exc


@click.command("compare")
@click.argument("photo_a", type=click.Path(path_type=Path, dir_okay=False), required=False)
@click.argument("photo_b", type=click.Path(path_type=Path, dir_okay=False), required=False)
@click.option("--json", "as_json", is_flag=True, help="Print the comparison as JSON for scripts.")
@click.option("--pairs", "pairs_file", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="A CSV file of pairs (columns a, b, optional label): one JSON line per pair.")
@click.option("--out", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="With --pairs: also write results.jsonl and the HTML report (report.html) here.")
@click.option("--quiet", is_flag=True, help="With --pairs: no progress bar.")
@model_options
def command(photo_a: Path | None, photo_b: Path | None, as_json: bool, pairs_file: Path | None,
            out: Path | None, quiet: bool, model_dir: Path | None, detector: str | None,
            data_dir: Path | None) -> None:
    """Compare two face photos: faces found, score, threshold, decision and PIC confidence.

        facexplain compare alice1.jpg alice2.jpg
        facexplain compare a.jpg b.jpg --json | jq .confidence
        facexplain compare --pairs pairs.csv --out review/   # review/report.html
    """
    settings = settings_from(model_dir=model_dir, detector=detector, data_dir=data_dir)
    if pairs_file is not None:
        if photo_a is not None:
            raise click.UsageError("give either two photos or --pairs FILE, not both")
        from bot.cli.batch import compare_pairs

        compare_pairs(settings, pairs_file, out, quiet)
        return
    if photo_a is None or photo_b is None:
        raise click.UsageError("give two photos (or --pairs FILE)")
    verifier = build_verifier(settings)
    data_a, data_b = read_photo(photo_a), read_photo(photo_b)
    result = verifier.compare(data_a, data_b)
    if as_json:
        click.echo(json.dumps(result.comparison.to_dict(), indent=2))
    else:
        click.echo(verification_text(result.comparison))
