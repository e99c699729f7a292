"""Bot API calls under flood control and transient errors, a bounded number of tries
(``RetryPolicy.attempts``, 3 by default):

- refused with 429 (``RetryAfter``): again after the time Telegram names (at most
  ``max_wait_s``); a refused call was not carried out, so this never delivers twice;
- a 5xx answer (``NetworkError``: Bad Gateway, Service Unavailable...): again after a backoff
  of 0.5 s, then 1 s, 2 s... (at most ``backoff_max_s``, 4 s), each with up to 50 % random
  jitter, so bots that failed together do not retry together;
- a time-out (``TimedOut``) only for ``idempotent`` calls (``getFile``, downloads): a send that
  timed out may have been delivered, and a second try could duplicate it.

Then the error goes to the caller, which tells the user once."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import random
import warnings
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut

T = TypeVar("T")
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 3
    max_wait_s: float = 60.0
    backoff_s: float = 0.5
    backoff_max_s: float = 4.0

    def backoff(self, attempt: int) -> float:
        """The wait before try ``attempt + 1`` after a transient error (with jitter)."""
        base = min(self.backoff_max_s, self.backoff_s * 2.0 ** (attempt - 1))
        return base * (1.0 + 0.5 * random.random())


def retry_seconds(exc: RetryAfter) -> float:
    with warnings.catch_warnings():  # PTB 22 warns that the type will become timedelta
        warnings.simplefilter("ignore")
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value)


async def call(request: Callable[[], Awaitable[T]], policy: RetryPolicy, *,
               idempotent: bool = False) -> T:
    """``await request()``, again after a 429, a 5xx (and a time-out when ``idempotent``), at
    most ``policy.attempts`` tries."""
    attempt = 1
    while True:
        try:
            return await request()
        except RetryAfter as exc:
            wait = retry_seconds(exc)
            if attempt >= policy.attempts or wait > policy.max_wait_s:
                raise
            log.warning("Telegram flood control: retrying in %.0f s (try %d of %d)", wait,
                        attempt + 1, policy.attempts)
        except BadRequest:  # a NetworkError to PTB, but a refusal: never tried again
            raise
        except TimedOut:
            if not idempotent or attempt >= policy.attempts:
                raise
            wait = policy.backoff(attempt)
            log.warning("Telegram timed out: retrying in %.1f s (try %d of %d)", wait,
                        attempt + 1, policy.attempts)
        except NetworkError as exc:
            if attempt >= policy.attempts:
                raise
            wait = policy.backoff(attempt)
            log.warning("Telegram answered %s: retrying in %.1f s (try %d of %d)",
                        type(exc).__name__, wait, attempt + 1, policy.attempts)
        await asyncio.sleep(wait)
        attempt += 1


def not_modified(exc: BadRequest) -> bool:
    """An edit that would not change the message (Telegram refuses it; nothing to do)."""
    return "not modified" in exc.message.lower()
