"""A resumable HTTP(S) download into ``<dest>.part`` with a progress callback.

A partial file left by an interrupted run is continued with an HTTP Range request; a server
that ignores the range (200 instead of 206) restarts the file from the start.
"""

from __future__ import annotations

import http.client
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

from core.errors import FacexplainError

ProgressBytes = Callable[[int, int | None], None]  # (bytes so far, total or None)
CHUNK = 1 << 16


class DownloadError(FacexplainError):
    user_message = "The download failed"


class Unreachable(DownloadError):
    """The server could not be reached at all (offline, DNS, refused)."""

    user_message = "The download server could not be reached"


def part_path(dest: Path) -> Path:
    return dest.with_name(dest.name + ".part")


def _no_progress(done: int, total: int | None) -> None:
    return None


def download(url: str, dest: Path, *, expected_size: int | None = None,
             progress: ProgressBytes = _no_progress, timeout_s: float = 60.0) -> Path:
    """Fetch ``url`` to ``dest`` (renamed from ``dest.part`` only once complete)."""
    part = part_path(dest)
    part.parent.mkdir(parents=True, exist_ok=True)
    have = part.stat().st_size if part.exists() else 0
    if expected_size is not None and have == expected_size:
        part.replace(dest)
        return dest
    request = urllib.request.Request(url, headers={"User-Agent": "facexplain"})
    if have:
        request.add_header("Range", f"bytes={have}-")
    try:
        response = urllib.request.urlopen(request, timeout=timeout_s)
    except urllib.error.HTTPError as exc:
        exc.close()
        if exc.code == 416 and have:  # the range starts at the end: the part file is complete
            part.replace(dest)
            return dest
        raise DownloadError(detail=f"HTTP {exc.code} {exc.reason} for {url}") from exc
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise Unreachable(detail=f"{url}: {reason}") from exc
    with response:
        resumed = have and response.status == 206
        if not resumed:
            have = 0
        length = response.headers.get("Content-Length")
        total = have + int(length) if length is not None else expected_size
        done = have
        progress(done, total)
        try:
            with part.open("ab" if resumed else "wb") as out:
                while block := response.read(CHUNK):
                    out.write(block)
                    done += len(block)
                    progress(done, total)
        except (OSError, http.client.HTTPException) as exc:
            raise DownloadError(detail=f"{url} stopped after {done} bytes ({exc}); "
                                "run the command again to resume") from exc
    if total is not None and done < total:
        raise DownloadError(detail=f"{url} stopped after {done} of {total} bytes; "
                            "run the command again to resume")
    part.replace(dest)
    return dest
