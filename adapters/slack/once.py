"""Slack's retries recognised (duplicates of one ``event_id`` are ``adapters.seen``'s job)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence


def retry_number(headers: Mapping[str, Sequence[str] | str]) -> int:
    """Slack's ``X-Slack-Retry-Num`` (Socket Mode's ``retry_attempt`` is mapped onto it by
    Bolt); 0 for a first delivery."""
    value = headers.get("x-slack-retry-num")
    if isinstance(value, Sequence) and not isinstance(value, str):
        value = value[0] if value else None
    try:
        return int(value) if value is not None else 0
    except ValueError:
        return 0
