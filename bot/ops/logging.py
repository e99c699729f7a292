"""Logs without personal data, as text or one JSON object a line (FACEXPLAIN_LOG_FORMAT).

``RedactFilter`` sits on the root handler, so every record passes it whatever logger wrote
it: fields that name people, chats or files are replaced, bytes (image data) are reduced to
their length, and ``user_id=...``-style pairs in the message text are masked.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import sys
from typing import Any

REDACTED = "<redacted>"
SENSITIVE = frozenset({
    "user", "user_id", "username", "user_name", "first_name", "last_name", "full_name",
    "display_name", "chat", "chat_id", "channel", "channel_id", "thread", "thread_id", "team_id",
    "email", "phone", "file_name", "file_id", "file_path", "photo", "photos", "image", "images",
    "data", "caption", "text", "question",
})
_PAIRS = re.compile(r"(?<![A-Za-z0-9])(" + "|".join(sorted(SENSITIVE, key=len, reverse=True))
                    + r")=([^\s,;:'\"]+)")
# What every LogRecord carries (``name`` is the logger, ``filename`` the source file).
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


def _scrub(value: Any) -> Any:
    if isinstance(value, bytes | bytearray | memoryview):
        return f"<{len(value)} bytes>"
    return value


class RedactFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        for key, value in list(vars(record).items()):
            if key in _STANDARD:
                continue
            setattr(record, key, REDACTED if key.lower() in SENSITIVE else _scrub(value))
        if isinstance(record.args, dict):
            record.args = {k: REDACTED if str(k).lower() in SENSITIVE else _scrub(v)
                           for k, v in record.args.items()}
        elif record.args:
            record.args = tuple(_scrub(arg) for arg in record.args)
        try:
            message = record.getMessage()
        except Exception:  # a malformed call: the handler reports it as logging does
            return True
        masked = _PAIRS.sub(lambda m: f"{m.group(1)}={REDACTED}", message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (UTC), level, logger, message, extra fields, traceback."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update((k, v) for k, v in vars(record).items() if k not in _STANDARD)
        if record.exc_info:
            entry["traceback"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def handler(log_format: str, stream: Any = None) -> logging.Handler:
    """A stream handler (stderr by default) in ``log_format`` with the redaction filter."""
    made = logging.StreamHandler(stream if stream is not None else sys.stderr)
    made.setFormatter(JsonFormatter() if log_format == "json"
                      else logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    made.addFilter(RedactFilter())
    return made


def configure_logging(level: int, log_format: str) -> None:
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler(log_format))
    root.setLevel(level)
