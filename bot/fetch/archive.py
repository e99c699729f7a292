"""Checksums and safe unpacking (no member may land outside the target folder)."""

from __future__ import annotations

import hashlib
import shutil
import tarfile
import zipfile
from pathlib import Path

from bot.fetch.download import DownloadError


class ChecksumMismatch(DownloadError):
    user_message = "The downloaded file does not match its published checksum"


def digests(path: Path) -> dict[str, str]:
    """sha256 and md5 of a file, read once."""
    sha, md5 = hashlib.sha256(), hashlib.md5(usedforsecurity=False)
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            sha.update(block)
            md5.update(block)
    return {"sha256": sha.hexdigest(), "md5": md5.hexdigest()}


def check(path: Path, *, sha256: str | None, md5: str | None, size: int | None) -> dict[str, str]:
    """Raise ChecksumMismatch when a known value differs; return the computed digests."""
    actual_size = path.stat().st_size
    if size is not None and actual_size != size:
        raise ChecksumMismatch(detail=f"{path.name} has {actual_size} bytes, expected {size}")
    found = digests(path)
    for name, expected in (("sha256", sha256), ("md5", md5)):
        if expected is not None and found[name] != expected.lower():
            raise ChecksumMismatch(detail=f"{path.name}: {name} {found[name]}, expected {expected}")
    return found


def _inside(root: Path, name: str) -> bool:
    target = (root / name).resolve()
    return target == root or root in target.parents


def unpack(archive: Path, kind: str, target: Path) -> list[Path]:
    """Unpack ``archive`` into ``target``; a single top folder (``pack/…``) is flattened away.
    Returns the regular files now under ``target``."""
    staging = target.with_name(target.name + ".unpacking")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    root = staging.resolve()
    if kind == "zip":
        with zipfile.ZipFile(archive) as zf:
            bad = [n for n in zf.namelist() if not _inside(root, n)]
            if bad:
                raise DownloadError(detail=f"{archive.name} has members outside its folder: {bad[:3]}")
            zf.extractall(staging)
    elif kind == "tgz":
        with tarfile.open(archive, "r:gz") as tf:
            tf.extractall(staging, filter="data")  # refuses links and paths that leave the folder
    else:
        raise DownloadError(detail=f"unknown archive kind {kind!r}")
    entries = [p for p in staging.iterdir() if p.name != "__MACOSX"]
    source = entries[0] if len(entries) == 1 and entries[0].is_dir() else staging
    target.mkdir(parents=True, exist_ok=True)
    for item in source.iterdir():
        if item.name == "__MACOSX":
            continue
        dest = target / item.name
        if dest.is_dir():
            shutil.rmtree(dest)
        item.replace(dest)
    shutil.rmtree(staging, ignore_errors=True)
    return sorted(p for p in target.rglob("*") if p.is_file())
