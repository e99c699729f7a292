"""Typed checks of the update fields this adapter reads, before PTB or the router see them.

``check_update`` sorts a parsed webhook body into: usable as it is; usable except for its file
(a ``photo`` or ``document`` of the wrong shape: the sender is answered that the file could
not be read); or unusable (a 400). Unknown fields are allowed: Telegram adds new ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, StrictStr, ValidationError

_FILE_FIELDS = ("photo", "document")


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)


class TgUser(_Open):
    id: StrictInt
    is_bot: StrictBool
    username: StrictStr | None = None


class TgChat(_Open):
    id: StrictInt
    type: StrictStr


class TgEntity(_Open):
    type: StrictStr
    offset: StrictInt
    length: StrictInt
    user: TgUser | None = None


class TgMessage(_Open):
    message_id: StrictInt
    date: StrictInt
    chat: TgChat
    from_user: TgUser | None = Field(default=None, alias="from")
    message_thread_id: StrictInt | None = None
    is_topic_message: StrictBool | None = None
    media_group_id: StrictStr | None = None
    text: StrictStr | None = None
    caption: StrictStr | None = None
    entities: list[TgEntity] | None = None
    caption_entities: list[TgEntity] | None = None
    reply_to_message: TgMessage | None = None


class TgPhotoSize(_Open):
    file_id: StrictStr
    file_unique_id: StrictStr
    width: StrictInt
    height: StrictInt
    file_size: StrictInt | None = None


class TgDocument(_Open):
    file_id: StrictStr
    file_unique_id: StrictStr
    file_name: StrictStr | None = None
    mime_type: StrictStr | None = None
    file_size: StrictInt | None = None


class TgCallbackQuery(_Open):
    id: StrictStr
    from_user: TgUser = Field(alias="from")
    data: StrictStr | None = None
    message: dict[str, Any] | None = None


class TgUpdate(_Open):
    update_id: StrictInt
    message: TgMessage | None = None
    callback_query: TgCallbackQuery | None = None


@dataclass(frozen=True)
class Checked:
    verdict: Literal["ok", "unreadable_file", "bad"]
    data: dict[str, Any]
    reason: str = ""


def check_update(data: Any) -> Checked:
    if not isinstance(data, dict):
        return Checked("bad", {}, "not an object")
    try:
        update = TgUpdate.model_validate(data)
    except ValidationError as exc:
        return Checked("bad", {}, _first_error(exc))
    query = update.callback_query
    if query is not None and query.message is not None and query.message.get("date") != 0:
        try:  # an accessible message: its chat is where the answer goes
            TgMessage.model_validate(query.message)
        except ValidationError as exc:
            return Checked("bad", {}, "callback_query.message: " + _first_error(exc))
    message = data.get("message")
    if not isinstance(message, dict) or not any(k in message for k in _FILE_FIELDS):
        return Checked("ok", data)
    try:
        if "photo" in message:
            if not isinstance(message["photo"], list) or not message["photo"]:
                raise TypeError("photo is not a list of sizes")
            for size in message["photo"]:
                TgPhotoSize.model_validate(size)
        if "document" in message:
            TgDocument.model_validate(message["document"])
    except (ValidationError, TypeError) as exc:
        reason = _first_error(exc) if isinstance(exc, ValidationError) else str(exc)
        without = {k: v for k, v in message.items() if k not in _FILE_FIELDS}
        return Checked("unreadable_file", {**data, "message": without}, reason)
    return Checked("ok", data)


def _first_error(exc: ValidationError) -> str:
    error = exc.errors()[0]
    where = ".".join(str(part) for part in error["loc"])
    return f"{where}: {error['type']}"
