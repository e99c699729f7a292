"""The Slack assistant: a Bolt app whose listeners acknowledge at once and start the work in
the background, where Slack messages become neutral messages for the dialogue and its replies
become Web API calls. Each message takes its conversation's turn in the dialogue as it arrives
(``Dialogue.turn``) and has its files downloaded in it, so a conversation is answered in order.

Events are processed once: repeated event ids (Slack's retries too) are
acknowledged and dropped. The assistant's own messages are dropped by Bolt and again by
``parse_event``. The Web API client retries 429 answers after their ``Retry-After``, and 5xx
answers and upload time-outs with a bounded backoff (``adapters.slack.retries``).
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncApp, AsyncBoltContext, AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.web.async_client import AsyncWebClient

from adapters.inflight import InFlight
from adapters.ratelimit import RATE_LIMITED, RateLimiter
from adapters.seen import Seen
from adapters.slack import blocks as kit
from adapters.slack.config import TEXT_COMMANDS
from adapters.slack.download import SlackFiles
from adapters.slack.incoming import (
    PLATFORM,
    Inbound,
    Place,
    action_place,
    parse_event,
    to_incoming,
)
from adapters.slack.once import retry_number
from adapters.slack.outgoing import Outgoing
from adapters.slack.retries import retry_handlers
from adapters.slack.reviews import REVIEW_ACTION, review_line, verdict_of
from bot.dialogue.port import DialoguePort
from bot.messages import ButtonPress, ConversationKey, Incoming, ReplySink, TextReply
from bot.platform_settings import SlackSettings
from bot.store.port import VERDICTS, AlreadyReviewed, Verdict
from core.errors import FacexplainError
from core.image_input import DEFAULT_LIMITS

log = logging.getLogger(__name__)
EVENTS = ("app_mention", "message")  # message: direct messages (the message.im subscription)
_REVIEW = re.compile(rf"^{REVIEW_ACTION}({'|'.join(VERDICTS)})$")
_BUTTON = re.compile(rf"^{kit.BUTTON_ACTION}\d+$")


def web_client(config: SlackSettings) -> AsyncWebClient:
    """The Web API client: the configured base URL, transient errors and 429s retried (see
    ``adapters.slack.retries``)."""
    handlers = retry_handlers(config.api_url, config.retry_attempts, config.rate_limit_retries)
    return AsyncWebClient(token=config.bot_token, base_url=config.api_url,
                          timeout=config.api_timeout_s, retry_handlers=handlers)


class SlackAssistant:
    def __init__(self, dialogue: DialoguePort, config: SlackSettings,
                 client: AsyncWebClient | None = None, *,
                 max_photo_bytes: int = DEFAULT_LIMITS.max_bytes) -> None:
        self.dialogue = dialogue
        self.config = config
        self.client = client or web_client(config)
        self.files = SlackFiles(config.bot_token, max_photo_bytes, config.download_timeout_s,
                                config.retry_attempts)
        self.out = Outgoing(self.client, config.progress_interval_s, TEXT_COMMANDS)
        self.seen = Seen(config.seen_events)
        self.rate = RateLimiter(config.rate_per_minute)
        # unbounded: an acknowledged event is never dropped
        self.inflight = InFlight(None, name="facexplain-slack")
        self.reviewed: OrderedDict[tuple[str, str], list[kit.Block]] = OrderedDict()
        # one review at a time rewrites a message's blocks (read, add a line, chat.update), so
        # two verdicts on one message cannot drop each other's line
        self._reviewing = asyncio.Lock()
        self.app = self._bolt_app()

    def _bolt_app(self) -> AsyncApp:
        secret = self.config.signing_secret
        app = AsyncApp(name="facexplain", client=self.client, signing_secret=secret,
                       request_verification_enabled=bool(secret))
        app.use(self._once)
        for event in EVENTS:
            app.event(event)(self._on_message)
        app.action(_REVIEW)(self._on_review)
        app.action(_BUTTON)(self._on_button)
        app.error(self._on_error)
        return app

    # ------------------------------------------------------------------ listeners (ack fast)

    async def _once(self, body: dict[str, Any], request: AsyncBoltRequest,
                    context: AsyncBoltContext,
                    next: Callable[[], Awaitable[None]]) -> BoltResponse | None:
        """Each event once, across restarts and replicas: its ``event_id`` is taken in the
        store's inbox before it is handled. A retry (``X-Slack-Retry-Num``) of an event no
        running assistant took is handled like a first delivery."""
        retry = retry_number(request.headers)
        event_id = body.get("event_id")
        if isinstance(event_id, str):
            if not self.seen.first_time(event_id) \
                    or not await self.dialogue.take_event(PLATFORM, event_id):
                log.info("dropped %s of event %s", f"retry {retry}" if retry else "a duplicate",
                         event_id)
                return BoltResponse(status=200, body="")
            context["facexplain_event_id"] = event_id
        await next()
        return None

    async def _on_message(self, event: dict[str, Any], context: AsyncBoltContext) -> None:
        inbound = parse_event(event, context.bot_user_id)
        event_id = context.get("facexplain_event_id")
        verdict = "ignored" if inbound is None else self.rate.take(inbound.place.key.user)
        if inbound is not None and verdict == "ok":
            self.inflight.start(inbound.place.key.scope(),
                                lambda: self._converse(inbound, event_id))
            return
        if inbound is not None and verdict == "warn":
            self.inflight.start(inbound.place.key.scope(),
                                lambda: self._notice(inbound.place, RATE_LIMITED))
        if isinstance(event_id, str):
            await self.dialogue.finish_event(PLATFORM, event_id)

    async def _on_review(self, ack: Callable[[], Awaitable[Any]], body: dict[str, Any],
                         action: dict[str, Any]) -> None:
        await ack()
        where = action_place(body)
        verdict = verdict_of(str(action.get("action_id", "")))
        number = str(action.get("value", ""))
        message_ts = str((body.get("container") or {}).get("message_ts", ""))
        if where is not None and verdict is not None and number.isdigit():
            self.inflight.start(("review", where.channel, message_ts), lambda: self._review(
                where, message_ts, int(number), verdict, body, str(action.get("action_ts", ""))))

    async def _on_button(self, ack: Callable[[], Awaitable[Any]], body: dict[str, Any],
                         action: dict[str, Any]) -> None:
        await ack()
        where, pressed = action_place(body), kit.button_press(str(action.get("value", "")))
        if where is not None and pressed is not None:
            incoming = ButtonPress(where.key, *pressed)
            self.inflight.start(where.key.scope(), lambda: self.dialogue.handle(
                incoming, self.out.sink(where, self._reviews_in(where))))

    async def _on_error(self, error: Exception) -> None:
        log.error("Slack request failed: %s", type(error).__name__, exc_info=error)

    # ------------------------------------------------------------------ work (after the ack)

    def sink_for(self, key: ConversationKey) -> ReplySink:
        """Where replies to ``key``'s conversation go when no message of it is at hand (the
        replies a restarted assistant recovers): its channel and thread, as ``place`` made it
        (the DM's top level or thread; a channel conversation's thread)."""
        where = Place(key, key.chat, key.thread)
        return self.out.sink(where, self._reviews_in(where))

    async def recover(self) -> int:
        """Deliver what an earlier assistant left in flight (see ``Dialogue.recover``)."""
        return await self.dialogue.recover(PLATFORM, self.sink_for)

    def _reviews_in(self, where: Place) -> bool:
        wanted = self.config.review_buttons
        return wanted == "always" or (wanted == "channels" and where.key.shared)

    async def _converse(self, inbound: Inbound, event_id: str | None = None) -> None:
        """Answer one message; its event is marked handled unless the answer was cut short
        by a shutdown (then a redelivery may take it again)."""
        try:
            await self._answer(inbound)
        except asyncio.CancelledError:
            raise
        except Exception:
            if event_id is not None:
                await self.dialogue.finish_event(PLATFORM, event_id)
            raise
        if event_id is not None:
            await self.dialogue.finish_event(PLATFORM, event_id)

    async def _answer(self, inbound: Inbound) -> None:
        """In the conversation's turn: the files downloaded, then the dialogue."""
        where = inbound.place

        async def prepare(say: ReplySink) -> Incoming | None:
            incoming, problems = await to_incoming(
                inbound, self.files.fetch, max_bytes=self.files.max_bytes,
                max_photos=self.config.max_photos, commands=TEXT_COMMANDS)
            for problem in problems:
                await say(TextReply(problem, "error"))
            return incoming

        await self.dialogue.turn(where.key, self.out.sink(where, self._reviews_in(where)),
                                 prepare)

    async def _notice(self, where: Place, text: str) -> None:
        """``text`` in the conversation's turn, after what it was answering."""

        async def prepare(say: ReplySink) -> None:
            await say(TextReply(text, "error"))

        await self.dialogue.turn(where.key, self.out.sink(where, False), prepare)

    async def _review(self, where: Place, message_ts: str, comparison_id: int, verdict: Verdict,
                      body: dict[str, Any], when: str) -> None:
        async with self._reviewing:
            await self._record_review(where, message_ts, comparison_id, verdict, body, when)

    async def _record_review(self, where: Place, message_ts: str, comparison_id: int,
                             verdict: Verdict, body: dict[str, Any], when: str) -> None:
        reviewer = where.key.user
        try:
            await self.dialogue.review(where.key, comparison_id, verdict, kit.comment_of(body))
        except FacexplainError as exc:
            note = exc.user_message
            if isinstance(exc, AlreadyReviewed):
                note += " Your first verdict stands."
            await self.client.chat_postEphemeral(channel=where.channel, user=reviewer,
                                                 thread_ts=where.thread_ts, text=note)
            return
        message = body.get("message") or {}
        key = (where.channel, message_ts)
        line = review_line(reviewer, verdict, kit.comment_of(body), when)
        updated = kit.with_review(self.reviewed.get(key) or message.get("blocks") or [], line)
        await self.client.chat_update(channel=where.channel, ts=message_ts, blocks=updated,
                                      text=str(message.get("text", "")))
        self.reviewed[key] = updated
        while len(self.reviewed) > self.config.seen_events:
            self.reviewed.popitem(last=False)

    # ------------------------------------------------------------------ lifecycle

    async def idle(self) -> None:
        """Wait until every acknowledged event has been fully answered (background replies
        of the dialogue included)."""
        while True:
            await self.inflight.join()
            await self.dialogue.idle()
            if not len(self.inflight):
                return

    async def close(self) -> None:
        await self.inflight.cancel()
        await self.files.close()
