"""Transient Web API errors, retried by slack_sdk's own retry handlers (``slack_sdk.http_retry``).

The handlers see every request of the client, the raw POST to an upload URL of
``files_upload_v2`` included (``_upload_file`` passes them on), so one set covers the whole
upload: ``files.getUploadURLExternal``, the upload URL, ``files.completeUploadExternal``.

- a 5xx answer (500, 502, 503, 504): again after a backoff of 0.5 s, then 1 s, 2 s... (at most
  ``BACKOFF_MAX_S``, 4 s), each with up to 50 % random jitter; slack_sdk's own
  ``AsyncServerErrorRetryHandler`` takes only 500 and 503;
- a dropped connection (slack_sdk's ``AsyncConnectionErrorRetryHandler``): the same backoff;
- a time-out only on an upload URL: uploading the same bytes again is harmless, while a Web API
  call that timed out (``chat.postMessage``) may have been carried out, and a second try could
  post twice;
- 429: after its ``Retry-After`` (``AsyncRateLimitErrorRetryHandler``).

At most ``attempts`` tries in all for the first three; then the error goes to the caller.
"""

from __future__ import annotations

import asyncio
import random

from aiohttp import ServerTimeoutError
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.http_retry.interval_calculator import RetryIntervalCalculator
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

BACKOFF_S = 0.5
BACKOFF_MAX_S = 4.0
JITTER = 0.5  # up to this share of the wait is added at random
SERVER_ERRORS = frozenset({500, 502, 503, 504})


class BoundedBackoff(RetryIntervalCalculator):
    """0.5 s, 1 s, 2 s, 4 s, 4 s... each times 1 to 1.5 at random."""

    def __init__(self, base_s: float = BACKOFF_S, max_s: float = BACKOFF_MAX_S) -> None:
        self.base_s = base_s
        self.max_s = max_s

    def calculate_sleep_duration(self, current_attempt: int) -> float:
        """The wait after try ``current_attempt + 1`` (slack_sdk counts retries from 0)."""
        base = min(self.max_s, self.base_s * 2.0 ** current_attempt)
        return base * (1.0 + JITTER * random.random())


class ServerErrorRetryHandler(AsyncRetryHandler):
    """A 5xx answer, from the Web API or from an upload URL."""

    async def _can_retry_async(self, *, state: RetryState, request: HttpRequest,
                               response: HttpResponse | None = None,
                               error: Exception | None = None) -> bool:
        return response is not None and response.status_code in SERVER_ERRORS


class UploadTimeoutRetryHandler(AsyncRetryHandler):
    """A time-out on an upload URL (any URL outside the Web API's ``api_url``)."""

    def __init__(self, api_url: str, max_retry_count: int,
                 interval_calculator: RetryIntervalCalculator) -> None:
        super().__init__(max_retry_count, interval_calculator)
        self.api_url = api_url

    async def _can_retry_async(self, *, state: RetryState, request: HttpRequest,
                               response: HttpResponse | None = None,
                               error: Exception | None = None) -> bool:
        timed_out = isinstance(error, asyncio.TimeoutError | ServerTimeoutError)
        return timed_out and not request.url.startswith(self.api_url)


def retry_handlers(api_url: str, attempts: int, rate_limit_retries: int,
                   backoff: RetryIntervalCalculator | None = None) -> list[AsyncRetryHandler]:
    """The Web API client's handlers: at most ``attempts`` tries for transient errors."""
    wait = backoff or BoundedBackoff()
    retries = max(0, attempts - 1)
    return [AsyncConnectionErrorRetryHandler(max_retry_count=retries, interval_calculator=wait),
            ServerErrorRetryHandler(max_retry_count=retries, interval_calculator=wait),
            UploadTimeoutRetryHandler(api_url, retries, wait),
            AsyncRateLimitErrorRetryHandler(max_retry_count=rate_limit_retries)]
