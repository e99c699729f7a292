"""Keyed pseudonyms: HMAC-SHA256 of (platform, id) so raw handles never reach the tables."""

from __future__ import annotations

import hashlib
import hmac


def pseudonym(key: bytes, platform: str, identifier: str, *, purpose: str = "user") -> str:
    """A 64-hex-digit pseudonym; the same inputs always give the same pseudonym.

    ``purpose`` separates name spaces (a user id and a chat id that happen to be equal, as
    in Telegram private chats, still give different pseudonyms).
    """
    message = "\x1f".join((purpose, platform, identifier)).encode("utf-8")
    return hmac.new(key, message, hashlib.sha256).hexdigest()
