"""``facexplain serve slack --http`` replicas (``tests.scale.slack_serve``) on one store and one
Celery queue (``tests.scale.replicas``), a load balancer that POSTs each conversation's signed
events to them in turn, as Slack POSTs them to the one public Request URL, and what the fake
Slack shows in one place (a DM or a channel thread), in the order it got it."""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

from tests.adapters.fake_slack import FakeSlack
from tests.scale.replicas import replica_env
from tests.scale.slack_serve import SLACK_SETTINGS, ServeSlack, free_port, post_event

FILE = "[file] "  # how ``shown`` lists an upload: its title after this
Place = tuple[str, str | None]  # (channel, thread ts): where a conversation's replies go


def slack_replica(fake: FakeSlack, env: dict[str, str], log: Path) -> ServeSlack:
    """One replica: its own port, everything else shared; INFO lines in its output (-v)."""
    return ServeSlack(fake, env, free_port(), log=log, flags=("-v",))


def slack_env(data_dir: Path, database_url: str, redis_url: str, queue: str) -> dict[str, str]:
    return replica_env(data_dir, database_url, redis_url, queue, **SLACK_SETTINGS)


class SlackBalancer:
    """Chooses the replica for each conversation's next event in turn (round robin per
    conversation, ``next_for``) and POSTs events to a replica (``post``)."""

    def __init__(self, replicas: list[ServeSlack]) -> None:
        self.replicas = replicas
        self._turns: dict[str, itertools.cycle[int]] = {}

    def next_for(self, conversation: str, start: int = 0) -> int:
        count = len(self.replicas)
        turn = self._turns.setdefault(
            conversation, itertools.cycle([(start + i) % count for i in range(count)]))
        return next(turn)

    async def post(self, index: int, event: dict[str, Any], event_id: str,
                   retry: int | None = None) -> None:
        """The event to replica ``index`` (see ``post_event``)."""
        await post_event(self.replicas[index].endpoint, event, event_id, retry)


def shown(fake: FakeSlack, place: Place) -> list[str]:
    """What arrived in ``place``, in order: each message's text, and ``FILE`` + the title of
    each upload (status edits left out)."""
    channel, thread = place
    seen = []
    for call in list(fake.calls):
        if call.args.get("thread_ts") != thread:
            continue
        if call.method == "chat.postMessage" and call.args.get("channel") == channel:
            seen.append(str(call.args.get("text", "")))
        elif call.method == "files.completeUploadExternal" \
                and call.args.get("channel_id") == channel:
            seen += [FILE + f.get("title", "") for f in json.loads(call.args["files"])]
    return seen


def uploaded(fake: FakeSlack, place: Place, title: str) -> list[bytes]:
    """The bytes of every upload in ``place`` whose title starts with ``title``."""
    channel, thread = place
    return [fake.uploads[f["id"]] for call in fake.to("files.completeUploadExternal",
                                                     channel_id=channel)
            if call.args.get("thread_ts") == thread
            for f in json.loads(call.args["files"]) if f.get("title", "").startswith(title)]
