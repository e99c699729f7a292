"""Neutral -> Slack: each reply becomes Web API calls in the conversation's place.

Text and the decision are Block Kit messages; the heatmap collage and the region table are
uploaded with ``files_upload_v2`` (an upload that still fails after the client's retries
becomes one message saying so); progress is one status message per place, edited in place
(at most one edit per ``progress_interval_s``, the last one always).
"""

from __future__ import annotations

import logging
import re
import time
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError, SlackRequestError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import blocks as kit
from adapters.slack.incoming import Place
from adapters.slack.markup import escape
from bot.messages import (
    ButtonsReply,
    ImageReply,
    ProgressReply,
    Reply,
    ReplySink,
    SuggestionsReply,
    TableReply,
    TextReply,
    VerificationReply,
)

MAX_BLOCKS = 50
FALLBACK_LIMIT = 3000
UPLOAD_FAILED = "I could not upload {what} to Slack just now. Send /{command} in a minute to try again."
log = logging.getLogger(__name__)


@dataclass
class Status:
    ts: str
    at: float


class StatusMessages:
    """The status message of each place (channel, thread), the oldest forgotten first."""

    def __init__(self, limit: int = 10_000) -> None:
        self.limit = limit
        self._slots: OrderedDict[tuple[str, str], Status] = OrderedDict()

    def get(self, where: Place) -> Status | None:
        return self._slots.get((where.channel, where.thread_ts or ""))

    def put(self, where: Place, status: Status) -> None:
        self._slots[(where.channel, where.thread_ts or "")] = status
        while len(self._slots) > self.limit:
            self._slots.popitem(last=False)

    def drop(self, where: Place) -> None:
        self._slots.pop((where.channel, where.thread_ts or ""), None)


def as_words(text: str, commands: Sequence[str]) -> str:
    """The dialogue's commands as the plain words the assistant accepts ("Send /forget" ->
    "Send “forget”"): Slack's composer takes a leading slash for its own slash commands."""
    if not commands:
        return text
    pattern = re.compile(r"(?<![\w/])/(" + "|".join(map(re.escape, commands)) + r")\b")
    return pattern.sub(lambda m: f"“{m.group(1)}”", text)


class Outgoing:
    def __init__(self, client: AsyncWebClient, progress_interval_s: float = 1.0,
                 commands: Sequence[str] = ()) -> None:
        self.client = client
        self.progress_interval_s = progress_interval_s
        self.commands = tuple(commands)
        self.status = StatusMessages()

    def sink(self, where: Place, reviews: bool) -> ReplySink:
        async def send(reply: Reply) -> None:
            await self.deliver(where, reply, reviews)

        return send

    async def deliver(self, where: Place, reply: Reply, reviews: bool = False) -> None:
        """The one translation of a neutral reply into Web API calls."""
        if isinstance(reply, TextReply):
            mark = ":warning: " if reply.kind == "error" else ""
            text = as_words(reply.text, self.commands)
            await self.post(where, kit.text_blocks(text), mark + text)
        elif isinstance(reply, VerificationReply):
            await self.post(where, kit.verification_blocks(reply, reviews), reply.text)
        elif isinstance(reply, ImageReply):
            await self.upload(where, "the heatmap image", "explain", content=reply.png,
                              filename=reply.filename, title=reply.filename,
                              initial_comment=reply.caption, alt_txt=reply.caption[:1000])
        elif isinstance(reply, TableReply):
            await self.upload(where, "the region table", "table", content=reply.text,
                              filename="region-table.txt", title=reply.title)
        elif isinstance(reply, ProgressReply):
            await self.progress(where, reply)
        elif isinstance(reply, SuggestionsReply):
            buttons = [(question, "ask", question) for question in reply.questions]
            await self.post(where, kit.buttons_blocks(reply.text, buttons),
                            "\n".join([reply.text, *reply.questions]))
        elif isinstance(reply, ButtonsReply):
            text = as_words(reply.text, self.commands)
            await self.post(where, kit.buttons_blocks(text, reply.buttons), text)

    async def upload(self, where: Place, what: str, command: str, **file: Any) -> None:
        """``files_upload_v2`` (its transient errors retried by the client's handlers); when
        it still fails, one message that says so and how to ask again."""
        try:
            await self.client.files_upload_v2(channel=where.channel, thread_ts=where.thread_ts,
                                              **file)
        except (SlackApiError, SlackRequestError, aiohttp.ClientError, TimeoutError) as exc:
            log.warning("could not upload %s: %s", file.get("filename"), type(exc).__name__)
            await self.deliver(where, TextReply(UPLOAD_FAILED.format(
                what=what, command=command), "error"))

    async def post(self, where: Place, blocks: list[kit.Block], fallback: str) -> str:
        response = await self.client.chat_postMessage(
            channel=where.channel, thread_ts=where.thread_ts, blocks=blocks[:MAX_BLOCKS],
            text=escape(fallback)[:FALLBACK_LIMIT])
        return str(response.get("ts", ""))

    async def progress(self, where: Place, reply: ProgressReply) -> None:
        status, now = self.status.get(where), time.monotonic()
        if status is None:
            if not reply.final:
                self.status.put(where, Status(await self.post(
                    where, kit.text_blocks(reply.text), reply.text), now))
            return
        if reply.final or now - status.at >= self.progress_interval_s:
            await self.client.chat_update(channel=where.channel, ts=status.ts,
                                          blocks=kit.text_blocks(reply.text),
                                          text=escape(reply.text)[:FALLBACK_LIMIT])
            status.at = now
        if reply.final:
            self.status.drop(where)
