"""``facexplain models download buffalo_l|buffalo_s|antelopev2``: fetch an InsightFace pack."""

from __future__ import annotations

from pathlib import Path

import click

from bot.cli.fetch.fetching import fetch_all, fetch_options
from bot.cli.options import model_dir_option, settings_from
from bot.fetch.registry import load_registry

PACKS = ("buffalo_l", "buffalo_s", "antelopev2")


@click.command("download")
@click.argument("name", type=click.Choice(PACKS))
@model_dir_option
@click.option("--mirror", default=None, metavar="URL",
              help="Fetch NAME.zip from this base URL instead of InsightFace's GitHub release.")
@fetch_options
def command(name: str, model_dir: Path | None, mirror: str | None, registry: Path | None,
            dry_run: bool, quiet: bool) -> None:
    """Download an InsightFace model pack, check it, unpack it into the model folder and
    print the settings that use it. An interrupted download resumes where it stopped.

        facexplain models download buffalo_l
    """
    settings = settings_from(model_dir=model_dir)
    pack = load_registry(registry).packs[name]
    asset = pack.asset.with_base(mirror)
    target = settings.model_dir / name
    click.echo(f"{name}: {pack.licence}.")
    fetched = fetch_all([asset], target, settings.model_dir / ".downloads", dry_run=dry_run, quiet=quiet)
    if not fetched:
        return
    click.echo(f"Unpacked {len(fetched[0].files)} files into {target}. To use this pack:\n")
    exports = [f"export FACEXPLAIN_MODEL_DIR={settings.model_dir}"]
    exports += [f"export {key}={value}" for key, value in pack.settings.items()]
    click.echo("\n".join(exports) + "\nfacexplain calibrate")
