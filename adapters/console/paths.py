"""Photo paths typed or dragged into a terminal: quoted, backslash-escaped, ``file://`` URIs,
``~``, or one path with bare spaces in it."""

from __future__ import annotations

import shlex
from pathlib import Path
from urllib.parse import unquote, urlparse

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".jpe", ".jfif", ".gif", ".bmp", ".tif",
                  ".tiff", ".heic", ".pdf"}


def _clean(token: str) -> Path:
    token = token.strip()
    if token.startswith("file://"):
        token = unquote(urlparse(token).path)
    return Path(token).expanduser()


def _tokens(line: str) -> list[str]:
    try:
        return shlex.split(line, posix=True)
    except ValueError:  # an unbalanced quote: take the line as it is
        return [line.strip().strip("'\"")]


def looks_like_path(token: str) -> bool:
    path = _clean(token)
    return path.suffix.lower() in IMAGE_SUFFIXES or token.startswith(("~/", "./", "../", "file://"))


def photo_paths(line: str) -> tuple[list[Path], list[str]]:
    """The files a line names, and the tokens that look like paths but are not files.

    ``([], [])`` means the line is not about files at all (a question or a command).
    """
    whole = _clean(line.strip().strip("'\""))
    if line.strip() and whole.is_file():
        return [whole], []
    tokens = _tokens(line)
    if not tokens:
        return [], []
    found = [_clean(t) for t in tokens if _clean(t).is_file()]
    missing = [t for t in tokens if not _clean(t).is_file() and looks_like_path(t)]
    if found and len(found) + len(missing) == len(tokens):
        return found, missing
    if missing and len(missing) == len(tokens):
        return [], missing
    bare = line.strip().strip("'\"")
    if bare.startswith(("/", "~", ".", "file://")) and looks_like_path(bare):
        return [], [bare]  # one missing path with bare spaces in it
    return [], []  # words with perhaps a path in them: a question
