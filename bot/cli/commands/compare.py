"""``facexplain compare A.jpg B.jpg``: the decision and its calibrated confidence."""

from __future__ import annotations

import json
from pathlib import Path

import click

from bot.cli.options import model_options, settings_from
from bot.cli.photo_pair import photo_arguments, photos_or_pairs, read_photo
from bot.composition import build_verifier
from bot.dialogue.texts import verification_text


@click.command("compare")
@photo_arguments
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
    photos = photos_or_pairs(photo_a, photo_b, pairs_file)
    if isinstance(photos, Path):
        from bot.cli.batch import compare_pairs

        compare_pairs(settings, photos, out, quiet)
        return
    verifier = build_verifier(settings)
    data_a, data_b = read_photo(photos[0]), read_photo(photos[1])
    result = verifier.compare(data_a, data_b)
    if as_json:
        click.echo(json.dumps(result.comparison.to_dict(), indent=2))
    else:
        click.echo(verification_text(result.comparison))
