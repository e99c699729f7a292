"""``facexplain explain A.jpg B.jpg --out DIR``: the decision, the heatmaps and the region table."""

from __future__ import annotations

from pathlib import Path

import click

from bot.cli.options import model_options, settings_from
from bot.cli.photo_pair import photo_arguments, photos_or_pairs, read_photo
from bot.cli.progress import TqdmProgress
from bot.composition import (
    build_base_recognizer,
    build_region_source,
    build_rough_recognizer,
    build_verifier,
    saliency_params,
)
from bot.dialogue.texts import verification_text
from core.explanation import explain, write_artefacts
from core.render import table_text


@click.command("explain")
@photo_arguments
@click.option("--pairs", "pairs_file", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="A CSV file of pairs (columns a, b, optional label): every pair explained, "
                   "results.jsonl and report.html in --out.")
@click.option("--out", type=click.Path(path_type=Path, file_okay=False), default=Path("explanation"),
              show_default=True, help="Folder for the collage, tables, region pictures and comparison.json.")
@click.option("--profile", default=None, help="Saliency profile: fast (default), interactive, paper-lazy or paper.")
@click.option("--regions", type=click.Choice(["canonical", "dlib68"]), default=None,
              help="Region map: the canonical template map, or per-face from dlib's 68 landmarks.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
@model_options
def command(photo_a: Path | None, photo_b: Path | None, pairs_file: Path | None, out: Path,
            profile: str | None, regions: str | None, quiet: bool, model_dir: Path | None,
            detector: str | None, data_dir: Path | None) -> None:
    """Compare two photos and explain the decision with MinPlus heatmaps and a region table.

        facexplain explain alice1.jpg alice2.jpg --out runs/alice
        facexplain ask runs/alice/comparison.json
        facexplain explain --pairs pairs.csv --out runs/review   # runs/review/report.html
    """
    settings = settings_from(model_dir=model_dir, detector=detector, data_dir=data_dir,
                             saliency_profile=profile, regions=regions)
    photos = photos_or_pairs(photo_a, photo_b, pairs_file)
    if isinstance(photos, Path):
        from bot.cli.batch import explain_pairs

        explain_pairs(settings, photos, out, quiet)
        return
    params = saliency_params(settings)
    verifier = build_verifier(settings)
    verified = verifier.compare(read_photo(photos[0]), read_photo(photos[1]))
    click.echo(verification_text(verified.comparison))
    click.echo(f"\nComputing heatmaps ({params.profile} profile)...")
    progress = TqdmProgress(disable=quiet)
    source = build_region_source(settings)
    explained = explain(verified, build_base_recognizer(settings), params, regions=source,
                        progress=progress, seed=settings.saliency_seed,
                        rough=build_rough_recognizer(settings, params))
    progress.close()
    comparison = write_artefacts(explained, out, source)
    assert comparison.tables is not None
    click.echo("\nExplainability table (both photos):\n" + table_text(comparison.tables["pair"]))
    evaluations = comparison.saliency["evaluations"] if comparison.saliency else {}
    click.echo(f"\nRecognizer evaluations: {sum(evaluations.values())}. "
               f"Wrote {len(comparison.artefacts)} files to {out}/ "
               f"(collage.png, table_*.png/csv/json/txt, regions_*.png, comparison.json).")
