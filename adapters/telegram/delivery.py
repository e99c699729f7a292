"""Bot API calls under flood control: a call refused with 429 (``RetryAfter``) is tried again
after the time Telegram names, a bounded number of times. A refused call was not carried out,
so trying again never delivers twice; other errors are not retried (a time-out may or may not
have delivered, and a second try could duplicate)."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import warnings
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from telegram.error import BadRequest, RetryAfter

T = TypeVar("T")
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 3
    max_wait_s: float = 60.0


def retry_seconds(exc: RetryAfter) -> float:
    with warnings.catch_warnings():  # PTB 22 warns that the type will become timedelta
        warnings.simplefilter("ignore")
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value)


async def call(request: Callable[[], Awaitable[T]], policy: RetryPolicy) -> T:
    """``await request()``, again after each RetryAfter, at most ``policy.attempts`` tries."""
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
            await asyncio.sleep(wait)
            attempt += 1


def not_modified(exc: BadRequest) -> bool:
    """An edit that would not change the message (Telegram refuses it; nothing to do)."""
    return "not modified" in exc.message.lower()
