"""Logs without personal data or secrets, as text or one JSON object a line
(FACEXPLAIN_LOG_FORMAT), at every level (``-vv`` included).

``RedactFilter`` sits on the root handler, so every record passes it whatever logger wrote
it: our own, python-telegram-bot's, httpx's, slack_sdk's, slack_bolt's, Celery's. Fields
that name people, chats or files are replaced and bytes (image data) reduced to their length;
then the finished message (and any traceback) is scrubbed: the secrets of the settings
(``secret_values``: tokens, webhook and signing secrets, keys, database passwords) and
anything shaped like a Telegram or Slack token, the values of sensitive keys however the
library printed them (``text='hi'``, ``'first_name': 'Ann'``, ``"user": "U01..."``), numeric
ids of five digits or more, Slack ids, bytes literals and long base64 runs.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import sys
from collections.abc import Iterable
from typing import Any

REDACTED = "<redacted>"
SENSITIVE = frozenset({
    "user", "user_id", "username", "user_name", "first_name", "last_name", "full_name",
    "display_name", "chat", "chat_id", "channel", "channel_id", "thread", "thread_id", "team_id",
    "email", "phone", "file_name", "file_id", "file_path", "photo", "photos", "image", "images",
    "data", "caption", "text", "question",
})
_PAIRS = re.compile(r"(?<![A-Za-z0-9])(" + "|".join(sorted(SENSITIVE, key=len, reverse=True))
                    + r")=([^\s,;:'\"()<>=]+)")
# Keys whose values libraries print in reprs and JSON bodies: names, texts, files, secrets.
_VALUE_KEYS = sorted(SENSITIVE | {
    "name", "title", "real_name", "bio", "description", "answer", "message_text",
    "secret_token", "token", "bot_token", "app_token", "signing_secret", "password",
    "file_unique_id", "url_private", "url_private_download", "permalink", "phone_number",
    "initial_comment", "value", "challenge", "invite_link"}, key=len, reverse=True)
_KEYS = "|".join(map(re.escape, _VALUE_KEYS))
_QUOTED_VALUE = re.compile(
    r"""(?P<k>['"]?(?<![\w])(?:""" + _KEYS + r""")['"]?\s*[:=]\s*)"""
    r"""(?P<q>['"])(?:\\.|(?!(?P=q)).)*(?P=q)""", re.DOTALL)
_ID_VALUE = re.compile(
    r"""(?P<k>['"]?(?<![\w])(?:id|user|chat|from|user_id|chat_id|sender_chat)['"]?\s*[:=]\s*)"""
    r"""-?\d+""")
_SHAPES = (
    (re.compile(r"\b\d{5,12}:[A-Za-z0-9_-]{30,}"), REDACTED),  # a Telegram bot token
    (re.compile(r"(/bot)[^/\s'\"]+"), r"\1" + REDACTED),  # ... in a Bot API URL
    (re.compile(r"\bx(?:ox[abposre]|app)-[A-Za-z0-9-]+"), REDACTED),  # Slack tokens
    (re.compile(r"b(['\"])(?:\\.|(?!\1).){16,}?\1"), "<bytes>"),  # bytes literals
    (re.compile(r"[A-Za-z0-9+/_-]{200,}={0,2}"), "<blob>"),  # base64 (image data, tokens)
    (re.compile(r"(?<![\w.:/-])-?\d{5,}(?![\w.:-])"), "<id>"),  # Telegram user/chat ids
    (re.compile(r"\b[UWCDGBT](?=[A-Z0-9]*\d)[A-Z0-9]{6,}\b"), "<id>"),  # Slack ids
)
_secrets: set[str] = set()


def secret_values(settings: Any) -> list[str]:
    """Every secret a settings object holds (``SecretStr`` fields, fields named like a token,
    secret, key or password, the password in a URL), nested settings included."""
    from pydantic import BaseModel, SecretStr

    found: list[str] = []
    if not isinstance(settings, BaseModel):
        return found
    for name in type(settings).model_fields:
        value = getattr(settings, name, None)
        if isinstance(value, BaseModel):
            found += secret_values(value)
        elif isinstance(value, SecretStr):
            found.append(value.get_secret_value())
        elif isinstance(value, str) and re.search(r"token|secret|key|password", name):
            found.append(value)
        elif isinstance(value, str) and (password := re.search(r"://[^:/@\s]+:([^@\s]+)@",
                                                               value)):
            found.append(password.group(1))
    return [value for value in found if value]


def register_secrets(values: Iterable[str]) -> None:
    """Values that must never appear in a log line (exact matches, 6 characters or more)."""
    _secrets.update(value for value in values if len(value) >= 6)


def scrub(text: str) -> str:
    """``text`` with secrets, sensitive values, ids, bytes and blobs masked."""
    for secret in sorted(_secrets, key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, REDACTED)
    text = _QUOTED_VALUE.sub(lambda m: f"{m.group('k')}{m.group('q')}{REDACTED}{m.group('q')}",
                             text)
    text = _ID_VALUE.sub(lambda m: f"{m.group('k')}{REDACTED}", text)
    for pattern, replacement in _SHAPES:
        text = pattern.sub(replacement, text)
    return _PAIRS.sub(lambda m: f"{m.group(1)}={REDACTED}", text)


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
        masked = scrub(message)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = scrub(record.exc_text)
        if record.stack_info:
            record.stack_info = scrub(record.stack_info)
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
        if record.exc_text:
            entry["traceback"] = record.exc_text  # formatted and scrubbed by RedactFilter
        elif record.exc_info:
            entry["traceback"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def handler(log_format: str, stream: Any = None) -> logging.Handler:
    """A stream handler (stderr by default) in ``log_format`` with the redaction filter."""
    made = logging.StreamHandler(stream if stream is not None else sys.stderr)
    made.setFormatter(JsonFormatter() if log_format == "json"
                      else logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    made.addFilter(RedactFilter())
    return made


def configure_logging(level: int, log_format: str, secrets: Iterable[str] = (),
                      stream: Any = None) -> None:
    """One redacting handler on the root logger at ``level`` (every library's records pass
    it); ``secrets`` are masked wherever they appear."""
    register_secrets(secrets)
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler(log_format, stream))
    root.setLevel(level)
