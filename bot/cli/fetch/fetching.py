"""What ``models download`` and ``data download`` share: their --registry, --dry-run and
--quiet options, fetching assets with a byte bar, and turning an unreachable server into the
plan and the by-hand steps."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from bot.cli.fetch.progress import ByteBar
from bot.fetch.download import DownloadError, Unreachable
from bot.fetch.install import Fetched, describe, fetch, offline_help
from bot.fetch.registry import Asset

F = TypeVar("F", bound=Callable[..., Any])


def fetch_options(func: F) -> F:
    """--registry, --dry-run and --quiet, as ``fetch_all`` and ``load_registry`` take them."""
    func = click.option("--quiet", is_flag=True, help="No progress bar.")(func)
    func = click.option("--dry-run", is_flag=True,
                        help="Say what would be fetched, from where; fetch nothing.")(func)
    return click.option("--registry", type=click.Path(path_type=Path, dir_okay=False, exists=True),
                        default=None,
                        help="A registry file of your own (URLs, sizes, checksums).")(func)


def fetch_all(assets: list[Asset], target: Path, downloads: Path, *, dry_run: bool,
              quiet: bool) -> list[Fetched]:
    if dry_run:
        click.echo(offline_help(assets, target, "dry run: nothing was fetched").split("\n", 1)[1])
        return []
    done = []
    for asset in assets:
        click.echo(f"Fetching {describe(asset)}")
        bar = ByteBar(asset.filename, disable=quiet)
        try:
            fetched = fetch(asset, target, downloads, bar)
        except Unreachable as exc:
            bar.close()
            raise click.ClickException(offline_help(assets, target, exc.detail)) from exc
        except DownloadError as exc:
            bar.close()
            raise click.ClickException(f"{exc.user_message}: {exc.detail}") from exc
        bar.close()
        if not fetched.verified:
            click.echo(f"  WARNING: no published checksum is known for {asset.filename}; it was "
                       f"checked for completeness only. Its sha256 is {fetched.sha256}: compare "
                       "it with a source you trust.")
        else:
            click.echo(f"  checksum OK (sha256 {fetched.sha256})")
        done.append(fetched)
    return done
