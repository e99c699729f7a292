"""Downloading a shared file: with the bot token, capped, and only when it is an image.

Slack answers a file request it does not authorise (no token, a missing files:read scope)
with its HTML sign-in page and status 200; that page is refused here, never decoded.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import aiohttp

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


class SlackFiles:
    """Fetches ``url_private_download`` with ``Authorization: Bearer <bot token>``."""

    def __init__(self, token: str, max_bytes: int, timeout_s: float = 30.0) -> None:
        self._token = token
        self.max_bytes = max_bytes
        self.timeout = aiohttp.ClientTimeout(total=timeout_s)
        self._session: aiohttp.ClientSession | None = None

    async def fetch(self, shared: SharedFile) -> Photo:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self.timeout)
        headers = {"Authorization": f"Bearer {self._token}"}
        try:
            async with self._session.get(shared.url, headers=headers) as response:
                kind = response.content_type.lower()
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
        except (aiohttp.ClientError, TimeoutError) as exc:
            log.warning("file %s: download failed (%s)", shared.id, type(exc).__name__)
            raise FileUnavailable() from None
        mime = kind if kind.startswith("image/") else shared.mimetype
        return Photo(bytes(data), shared.name, mime)

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
