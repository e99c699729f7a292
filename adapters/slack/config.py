"""The Slack adapter's fixed vocabulary. Its settings are ``bot.platform_settings.SlackSettings``
(``Settings.slack``, from ``FACEXPLAIN_SLACK_*``)."""

from __future__ import annotations

from bot.dialogue.commands import COMMANDS

# Plain words (or /words) a user may send to run a dialogue command: Slack's composer treats a
# leading "/" as a slash command, so in Slack "forget" is as good as "/forget".
TEXT_COMMANDS = tuple(command.name for command in COMMANDS)
