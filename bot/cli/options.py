"""Options shared by commands, and the one ``Settings`` the ``facexplain`` group reads.

The group (``bot.cli.main``) reads the environment once, before the sub-command runs, and keeps
the result in the click context; every command takes it from there with ``settings_from``,
its own flags applied. A command invoked on its own (a test's ``CliRunner``) reads it then.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import click

from bot.settings import Settings, load_settings, with_changes

F = TypeVar("F", bound=Callable[..., Any])


model_dir_option = click.option("--model-dir", type=click.Path(path_type=Path), default=None,
                                help="Folder with the model files [FACEXPLAIN_MODEL_DIR].")


def model_options(func: F) -> F:
    """--model-dir / --detector / --data-dir, each defaulting to the FACEXPLAIN_ settings."""
    func = click.option("--data-dir", type=click.Path(path_type=Path), default=None,
                        help="Where calibrations and caches live [FACEXPLAIN_DATA_DIR].")(func)
    func = click.option("--detector", type=click.Choice(["scrfd", "mtcnn"]), default=None,
                        help="Face detector [FACEXPLAIN_DETECTOR, default scrfd].")(func)
    return model_dir_option(func)


@dataclass(frozen=True)
class Loaded:
    """What reading the settings gave: the settings, or why they did not load."""

    settings: Settings | None
    error: str = ""

    @classmethod
    def read(cls) -> Loaded:
        from pydantic import ValidationError

        try:
            return cls(load_settings())
        except ValidationError as exc:  # names the bad FACEXPLAIN_ variable
            return cls(None, " ".join(str(exc).split()))


def loaded() -> Loaded:
    """The group's ``Loaded`` (read now when a command runs without the group)."""
    ctx = click.get_current_context(silent=True)
    found = ctx.find_object(Loaded) if ctx is not None else None
    if found is None:
        found = Loaded.read()
        if ctx is not None:
            ctx.find_root().obj = found
    return found


def settings_from(**options: Any) -> Settings:
    """The settings the group read, with the command-line options that were given (``None``
    means not given); a usage error naming the variable when the settings did not load."""
    got = loaded()
    if got.settings is None:
        raise click.UsageError(f"the settings do not load: {got.error}")
    return with_changes(got.settings, **options)
