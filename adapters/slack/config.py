"""The Slack adapter's options, read once at start-up (``config_from_env``)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

Mode = Literal["socket", "http"]
ReviewButtons = Literal["channels", "always", "never"]

# Plain words (or /words) a user may send to run a dialogue command: Slack's composer treats a
# leading "/" as a slash command, so in Slack "forget" is as good as "/forget".
TEXT_COMMANDS = ("start", "help", "privacy", "new", "agree", "explain", "table", "describe",
                 "forget")

ENV_PREFIX = "FACEXPLAIN_SLACK_"


@dataclass(frozen=True)
class SlackConfig:
    """``bot_token`` (xoxb-) calls the Web API and downloads files; ``app_token`` (xapp-,
    scope connections:write) opens the Socket Mode connection; ``signing_secret`` verifies
    HTTP requests. ``api_url`` is the Web API base URL (ends with a slash)."""

    bot_token: str = field(repr=False)
    app_token: str = field(default="", repr=False)
    signing_secret: str = field(default="", repr=False)
    api_url: str = "https://slack.com/api/"
    mode: Mode = "socket"
    host: str = "127.0.0.1"  # HTTP mode: where the guarded events endpoint listens
    port: int = 3000
    path: str = "/slack/events"
    max_body_bytes: int = 1024 * 1024  # HTTP mode: larger request bodies get 413
    max_timestamp_skew_s: int = 300  # HTTP mode: older (or future) requests get 401
    max_file_bytes: int = 10 * 1024 * 1024  # one photo, declared and downloaded (the
    # command sets it from Settings.max_image_bytes, the limit of the whole service)
    max_photos: int = 2  # image files in one message (more are refused before downloading)
    download_timeout_s: float = 30.0
    rate_limit_retries: int = 3  # 429 from the Web API: retried after Retry-After
    review_buttons: ReviewButtons = "channels"  # where decisions get the review buttons
    progress_interval_s: float = 1.0  # the least time between two edits of a status message
    seen_events: int = 10_000  # event ids remembered to drop duplicates (LRU)
    text_commands: tuple[str, ...] = TEXT_COMMANDS

    def __post_init__(self) -> None:
        if self.mode not in ("socket", "http"):
            raise ValueError(f"mode must be socket or http, not {self.mode!r}")
        if self.review_buttons not in ("channels", "always", "never"):
            raise ValueError(f"review_buttons must be channels, always or never, "
                             f"not {self.review_buttons!r}")
        if not self.api_url.endswith("/"):
            object.__setattr__(self, "api_url", self.api_url + "/")

    def missing(self) -> list[str]:
        """The secrets this mode needs that are not set (names of the environment variables)."""
        need = {"BOT_TOKEN": self.bot_token}
        if self.mode == "socket":
            need["APP_TOKEN"] = self.app_token
        else:
            need["SIGNING_SECRET"] = self.signing_secret
        return [ENV_PREFIX + name for name, value in need.items() if not value]


def config_from_env(environ: Mapping[str, str] | None = None, **overrides: object) -> SlackConfig:
    """A ``SlackConfig`` from FACEXPLAIN_SLACK_* variables, then ``overrides`` (CLI flags)."""
    env = os.environ if environ is None else environ
    values: dict[str, object] = {}
    casts: dict[str, type] = {"port": int, "max_body_bytes": int,
                              "max_timestamp_skew_s": int, "max_photos": int,
                              "download_timeout_s": float, "rate_limit_retries": int,
                              "progress_interval_s": float, "seen_events": int}
    for name in ("bot_token", "app_token", "signing_secret", "api_url", "mode", "host", "path",
                 "review_buttons", *casts):
        raw = env.get(ENV_PREFIX + name.upper())
        if raw is not None and raw != "":
            values[name] = casts.get(name, str)(raw)
    values.update({k: v for k, v in overrides.items() if v is not None})
    values.setdefault("bot_token", "")
    return SlackConfig(**values)  # type: ignore[arg-type]
