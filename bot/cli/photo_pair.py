"""What ``compare`` and ``explain`` share: two photos or a --pairs file, and reading a photo."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])


def photo_arguments(func: F) -> F:
    """PHOTO_A and PHOTO_B, both optional (a --pairs file takes their place)."""
    func = click.argument("photo_b", type=click.Path(path_type=Path, dir_okay=False),
                          required=False)(func)
    return click.argument("photo_a", type=click.Path(path_type=Path, dir_okay=False),
                          required=False)(func)


def photos_or_pairs(photo_a: Path | None, photo_b: Path | None,
                    pairs_file: Path | None) -> tuple[Path, Path] | Path:
    """The two photos, or the --pairs file given instead; a usage error for both or for
    neither."""
    if pairs_file is not None:
        if photo_a is not None:
            raise click.UsageError("give either two photos or --pairs FILE, not both")
        return pairs_file
    if photo_a is None or photo_b is None:
        raise click.UsageError("give two photos (or --pairs FILE)")
    return photo_a, photo_b


def read_photo(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise click.BadParameter(f"cannot read {path}: {exc.strerror}") from exc
