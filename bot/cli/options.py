"""Options shared by commands, and the settings they build (once, at command start)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from bot.settings import Settings, load_settings

F = TypeVar("F", bound=Callable[..., Any])


def model_options(func: F) -> F:
    """--model-dir / --detector / --data-dir, each defaulting to the FACEXPLAIN_ settings."""
    func = click.option("--data-dir", type=click.Path(path_type=Path), default=None,
                        help="Where calibrations and caches live [FACEXPLAIN_DATA_DIR].")(func)
    func = click.option("--detector", type=click.Choice(["scrfd", "mtcnn"]), default=None,
                        help="Face detector [FACEXPLAIN_DETECTOR, default scrfd].")(func)
    func = click.option("--model-dir", type=click.Path(path_type=Path), default=None,
                        help="Folder with the model files [FACEXPLAIN_MODEL_DIR].")(func)
    return func


def settings_from(**options: Any) -> Settings:
    """Settings from the environment, with the command-line options that were given."""
    return load_settings(**{k: v for k, v in options.items() if v is not None})
