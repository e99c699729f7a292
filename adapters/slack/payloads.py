"""Typed checks of what this adapter and Bolt read from Slack's requests, before they run.

``envelope_problem`` is the guard's check of the outer shape (a 400 when it fails: Bolt's
middleware would fail on it with a 500); ``event_fields`` and ``file_fields`` are the
listener's, where a bad field makes the event (or one file of it) unusable but is still
acknowledged. Unknown fields are allowed: Slack adds new ones.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, StrictInt, StrictStr, ValidationError


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class EventShape(_Open):
    type: StrictStr


class EventEnvelope(_Open):
    """``event_callback``: what Bolt reads before any listener."""

    type: StrictStr
    event: EventShape
    event_id: StrictStr | None = None
    team_id: StrictStr | None = None
    enterprise_id: StrictStr | None = None
    api_app_id: StrictStr | None = None
    authorizations: list[dict[str, Any]] | None = None


class UrlVerification(_Open):
    type: StrictStr
    challenge: StrictStr


class _Id(_Open):
    id: StrictStr


class Action(_Open):
    action_id: StrictStr
    value: StrictStr | None = None
    action_ts: StrictStr | None = None


class BlockActions(_Open):
    type: StrictStr
    user: _Id
    team: _Id | None = None
    channel: _Id | None = None
    container: dict[str, Any] | None = None
    message: dict[str, Any] | None = None
    actions: list[Action]


class MessageEvent(_Open):
    """The fields ``parse_event`` reads (``files`` is checked file by file)."""

    type: StrictStr
    user: StrictStr | None = None
    channel: StrictStr | None = None
    ts: StrictStr | None = None
    thread_ts: StrictStr | None = None
    text: StrictStr | None = None
    bot_id: StrictStr | None = None
    subtype: StrictStr | None = None
    channel_type: StrictStr | None = None


class FileShape(_Open):
    id: StrictStr
    name: StrictStr | None = None
    mimetype: StrictStr | None = None
    size: StrictInt | None = None
    mode: StrictStr | None = None
    url_private: StrictStr | None = None
    url_private_download: StrictStr | None = None


_BODIES: dict[str, type[BaseModel]] = {
    "event_callback": EventEnvelope,
    "url_verification": UrlVerification,
    "block_actions": BlockActions,
}


def envelope_problem(body: Any) -> str | None:
    """None when ``body`` (a parsed JSON event or interactive payload) has the outer shape
    Bolt needs; else a short reason naming the field (never its value)."""
    if not isinstance(body, dict):
        return "not an object"
    kind = body.get("type")
    if not isinstance(kind, str):
        return "type: not a string"
    model = _BODIES.get(kind)
    if model is None:
        return None
    try:
        model.model_validate(body)
    except ValidationError as exc:
        return first_error(exc)
    return None


def event_fields(event: Any) -> MessageEvent | None:
    try:
        return MessageEvent.model_validate(event)
    except ValidationError:
        return None


def file_fields(raw: Any) -> FileShape | None:
    try:
        return FileShape.model_validate(raw)
    except ValidationError:
        return None


def first_error(exc: ValidationError) -> str:
    error = exc.errors()[0]
    return ".".join(str(part) for part in error["loc"]) + f": {error['type']}"
