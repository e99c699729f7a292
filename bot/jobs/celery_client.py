"""The bot's side of Celery, synchronous (``CeleryJobRunner`` calls it on its own threads):
send a job, read its state, forget its state, check that Redis answers; and the notes of
who awaits a job's result (``remember``, ``pending``, ``claim``)."""

from __future__ import annotations

import json
import logging
from typing import Any

from bot.jobs.celery_app import TASK_NAME, CeleryConfig, make_app
from bot.jobs.celery_outcomes import Outcome, Outcomes
from bot.jobs.transport import pack
from core.errors import FacexplainError

log = logging.getLogger(__name__)

# A forgotten job taken off the queue keeps its small record this long, only for the bots
# awaiting it: they see it at their next poll and stop waiting (``CeleryJobRunner._wait``).
UNQUEUED_RECORD_S = 10.0


class CeleryClient:
    def __init__(self, config: CeleryConfig) -> None:
        self.config = config
        self._app: Any = None
        self._outcomes = Outcomes(config)

    @property
    def app(self) -> Any:
        if self._app is None:
            self._app = make_app(self.config, "client")
        return self._app

    def ping(self) -> None:
        self.app.backend.client.ping()

    def send(self, job_id: str, name: str, payload: Any, background: bool = False) -> None:
        """Queue ``name(context, payload, progress)`` as the task with id ``job_id`` (heatmaps
        on the background queue)."""
        queue = self.config.background_queue if background else self.config.queue
        # argsrepr: Celery would put a repr of the payload in the message headers (and logs)
        self.app.send_task(TASK_NAME, args=(job_id, name, payload), task_id=job_id, queue=queue,
                           argsrepr=f"({job_id!r}, {name!r}, ...)", kwargsrepr="{}")

    def peek(self, job_id: str) -> tuple[str, Any]:
        """The job's state (PENDING, STARTED, PROGRESS, SUCCESS, FAILURE...) and its data."""
        meta = self.app.backend.get_task_meta(job_id, cache=False)
        return str(meta["status"]), meta.get("result")

    def forget(self, job_id: str) -> None:
        try:  # the outcome record stays (for redeliveries); the task state is not needed
            self.app.backend.forget(job_id)
        except Exception as exc:
            log.debug("could not forget the state of job %s: %s", job_id, exc)

    def outcome(self, job_id: str) -> Outcome | None:
        """The job's recorded outcome, if it finished (kept after ``forget``)."""
        return self._outcomes.get(job_id)

    def _note_key(self, job_id: str) -> str:
        return f"{self.config.queue}:awaited:{job_id}"

    def remember(self, job_id: str, note: dict[str, str]) -> None:
        redis = self._outcomes.redis()
        redis.set(self._note_key(job_id), json.dumps(note), ex=self.config.result_ttl_s)

    def pending(self) -> list[tuple[str, dict[str, str]]]:
        redis, prefix = self._outcomes.redis(), self._note_key("")
        found = []
        for key in redis.scan_iter(match=f"{prefix}*", count=500):
            blob = redis.get(key)
            if blob is not None:
                name = key.decode() if isinstance(key, bytes) else str(key)
                found.append((name[len(prefix):], json.loads(blob)))
        return found

    def claim(self, job_id: str) -> bool:
        """Take the note; the result goes either way: whoever claims has it in hand already,
        and a note deleted by /forget leaves nobody to deliver it."""
        claimed = bool(self._outcomes.redis().delete(self._note_key(job_id)) == 1)
        self._outcomes.retire(job_id)
        return claimed

    def retire(self, job_id: str) -> None:
        self._outcomes.retire(job_id)

    def forget_notes(self, who: str) -> int:
        """Delete the notes of the jobs awaited by ``who`` (a pseudonym) and drop their
        results, those still to come included (``Outcomes.drop``); take those still waiting
        off the queues (``unqueue``)."""
        mine = [job_id for job_id, note in self.pending() if note.get("who") == who]
        for job_id in mine:
            self._outcomes.redis().delete(self._note_key(job_id))
            self._outcomes.drop(job_id)  # first: a worker that gets the job now skips it
            if self.peek(job_id)[0] not in ("STARTED", "PROGRESS"):  # a running job's state
                self.forget(job_id)  # goes once a bot has seen it end (``_finished``)
        for job_id in self.unqueue(set(mine)):
            self._outcomes.drop(job_id, UNQUEUED_RECORD_S)
        return len(mine)

    def queue_lists(self) -> list[str]:
        """The Redis lists the jobs wait in. Kombu's Redis transport has no call that removes
        one message, so this follows its layout (``Channel._q_for_pri``): a list per queue
        and priority step, the step (but 0) appended after ``Channel.sep``, all under the
        global key prefix (``make_app``); we set no priority steps of our own."""
        from kombu.transport.redis import Channel

        return [f"{self.config.queue}:{queue}{f'{Channel.sep}{step}' if step else ''}"
                for queue in (self.config.queue, self.config.background_queue)
                for step in Channel.priority_steps]

    def unqueue(self, job_ids: set[str]) -> set[str]:
        """Take the messages of ``job_ids`` still waiting off the queues (a message carries
        the job's payload: the photo's pixels); returns the jobs whose message was removed.
        A job a worker took already is not touched (it runs, or skips a dropped job)."""
        removed: set[str] = set()
        if not job_ids:
            return removed
        redis = self._outcomes.redis()
        for name in self.queue_lists():
            for raw in redis.lrange(name, 0, -1):
                job_id = _job_id(raw)
                # LREM of this very message: 0 when a worker took it meanwhile
                if job_id in job_ids and redis.lrem(name, 1, raw):
                    removed.add(job_id)
        return removed

    def give_up(self, job_id: str, error: FacexplainError) -> Outcome:
        """Record ``error`` as the job's outcome unless it has one already; a worker that
        gets the job later returns this outcome instead of running it. Returns the outcome
        that stands (the job's own, if it finished meanwhile)."""
        return self._outcomes.record(job_id, ("error", pack(error)))

    def close(self) -> None:
        self._outcomes.close()
        if self._app is not None:
            self._app.close()


def _job_id(raw: bytes) -> str | None:
    """The task id of a kombu message on Redis: JSON, the id in its headers (protocol 2)."""
    try:
        message = json.loads(raw)
    except ValueError:
        return None
    headers = message.get("headers") if isinstance(message, dict) else None
    job_id = headers.get("id") if isinstance(headers, dict) else None
    return job_id if isinstance(job_id, str) else None
