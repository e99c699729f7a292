"""Store calls survive a database that is away for a few seconds (a restart, a failover).

``@retried`` runs a store method again when the database cannot be reached (SQLAlchemy's
``OperationalError``/``InterfaceError``, a pool timeout), waiting 0.1 s, then twice as long
each time (at most 2 s), for up to ``StoreConfig.retry_s`` seconds in all; then it raises
``StoreUnavailable``, whose message the dialogue shows. Each attempt is a whole new
transaction, so nothing half-done is retried on top of itself.

One window remains: if the connection dies after COMMIT was sent but before its answer came
back, the write may have happened, and the retry writes it again (a turn stored twice, never
dropped). The usual outage, a database that cannot be reached at all, cannot cause that.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable
from typing import Concatenate, ParamSpec, Protocol, TypeVar

from sqlalchemy import exc as sa_exc

from bot.store.config import StoreConfig
from core.errors import FacexplainError

log = logging.getLogger(__name__)
TRANSIENT = (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.TimeoutError)
_FIRST_WAIT_S = 0.1
_LONGEST_WAIT_S = 2.0


class StoreUnavailable(FacexplainError):
    code = "store_unavailable"
    user_message = (
        "I cannot reach my conversation database just now, so I could not save this. "
        "Please try again in a minute."
    )


class Configured(Protocol):
    config: StoreConfig


S = TypeVar("S", bound=Configured)
P = ParamSpec("P")
R = TypeVar("R")


def retried(method: Callable[Concatenate[S, P], R]) -> Callable[Concatenate[S, P], R]:
    def call(self: S, /, *args: P.args, **kwargs: P.kwargs) -> R:
        deadline = time.monotonic() + self.config.retry_s
        wait = _FIRST_WAIT_S
        while True:
            try:
                return method(self, *args, **kwargs)
            except TRANSIENT as exc:
                if time.monotonic() + wait > deadline:
                    raise StoreUnavailable(detail=f"{method.__name__}: "
                                                  f"{type(exc).__name__}") from exc
                log.warning("database unavailable during %s (%s); retrying in %.1f s",
                            method.__name__, type(exc).__name__, wait)
                time.sleep(wait)
                wait = min(wait * 2, _LONGEST_WAIT_S)

    functools.update_wrapper(call, method)
    return call
