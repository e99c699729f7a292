"""Secrets for the store: made once, kept in a private file, never logged."""

from __future__ import annotations

import base64
import os
import secrets
from pathlib import Path


def new_key() -> bytes:
    """32 random bytes, URL-safe base64: a valid Fernet key and a good HMAC key."""
    return base64.urlsafe_b64encode(secrets.token_bytes(32))


def load_or_create_key(path: Path) -> bytes:
    """Read the key at ``path``, or create it there (mode 0600) on first use."""
    try:
        return path.read_bytes().strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    key = new_key()
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first: use theirs
        return path.read_bytes().strip()
    with os.fdopen(fd, "wb") as handle:
        handle.write(key + b"\n")
    return key
