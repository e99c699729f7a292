"""``facexplain describe A.jpg``: what the face template encodes, in words (CLIP-SMU)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from bot.cli.options import model_options, settings_from


@click.command("describe")
@model_options
@click.argument("photo", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--method", type=click.Choice(["multilabel", "binary", "template_clip"]),
              default="multilabel", show_default=True, help="Which trained method reads the template.")
@click.option("--json", "as_json", is_flag=True, help="Print the description as JSON.")
def command(photo: Path, method: str, as_json: bool, model_dir: Path | None, detector: str | None,
            data_dir: Path | None) -> None:
    """Describe the attributes the recognizer's template of PHOTO encodes, with each
    attribute's score and how reliable it is for this recognizer (its measured AUC).

    Needs `facexplain train attributes` first (and, for 5-fold reliabilities,
    `facexplain eval attributes`). Example:

        FACEXPLAIN_MODEL_DIR=../shared/models facexplain describe A.jpg
    """
    from bot.composition import attribute_folder, build_pipeline
    from core.attributes.describe import describe_template
    from core.attributes.model import AttributeModel, load_reliability

    settings = settings_from(model_dir=model_dir, detector=detector, data_dir=data_dir)
    pipeline = build_pipeline(settings)
    folder = attribute_folder(settings, pipeline)
    model = AttributeModel.load(folder)
    if method not in model.methods:
        raise click.UsageError(f"{method} was not trained; trained: {', '.join(model.methods)}")
    face = pipeline.prepare(photo.read_bytes())
    description = describe_template(model, face.embedding, method, load_reliability(folder))
    if as_json:
        click.echo(json.dumps(description.to_dict(), indent=2))
        return
    click.echo(description.caption)
    click.echo(f"The template encodes: {description.summary}")
    for r in description.readings:
        auc = f"AUC {r.auc:.2f}" if r.auc is not None else "AUC n/a"
        click.echo(f"  {r.label:24s} score {r.score:.2f}  {auc}  {r.reliability}")
