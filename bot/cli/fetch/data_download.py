"""``facexplain data download lfw``: LFW (deep-funneled images and the pairs files)."""

from __future__ import annotations

from pathlib import Path

import click

from bot.cli.fetch.fetching import fetch_all, fetch_options
from bot.cli.options import settings_from
from bot.fetch.registry import load_registry


@click.command("download")
@click.argument("name", type=click.Choice(["lfw"]))
@click.option("--data-dir", type=click.Path(path_type=Path), default=None,
              help="Where facexplain keeps its data [FACEXPLAIN_DATA_DIR]; LFW goes into DATA_DIR/lfw.")
@click.option("--mirror", default=None, metavar="URL", help="Fetch each file from this base URL.")
@fetch_options
def command(name: str, data_dir: Path | None, mirror: str | None, registry: Path | None,
            dry_run: bool, quiet: bool) -> None:
    """Download a data set into the data folder, with checksums, resuming interrupted files.

        facexplain data download lfw
    """
    settings = settings_from(data_dir=data_dir)
    assets = [a.with_base(mirror) for a in load_registry(registry).datasets[name]]
    target = settings.data_dir / name
    click.echo("LFW: free for research use; cite Huang et al. 2007.")
    if not fetch_all(assets, target, settings.data_dir / ".downloads", dry_run=dry_run, quiet=quiet):
        return
    click.echo(f"LFW is in {target}.")
    if settings.lfw_path.resolve() != target.resolve():
        click.echo(f"To use it: export FACEXPLAIN_LFW_DIR={target}")
