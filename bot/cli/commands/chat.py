"""``facexplain chat``: the console chat.

The command lives next to its adapter (``adapters.console.command``): adapters import ``bot``,
never the reverse, so it is looked up by name, and only when this command is asked for.
"""

from __future__ import annotations

from importlib import import_module

command = import_module("adapters.console.command").command
