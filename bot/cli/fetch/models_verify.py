"""``facexplain models verify``: the configured files open, and downloaded packs are unchanged."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from bot.cli.options import model_dir_option, settings_from
from bot.fetch.install import MANIFEST, verify_manifest
from bot.settings import Settings
from core.errors import FacexplainError


def _configured(settings: Settings) -> list[str]:
    """Problems opening the configured detector and recognizer (empty when both load)."""
    from bot.composition import build_base_recognizer, build_detector

    problems = []
    for label, build in (("detector", build_detector), ("recognizer", build_base_recognizer)):
        try:
            build(settings)
        except FacexplainError as exc:
            problems.append(f"{label}: {exc.user_message} ({exc.detail})")
        except Exception as exc:  # a file that is not a valid model: say so, do not crash
            problems.append(f"{label}: cannot be loaded ({type(exc).__name__}: {exc})")
    return problems


@click.command("verify")
@model_dir_option
def command(model_dir: Path | None) -> None:
    """Check that the configured models load and that every pack fetched by `models download`
    still matches the sizes and sha256 recorded when it arrived. Exit 1 on any problem."""
    settings = settings_from(model_dir=model_dir)
    problems = _configured(settings)
    click.echo("configured models: " + ("load" if not problems else "PROBLEM"))
    manifests = sorted(settings.model_dir.glob(f"*/{MANIFEST}")) if settings.model_dir.is_dir() else []
    for manifest in manifests:
        found = verify_manifest(manifest)
        click.echo(f"{manifest.parent.name}: " + ("files match the download record" if not found
                                                   else f"{len(found)} PROBLEM(S)"))
        problems += found
    for problem in problems:
        click.echo(f"  {problem}", err=True)
    sys.exit(1 if problems else 0)
