"""The import-linter contracts cover the whole tree: every top-level module of ``bot`` is either
the entry layer or listed among "the rest of bot" (a new one must be placed)."""

from __future__ import annotations

import pkgutil
import tomllib
from pathlib import Path

import bot

ROOT = Path(__file__).resolve().parents[1]
ENTRY = {"bot.cli", "bot.composition"}


def test_every_module_of_bot_has_its_layer() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = {c["name"]: c for c in config["tool"]["importlinter"]["contracts"]}
    rest = set(contracts["the rest of bot imports neither the entry layer nor adapters"]
               ["source_modules"])
    modules = {f"bot.{info.name}" for info in pkgutil.iter_modules(bot.__path__)}
    assert modules - ENTRY == rest
    assert contracts["entry (bot.cli, bot.composition) -> adapters -> core"]["layers"] == [
        "bot.cli : bot.composition", "adapters", "core"]
