"""What the Telegram adapter checks of its settings (``bot.platform_settings.TelegramSettings``,
read with the rest of ``Settings``): what a mode needs, and the Bot API's download limit."""

from __future__ import annotations

from bot.platform_settings import TelegramSettings
from core.errors import FacexplainError

TELEGRAM_DOWNLOAD_LIMIT = 20 * 1024 * 1024  # the Bot API serves bots files up to 20 MB


class TelegramNotConfigured(FacexplainError):
    code = "telegram_config"
    user_message = "The Telegram bot is not configured."


def file_limit(max_photo_bytes: int) -> int:
    """The largest file the bot downloads: the service's photo limit, never beyond Telegram's."""
    return min(max_photo_bytes, TELEGRAM_DOWNLOAD_LIMIT)


def require(config: TelegramSettings) -> TelegramSettings:
    """``config`` when its mode has what it needs; else ``TelegramNotConfigured`` saying what."""
    missing = config.missing()
    if "FACEXPLAIN_TELEGRAM_TOKEN" in missing:
        raise TelegramNotConfigured(
            "The Telegram bot token is missing. Create a bot with @BotFather and set "
            "FACEXPLAIN_TELEGRAM_TOKEN.")
    if missing:
        raise TelegramNotConfigured(
            "Webhook mode needs the public HTTPS URL Telegram should call: set "
            "FACEXPLAIN_TELEGRAM_WEBHOOK_URL.")
    return config
