"""``facexplain models``: list, download and verify the model files; make-batchable."""

from __future__ import annotations

import click

from bot.cli import make_batchable
from bot.cli.fetch import models_download, models_list, models_verify


@click.group("models")
def command() -> None:
    """Model files: what the settings resolve to, InsightFace packs by download, checks."""


command.add_command(models_list.command)
command.add_command(models_download.command)
command.add_command(models_verify.command)
command.add_command(make_batchable.command)
