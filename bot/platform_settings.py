"""The chat platforms' settings: ``FACEXPLAIN_TELEGRAM_*`` and ``FACEXPLAIN_SLACK_*``.

Each is a pydantic-settings model nested in ``bot.settings.Settings`` (``settings.telegram``,
``settings.slack``), so it is read from the environment once, with the rest, when the command
starts. The photo byte limit is not here: it is ``Settings.max_image_bytes`` for every platform.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

TelegramMode = Literal["polling", "webhook"]
SlackMode = Literal["socket", "http"]
ReviewButtons = Literal["channels", "always", "never"]


class TelegramSettings(BaseSettings):
    """The Telegram bot. ``token`` comes from @BotFather; ``base_url`` names a self-hosted Bot
    API server (its file URL is derived from it unless ``base_file_url`` is set)."""

    model_config = SettingsConfigDict(env_prefix="FACEXPLAIN_TELEGRAM_", extra="ignore",
                                      frozen=True)

    token: str = Field(default="", repr=False)
    base_url: str = "https://api.telegram.org/bot"
    base_file_url: str = ""  # empty: derived from base_url
    mode: TelegramMode = "polling"
    poll_timeout_s: float = 30.0  # long-polling wait of each getUpdates
    drop_pending: bool = False  # skip updates that queued up while the bot was down
    # webhook mode: Telegram POSTs updates to webhook_url, which must reach listen:port/path
    webhook_url: str = ""
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = 8443
    webhook_path: str = "/telegram"
    webhook_secret: str = Field(default="", repr=False, pattern=r"^[A-Za-z0-9_-]{0,256}$")
    webhook_max_bytes: int = 256 * 1024  # an update is small; anything larger is refused
    download_timeout_s: float = 30.0
    album_window_s: float = 1.0  # parts of one album arriving within this form one message
    # fairness and flood control
    rate_per_minute: int = 20  # messages each user may send per minute (a token bucket)
    retry_attempts: int = 3  # tries of a Bot API call refused with 429 (RetryAfter)
    retry_max_wait_s: float = 60.0  # a longer retry_after is not waited for
    seen_updates: int = 10_000  # update ids remembered to drop duplicates
    max_pending_per_chat: int = 100  # queued messages per chat before new ones are dropped

    @property
    def file_url(self) -> str:
        """Where files are downloaded from: ``base_file_url``, or the one ``base_url`` implies."""
        if self.base_file_url:
            return self.base_file_url
        if self.base_url.endswith("/bot"):
            return self.base_url[: -len("/bot")] + "/file/bot"
        return "https://api.telegram.org/file/bot"

    def missing(self) -> list[str]:
        """What this mode needs that is not set, as the environment variables to set."""
        need = {"TOKEN": self.token}
        if self.mode == "webhook":
            need["WEBHOOK_URL"] = self.webhook_url
        return [f"FACEXPLAIN_TELEGRAM_{name}" for name, value in need.items() if not value]


class SlackSettings(BaseSettings):
    """The Slack assistant. ``bot_token`` (xoxb-) calls the Web API and downloads files;
    ``app_token`` (xapp-, scope connections:write) opens the Socket Mode connection;
    ``signing_secret`` verifies HTTP requests; ``api_url`` is the Web API base URL."""

    model_config = SettingsConfigDict(env_prefix="FACEXPLAIN_SLACK_", extra="ignore",
                                      frozen=True)

    bot_token: str = Field(default="", repr=False)
    app_token: str = Field(default="", repr=False)
    signing_secret: str = Field(default="", repr=False)
    api_url: str = "https://slack.com/api/"
    mode: SlackMode = "socket"
    host: str = "127.0.0.1"  # HTTP mode: where the guarded events endpoint listens
    port: int = 3000
    path: str = "/slack/events"
    max_body_bytes: int = 1024 * 1024  # HTTP mode: larger request bodies get 413
    max_timestamp_skew_s: int = 300  # HTTP mode: older (or future) requests get 401
    max_photos: int = 2  # image files in one message (more are refused before downloading)
    download_timeout_s: float = 30.0
    rate_limit_retries: int = 3  # 429 from the Web API: retried after Retry-After
    retry_attempts: int = 3  # tries after a 5xx (downloads and uploads: after a time-out too)
    api_timeout_s: int = 30  # each Web API call and each upload to an upload URL
    review_buttons: ReviewButtons = "channels"  # where decisions get the review buttons
    progress_interval_s: float = 1.0  # the least time between two edits of a status message
    seen_events: int = 10_000  # event ids remembered to drop duplicates (LRU)
    rate_per_minute: int = 20  # messages each user may send per minute (a token bucket)

    @field_validator("api_url")
    @classmethod
    def _slash(cls, value: str) -> str:
        return value if value.endswith("/") else value + "/"

    def missing(self) -> list[str]:
        """The secrets this mode needs that are not set, as the environment variables to set."""
        need = {"BOT_TOKEN": self.bot_token}
        if self.mode == "socket":
            need["APP_TOKEN"] = self.app_token
        else:
            need["SIGNING_SECRET"] = self.signing_secret
        return [f"FACEXPLAIN_SLACK_{name}" for name, value in need.items() if not value]
