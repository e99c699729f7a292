"""Fetch one asset into a folder: download (resumed), check, unpack, record what arrived.

The record (``facexplain-manifest.json`` in the target folder) lists each file with its size
and sha256, so ``facexplain models verify`` can later tell whether anything changed.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from bot.fetch.archive import ChecksumMismatch, check, digests, unpack
from bot.fetch.download import ProgressBytes, download
from bot.fetch.registry import Asset

MANIFEST = "facexplain-manifest.json"


@dataclass(frozen=True)
class Fetched:
    asset: Asset
    files: list[Path]
    sha256: str
    verified: bool  # False when no published checksum was known to compare with


def describe(asset: Asset) -> str:
    size = f"{asset.size:,} bytes" if asset.size else "size not published"
    if asset.sha256:
        checksum = f"sha256 {asset.sha256}"
    elif asset.md5:
        checksum = f"md5 {asset.md5}"
    else:
        checksum = "no published checksum (facexplain records the sha256 it computes)"
    return f"{asset.url} ({size}; {checksum})"


def by_hand(asset: Asset, target: Path) -> str:
    """How to place ``asset`` without facexplain fetching it."""
    into = target / asset.into if asset.into else target
    if asset.archive == "zip":
        step = f"unzip {asset.filename} -d {into}  (the files themselves, not a folder of them)"
    elif asset.archive == "tgz":
        step = f"mkdir -p {into} && tar -xzf {asset.filename} -C {into} --strip-components=1"
    else:
        return f"download {asset.url} and save it as {into / asset.filename}"
    return f"download {asset.url} on a machine with internet access, then: {step}"


def offline_help(assets: list[Asset], target: Path, reason: str) -> str:
    host = urlsplit(assets[0].url).netloc
    lines = [f"Could not reach {host} ({reason}).", "facexplain would fetch:"]
    lines += [f"  {describe(a)}" for a in assets]
    lines += [f"into {target}. To place the files by hand:"]
    lines += [f"  {by_hand(a, target)}" for a in assets]
    return "\n".join(lines)


def fetch(asset: Asset, target: Path, downloads: Path, progress: ProgressBytes) -> Fetched:
    """Download ``asset`` into ``downloads`` and put its content into ``target``."""
    archive = downloads / asset.filename
    if not archive.exists():
        download(asset.url, archive, expected_size=asset.size, progress=progress)
    try:
        found = check(archive, sha256=asset.sha256, md5=asset.md5, size=asset.size)
    except ChecksumMismatch:
        archive.unlink()  # a rerun fetches it again instead of failing on the same bytes
        raise
    into = target / asset.into if asset.into else target
    if asset.archive:
        files = unpack(archive, asset.archive, into)
    else:
        into.mkdir(parents=True, exist_ok=True)
        files = [archive.replace(into / asset.filename)]
    missing = [name for name in asset.files if not (into / name).is_file()]
    wrong = [name for name, size in asset.files.items()
             if size is not None and name not in missing and (into / name).stat().st_size != size]
    if missing or wrong:
        raise ChecksumMismatch(detail=f"{asset.filename}: missing {missing}, wrong size {wrong}")
    if asset.archive:
        write_manifest(into, asset, found["sha256"])
        archive.unlink()  # unpacked and recorded: the archive itself is not needed any more
    return Fetched(asset, files, found["sha256"], verified=asset.checked)


def write_manifest(folder: Path, asset: Asset, archive_sha256: str) -> Path:
    files = {str(p.relative_to(folder)): {"size": p.stat().st_size, "sha256": digests(p)["sha256"]}
             for p in sorted(folder.rglob("*")) if p.is_file() and p.name != MANIFEST}
    record = {"source": asset.url, "archive": asset.filename, "archive_sha256": archive_sha256,
              "published_checksum": asset.checked, "fetched": dt.date.today().isoformat(),
              "files": files}
    path = folder / MANIFEST
    path.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    return path


def verify_manifest(path: Path) -> list[str]:
    """Problems found re-checking a folder against its manifest (empty when all is well)."""
    folder = path.parent
    record = json.loads(path.read_text(encoding="utf-8"))
    problems = []
    for name, expected in record.get("files", {}).items():
        file = folder / name
        if not file.is_file():
            problems.append(f"{file}: missing")
        elif file.stat().st_size != expected["size"]:
            problems.append(f"{file}: {file.stat().st_size} bytes, recorded {expected['size']}")
        elif digests(file)["sha256"] != expected["sha256"]:
            problems.append(f"{file}: sha256 differs from the one recorded at download")
    return problems
