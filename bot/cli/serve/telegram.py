"""``facexplain serve telegram``: the Telegram bot.

The command lives next to its adapter (``adapters.telegram.command``): adapters import ``bot``,
never the reverse, so it is looked up by name, and only when this sub-command is asked for.
"""

from __future__ import annotations

from importlib import import_module

command = import_module("adapters.telegram.command").command
