"""The registry of fetchable packs and data sets (``registry.json``, shipped in the package)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Asset:
    """One file to fetch. ``None`` for size, sha256 or md5 means: no published value known."""

    url: str
    filename: str
    archive: str | None = None  # "zip", "tgz" or None (a plain file)
    into: str = ""  # folder (below the target) that the archive's content goes into
    size: int | None = None
    sha256: str | None = None
    md5: str | None = None
    files: dict[str, int | None] = field(default_factory=dict)  # expected members and sizes
    sources: str = ""

    @property
    def checked(self) -> bool:
        return self.sha256 is not None or self.md5 is not None

    def with_base(self, base_url: str | None) -> Asset:
        """The same asset fetched from a mirror (``base_url`` + the file name)."""
        if not base_url:
            return self
        from dataclasses import replace

        return replace(self, url=base_url.rstrip("/") + "/" + self.filename)


@dataclass(frozen=True)
class Pack:
    name: str
    asset: Asset
    settings: dict[str, str]
    licence: str


@dataclass(frozen=True)
class Registry:
    packs: dict[str, Pack]
    datasets: dict[str, list[Asset]]
    licences: dict[str, str]

    def licence_for(self, path: Path) -> str:
        """A licence note for a model file, by the pack or folder it sits in."""
        for part in reversed(path.parts):
            if part in self.packs:
                return self.packs[part].licence
            key = part.split("_")[0].lower()
            if key in self.licences:
                return self.licences[key]
            if part.lower() == "scrfd" or part.startswith("det_"):
                return self.packs["buffalo_l"].licence
        return "unknown: check the terms of the source of this file"


def _asset(raw: dict[str, Any]) -> Asset:
    keys = Asset.__dataclass_fields__
    return Asset(**{k: v for k, v in raw.items() if k in keys})


def parse_registry(raw: dict[str, Any]) -> Registry:
    packs = {name: Pack(name, _asset(entry), dict(entry.get("settings", {})), entry.get("licence", ""))
             for name, entry in raw.get("models", {}).items()}
    datasets = {name: [_asset(e) for e in entries] for name, entries in raw.get("data", {}).items()}
    return Registry(packs, datasets, dict(raw.get("licences", {})))


def load_registry(path: Path | None = None) -> Registry:
    """The registry shipped with facexplain, or one of your own (e.g. for a mirror)."""
    if path is not None:
        text = path.read_text(encoding="utf-8")
    else:
        text = resources.files("bot.fetch").joinpath("registry.json").read_text(encoding="utf-8")
    return parse_registry(json.loads(text))
