"""Photo downloads: the declared size is checked before anything is fetched, and the transfer
itself stops as soon as it passes the limit."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

import httpx
from telegram import Bot
from telegram.error import BadRequest, TelegramError

from adapters.telegram.delivery import RetryPolicy, call
from bot.messages import Photo
from core.errors import FacexplainError, ImageTooLarge

log = logging.getLogger(__name__)


class DownloadFailed(FacexplainError):
    code = "telegram_download"
    user_message = "I could not fetch that photo from Telegram. Please send it again."


@dataclass(frozen=True)
class Attachment:
    """A file a message carries, as the update declares it (nothing fetched yet)."""

    file_id: str
    size: int | None
    filename: str
    mime: str


class _Transient(Exception):
    """A download that may work when tried again (a 5xx, a dropped connection, a time-out)."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class Downloader:
    def __init__(self, bot: Bot, limit: int, policy: RetryPolicy, timeout_s: float = 30.0) -> None:
        self.bot = bot
        self.limit = limit
        self.policy = policy
        self.client = httpx.AsyncClient(timeout=timeout_s, follow_redirects=False,
                                        trust_env=False)

    async def fetch(self, attachment: Attachment) -> Photo:
        """The file's bytes; ImageTooLarge when it is (or turns out) over the limit."""
        if attachment.size is not None and attachment.size > self.limit:
            raise ImageTooLarge.over(self.limit)
        try:
            file = await call(lambda: self.bot.get_file(attachment.file_id), self.policy,
                              idempotent=True)
        except BadRequest as exc:
            if "too big" in exc.message.lower():
                raise ImageTooLarge.over(self.limit) from None
            raise DownloadFailed(detail=type(exc).__name__) from None
        except TelegramError as exc:
            raise DownloadFailed(detail=type(exc).__name__) from None
        if file.file_size is not None and file.file_size > self.limit:
            raise ImageTooLarge.over(self.limit)
        url = file.file_path or ""
        if not url.startswith(("http://", "https://")):
            raise DownloadFailed(detail="no download URL (local Bot API mode is not supported)")
        data = await self._get_retried(url)
        return Photo(data, attachment.filename, attachment.mime)

    async def _get_retried(self, url: str) -> bytes:
        """The download, again after a 5xx or a network error (``RetryPolicy`` backoff)."""
        attempt = 1
        while True:
            try:
                return await self._get(url)
            except _Transient as exc:
                if attempt >= self.policy.attempts:
                    raise DownloadFailed(detail=exc.detail) from None
                wait = self.policy.backoff(attempt)
                log.warning("a file download failed (%s): retrying in %.1f s", exc.detail, wait)
                await asyncio.sleep(wait)
                attempt += 1

    async def _get(self, url: str) -> bytes:
        received = bytearray()
        try:
            async with self.client.stream("GET", url) as response:
                if response.status_code >= 500:
                    raise _Transient(f"HTTP {response.status_code}")
                if response.status_code != 200:
                    raise DownloadFailed(detail=f"HTTP {response.status_code}")
                declared = response.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > self.limit:
                    raise ImageTooLarge.over(self.limit)
                async for chunk in response.aiter_bytes():
                    received += chunk
                    if len(received) > self.limit:
                        raise ImageTooLarge.over(self.limit)
        except (httpx.TransportError, httpx.StreamError) as exc:  # no text: it holds the URL
            raise _Transient(type(exc).__name__) from None
        except httpx.HTTPError as exc:  # its text holds the URL, and the URL the token
            raise DownloadFailed(detail=type(exc).__name__) from None
        return bytes(received)

    async def close(self) -> None:
        await self.client.aclose()
