"""``facexplain serve ...``: run the bot on a chat platform."""

from __future__ import annotations

from bot.cli.lazy import PackageGroup

command = PackageGroup(
    name="serve", package="bot.cli.serve", help="Run the bot on a chat platform (Telegram, Slack)."
)
