"""Slack's text conventions: ``&``, ``<`` and ``>`` escaped in ``text`` and ``mrkdwn`` fields;
``plain_text`` objects for everything the assistant says (never read as markup)."""

from __future__ import annotations

from typing import Any


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text, "emoji": True}
