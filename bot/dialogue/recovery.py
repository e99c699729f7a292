"""Replies that outlive a restart of the bot, on a runner whose jobs do (Celery).

Before the dialogue sends a job whose result the user awaits (the decision, the heatmaps), it
notes the conversation next to the job (``remember``); before it sends any reply about that
job it claims the note (``claim``: one bot wins). A bot that starts later finds the notes
left (``pending``), waits for those jobs' outcomes without running them again (``collect``)
and delivers them (``Dialogue.recover``). On in-process runners none of this happens: their
jobs die with the bot.

At most once, not exactly once: a bot that dies after claiming a note and before the reply
reached the platform loses that reply.
"""

from __future__ import annotations

import json
import logging
import uuid
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from bot.jobs.runner import Job, JobRunner, T
from bot.messages import ConversationKey
from core.errors import FacexplainError
from core.progress import Progress, no_progress

log = logging.getLogger(__name__)


@runtime_checkable
class RecoverableRunner(Protocol):
    """A job runner whose jobs and outcomes outlive the bot (``CeleryJobRunner``)."""

    async def run(self, job: Job[T], payload: Any, progress: Progress = no_progress, *,
                  label: str = "", job_id: str | None = None) -> T: ...

    async def remember(self, job_id: str, note: dict[str, str]) -> None: ...

    async def pending(self) -> list[tuple[str, dict[str, str]]]: ...

    async def claim(self, job_id: str) -> bool: ...

    async def collect(self, job_id: str, *, label: str = "") -> Any: ...

    async def forget_notes(self, who: str) -> int: ...


class Sealer(Protocol):
    """What keeps a note's platform ids unreadable in Redis (the store: ``Sessions``)."""

    def user_ref(self, platform: str, platform_user_id: str) -> str: ...

    def seal(self, data: bytes) -> bytes: ...

    def unseal(self, token: bytes) -> bytes: ...


def sealed_note(awaited: Awaited, sealer: Sealer) -> dict[str, str]:
    """The note as Redis keeps it: the user's pseudonym (for /forget) and the rest sealed."""
    plain = json.dumps(awaited.note()).encode()
    return {"who": sealer.user_ref(awaited.key.platform, awaited.key.user),
            "sealed": sealer.seal(plain).decode()}


def open_note(note: dict[str, str], sealer: Sealer) -> dict[str, str]:
    if "sealed" not in note:
        return note
    try:
        opened: dict[str, str] = json.loads(sealer.unseal(note["sealed"].encode()))
    except Exception:
        log.warning("ignoring a note that cannot be opened (another key?)")
        return {}
    return opened


@dataclass(frozen=True)
class Awaited:
    """Who awaits a job: the conversation, the kind of job, and what delivery needs to know."""

    key: ConversationKey
    kind: str  # "verify" | "explain"
    comparison_id: int | None = None
    number: int = 0  # the comparison's number in the conversation

    def note(self) -> dict[str, str]:
        note = {"platform": self.key.platform, "chat": self.key.chat, "user": self.key.user,
                "kind": self.kind, "number": str(self.number)}
        if self.key.thread is not None:
            note["thread"] = self.key.thread
        if self.key.shared:
            note["shared"] = "1"
        if self.comparison_id is not None:
            note["comparison_id"] = str(self.comparison_id)
        return note

    @staticmethod
    def from_note(note: dict[str, str]) -> Awaited | None:
        try:
            key = ConversationKey(note["platform"], note["chat"], note["user"],
                                  note.get("thread"), note.get("shared") == "1")
            found = note.get("comparison_id")
            return Awaited(key, note["kind"], None if found is None else int(found),
                           int(note.get("number", "0")))
        except (KeyError, ValueError):
            log.warning("ignoring a malformed note of an awaited job")
            return None


class Delivery:
    """One awaited job of the dialogue: noted before it is sent (on a recoverable runner),
    claimed before any reply about it goes out. On other runners claiming always succeeds."""

    def __init__(self, runner: JobRunner, job_id: str | None = None,
                 sealer: Sealer | None = None) -> None:
        self.runner = runner
        self.sealer = sealer
        self.recoverable = runner if isinstance(runner, RecoverableRunner) else None
        self.job_id = job_id if self.recoverable is not None else None

    async def run(self, job: Job[T], payload: Any, progress: Progress, *, label: str,
                  awaited: Awaited) -> T:
        """``runner.run``; on a recoverable runner the job gets an id noted with ``awaited``."""
        if self.recoverable is None:
            return await self.runner.run(job, payload, progress, label=label)
        job_id = self.job_id or uuid.uuid4().hex
        note = awaited.note() if self.sealer is None else sealed_note(awaited, self.sealer)
        await self.recoverable.remember(job_id, note)
        self.job_id = job_id  # noted: from now on its replies are claimed
        return await self.recoverable.run(job, payload, progress, label=label, job_id=job_id)

    async def collect(self, *, label: str) -> Any:
        """The outcome of the noted job (sent by an earlier bot)."""
        assert self.recoverable is not None and self.job_id is not None
        return await self.recoverable.collect(self.job_id, label=label)

    async def claim(self) -> bool:
        """Whether this bot delivers the job's replies (False: another bot did or does)."""
        if self.recoverable is None or self.job_id is None:
            return True
        try:
            return await self.recoverable.claim(self.job_id)
        except FacexplainError as exc:  # Redis gone just after the result came: deliver
            log.warning("could not claim the replies of job %s: %s", self.job_id, exc.code)
            return True
