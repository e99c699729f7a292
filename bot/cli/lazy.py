"""A click group whose sub-commands are the modules of a package, imported on demand.

Each module defines ``command`` (a click command or group). Adding a command is adding a
module; nothing heavy is imported until the command runs.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

import click


class PackageGroup(click.Group):
    def __init__(self, *args: Any, package: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.package = package

    def _names(self) -> dict[str, str]:
        pkg = importlib.import_module(self.package)
        names = {}
        for info in pkgutil.iter_modules(pkg.__path__):
            if not info.name.startswith("_"):
                names[info.name.replace("_", "-")] = f"{self.package}.{info.name}"
        return names

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(self._names()))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        found = super().get_command(ctx, cmd_name)
        if found is not None:
            return found
        module_name = self._names().get(cmd_name)
        if module_name is None:
            return None
        command = importlib.import_module(module_name).command
        assert isinstance(command, click.Command)
        return command
