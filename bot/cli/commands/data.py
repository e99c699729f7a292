"""``facexplain data``: data sets by download (LFW)."""

from __future__ import annotations

import click

from bot.cli.fetch import data_download


@click.group("data")
def command() -> None:
    """Data sets: LFW by download, with checksums."""


command.add_command(data_download.command)
