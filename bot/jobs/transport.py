"""Errors across a process boundary: a job's exception as plain data, and back.

Exceptions do not pickle faithfully (a FacexplainError's ``detail`` would leak into its
``user_message``), so workers send this record and the parent rebuilds the exception.
"""

from __future__ import annotations

import importlib
import traceback
from dataclasses import dataclass

from bot.jobs.runner import JobFailed
from core.errors import FacexplainError


@dataclass(frozen=True)
class FailedJobRecord:
    module: str
    name: str
    user_message: str
    detail: str
    photo: int | None
    traceback: str


def pack(exc: BaseException) -> FailedJobRecord:
    cls = type(exc)
    tb = "".join(traceback.format_exception(exc))
    if isinstance(exc, FacexplainError):
        return FailedJobRecord(cls.__module__, cls.__qualname__, exc.user_message, exc.detail,
                               exc.photo, tb)
    return FailedJobRecord(cls.__module__, cls.__qualname__, JobFailed.user_message,
                           f"{cls.__qualname__}: {exc}", None, tb)


def unpack(record: FailedJobRecord) -> FacexplainError:
    """The same FacexplainError subclass where it can be imported, else a JobFailed."""
    cls: type[FacexplainError] = JobFailed
    try:
        found = getattr(importlib.import_module(record.module), record.name)
        if isinstance(found, type) and issubclass(found, FacexplainError):
            cls = found
    except (ImportError, AttributeError):
        pass
    exc = cls.__new__(cls)
    Exception.__init__(exc, record.user_message + (f" ({record.detail})" if record.detail else ""))
    exc.user_message = record.user_message
    exc.detail = record.detail
    exc.photo = record.photo
    return exc
