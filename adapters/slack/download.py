"""Downloading a shared file: with the bot token, capped, and only when it is an image.

Slack answers a file request it does not authorise (no token, a missing files:read scope)
with its HTML sign-in page and status 200; that page is refused here, never decoded. A 5xx, a
dropped connection or a time-out is tried again (``attempts`` tries, the backoff of
``adapters.slack.retries``); then the user is told once.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

import aiohttp

from adapters.slack.retries import BoundedBackoff
from bot.messages import Photo
from core.errors import FacexplainError, ImageTooLarge, UnsupportedImageType

if TYPE_CHECKING:
    from adapters.slack.incoming import SharedFile

log = logging.getLogger(__name__)
_CHUNK = 64 * 1024


class FileUnavailable(FacexplainError):
    code = "slack_file_unavailable"
    user_message = (
        "I could not download that photo from Slack (I got a web page instead of the image). "
        "Please share it again; if this keeps happening, ask a workspace admin to check that "
        "the facexplain app may read files."
    )


class DownloadFailed(FacexplainError):
    code = "slack_download"
    user_message = ("I could not download that photo from Slack just now (its file service "
                    "did not answer). Please share it again in a minute.")


class _Transient(Exception):
    """A download that may work when tried again."""


class SlackFiles:
    """Fetches ``url_private_download`` with ``Authorization: Bearer <bot token>``."""

    def __init__(self, token: str, max_bytes: int, timeout_s: float = 30.0,
                 attempts: int = 3) -> None:
        self._token = token
        self.max_bytes = max_bytes
        self.timeout = aiohttp.ClientTimeout(total=timeout_s)
        self.attempts = attempts
        self.backoff = BoundedBackoff()
        self._session: aiohttp.ClientSession | None = None

    async def fetch(self, shared: SharedFile) -> Photo:
        for attempt in range(self.attempts):
            if attempt:
                await asyncio.sleep(self.backoff.calculate_sleep_duration(attempt - 1))
            try:
                return await self._fetch(shared)
            except _Transient as exc:
                log.warning("file %s: download failed (%s, try %d of %d)", shared.id, exc,
                            attempt + 1, self.attempts)
        raise DownloadFailed()

    async def _fetch(self, shared: SharedFile) -> Photo:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self.timeout)
        headers = {"Authorization": f"Bearer {self._token}"}
        try:
            async with self._session.get(shared.url, headers=headers) as response:
                kind = response.content_type.lower()
                if response.status >= 500:
                    raise _Transient(f"HTTP {response.status}")
                if response.status != 200 or kind == "text/html":
                    log.warning("file %s: status %s, %s instead of the image (check the token "
                                "and the files:read scope)", shared.id, response.status, kind)
                    raise FileUnavailable()
                if not (kind.startswith("image/") or kind == "application/octet-stream"):
                    raise UnsupportedImageType()
                if (response.content_length or 0) > self.max_bytes:
                    raise ImageTooLarge.over(self.max_bytes)
                data = bytearray()
                async for chunk in response.content.iter_chunked(_CHUNK):
                    data += chunk
                    if len(data) > self.max_bytes:
                        raise ImageTooLarge.over(self.max_bytes)
        except (aiohttp.ClientError, TimeoutError) as exc:  # no text: it may hold the URL
            raise _Transient(type(exc).__name__) from None
        mime = kind if kind.startswith("image/") else shared.mimetype
        return Photo(bytes(data), shared.name, mime)

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
