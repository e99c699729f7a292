"""Keep the bot token out of the logs: HTTP client logs name the request URL, and the Bot API
URL contains the token."""

from __future__ import annotations

import logging


class _Redact(logging.Filter):
    def __init__(self, secret: str) -> None:
        super().__init__()
        self.secret = secret

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if self.secret in message:
            record.msg, record.args = message.replace(self.secret, "<token>"), None
        return True


def hide_in_logs(token: str) -> None:
    """Every handler of the root logger replaces ``token`` with ``<token>``; httpx's INFO lines
    (one per request, URL included) are silenced."""
    logging.getLogger("httpx").setLevel(logging.WARNING)
    redact = _Redact(token)
    for handler in logging.getLogger().handlers:
        handler.addFilter(redact)
