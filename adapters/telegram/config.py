"""The Telegram adapter's parameters, one frozen value built once at start-up.

Read from ``FACEXPLAIN_TELEGRAM_*`` environment variables by ``from_env`` until the lead wires
them into ``bot.settings.Settings``; the adapter itself only ever sees this dataclass.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Literal

from core.errors import FacexplainError

TELEGRAM_DOWNLOAD_LIMIT = 20 * 1024 * 1024  # the Bot API serves bots files up to 20 MB
Mode = Literal["polling", "webhook"]


class TelegramNotConfigured(FacexplainError):
    code = "telegram_config"
    user_message = "The Telegram bot is not configured."


@dataclass(frozen=True)
class TelegramConfig:
    token: str = field(repr=False)
    base_url: str = "https://api.telegram.org/bot"  # a self-hosted Bot API server: its URL
    base_file_url: str = "https://api.telegram.org/file/bot"
    mode: Mode = "polling"
    poll_timeout_s: float = 30.0  # long-polling wait of each getUpdates
    drop_pending: bool = False  # skip updates that queued up while the bot was down
    # webhook mode: Telegram POSTs updates to webhook_url, which must reach listen:port/path
    webhook_url: str = ""
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = 8443
    webhook_path: str = "/telegram"
    webhook_secret: str = field(default="", repr=False)  # generated when empty
    webhook_max_bytes: int = 256 * 1024  # an update is small; anything larger is refused
    # photos
    max_file_bytes: int = 10 * 1024 * 1024  # the image byte limit (Settings.max_image_bytes)
    download_timeout_s: float = 30.0
    album_window_s: float = 1.0  # parts of one album arriving within this form one message
    # fairness and flood control
    rate_per_minute: int = 20  # messages each user may send per minute (a token bucket)
    retry_attempts: int = 3  # tries of a Bot API call refused with 429 (RetryAfter)
    retry_max_wait_s: float = 60.0  # a longer retry_after is not waited for
    seen_updates: int = 10_000  # update ids remembered to drop duplicates
    max_pending_per_chat: int = 100  # queued messages per chat before new ones are dropped

    def __post_init__(self) -> None:
        if not self.token:
            raise TelegramNotConfigured(
                "The Telegram bot token is missing. Create a bot with @BotFather and set "
                "FACEXPLAIN_TELEGRAM_TOKEN.")
        if self.webhook_secret and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", self.webhook_secret):
            raise TelegramNotConfigured(
                "The webhook secret may hold only letters, digits, _ and - (1 to 256 of them).")
        if self.mode == "webhook" and not self.webhook_url:
            raise TelegramNotConfigured(
                "Webhook mode needs the public HTTPS URL Telegram should call: set "
                "FACEXPLAIN_TELEGRAM_WEBHOOK_URL.")

    @property
    def file_limit(self) -> int:
        """The largest file the bot downloads: our image limit, and never beyond Telegram's."""
        return min(self.max_file_bytes, TELEGRAM_DOWNLOAD_LIMIT)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, prefix: str = "FACEXPLAIN_TELEGRAM_",
                 **overrides: object) -> TelegramConfig:
        """Each field from ``<prefix><FIELD>`` (upper case) when set, then ``overrides``."""
        env = os.environ if env is None else env
        values: dict[str, object] = {}
        for f in fields(cls):
            raw = env.get(prefix + f.name.upper())
            if raw is not None:
                values[f.name] = _parse(raw, f.default)
        values.update({k: v for k, v in overrides.items() if v is not None})
        values.setdefault("token", "")
        base = str(values.get("base_url", ""))
        if base.endswith("/bot") and "base_file_url" not in values:  # a self-hosted server
            values["base_file_url"] = base[: -len("/bot")] + "/file/bot"
        return cls(**values)  # type: ignore[arg-type]


def _parse(raw: str, default: object) -> object:
    if isinstance(default, bool):
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    if isinstance(default, int):
        return int(raw)
    if isinstance(default, float):
        return float(raw)
    return raw.strip()
