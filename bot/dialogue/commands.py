"""Commands (/start, /help, /new, /explain, /table, /describe, /why, /forget, /privacy, /agree) and
button presses."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.dialogue import first_face, texts
from bot.dialogue.context import Ctx
from bot.dialogue.photos import consent_prompt, on_photos, record_consent, table_reply
from bot.dialogue.questions import on_question, wait_for_explanation, why
from bot.dialogue.recovery import RecoverableRunner
from bot.dialogue.state import ConversationState, States
from bot.messages import ConversationKey, ImageReply, ProgressReply
from bot.store.port import StorePort, Verdict
from core.errors import FacexplainError

log = logging.getLogger(__name__)
Handler = Callable[[Ctx, str], Awaitable[None]]


@dataclass(frozen=True)
class Command:
    name: str
    description: str
    in_menu: bool = True  # shown in a platform's command menu (Telegram's "/" list)


# The one list of commands: the dialogue handles these (``command_table``), and the adapters
# build their menus (Telegram) and plain-word commands (Slack) from it.
COMMANDS = (
    Command("start", "What I do, and the privacy notice"),
    Command("help", "How it works and the commands"),
    Command("new", "Start a new comparison"),
    Command("explain", "Show the heatmap collage again"),
    Command("table", "Show the region table again"),
    Command("describe", "Describe what each face template encodes"),
    Command("why", "Show which facts the last answer came from"),
    Command("forget", "Delete everything stored about you"),
    Command("privacy", "What I keep and for how long"),
    Command("agree", "Agree to the processing of your photos", in_menu=False),
)
MAX_REVIEW_COMMENT = 500


def greeting(ctx: Ctx) -> None:
    ctx.greeted = True
    ctx.text(texts.WELCOME)
    if ctx.config.consent == "ask" and not ctx.state.consent:
        ctx.text(texts.PRIVACY)
        ctx.say(consent_prompt())
    else:
        ctx.text(f"{texts.PRIVACY}\n{texts.CONSENT_IMPLIED}" if not ctx.state.consent
                 else texts.PRIVACY)


async def start(ctx: Ctx, args: str) -> None:
    greeting(ctx)


async def help_(ctx: Ctx, args: str) -> None:
    ctx.text(texts.HELP)


async def privacy(ctx: Ctx, args: str) -> None:
    ctx.text(texts.PRIVACY)


def stop_explaining(ctx: Ctx) -> None:
    """Cancel running heatmaps and close their progress message."""
    if ctx.state.busy:
        ctx.say(ProgressReply("saliency", 1, 1, texts.EXPLAIN_STOPPED, final=True))
    ctx.state.clear_comparison()


async def new(ctx: Ctx, args: str) -> None:
    await first_face.drop(ctx)
    stop_explaining(ctx)
    ctx.state.held = ()
    ctx.text(texts.NEW_STARTED)


async def agree(ctx: Ctx, args: str) -> None:
    if ctx.state.consent:
        ctx.text(texts.CONSENT_ALREADY)
        return
    await record_consent(ctx)
    held, ctx.state.held = ctx.state.held, ()
    if held:
        await on_photos(ctx, held)
    else:
        ctx.text(texts.CONSENT_THANKS)


async def explain(ctx: Ctx, args: str) -> None:
    await wait_for_explanation(ctx)
    state = ctx.state
    if state.explanation is not None and state.explanation.collage_png:
        ctx.say(ImageReply(state.explanation.collage_png, texts.COLLAGE_CAPTION,
                           f"heatmaps-{state.number}.png"))
    elif state.explanation is not None:
        ctx.text(texts.COLLAGE_EXPIRED)
    else:
        ctx.text(no_explanation(state))


async def table(ctx: Ctx, args: str) -> None:
    await wait_for_explanation(ctx)
    state = ctx.state
    if state.explanation is not None:
        ctx.say(table_reply(state.explanation))
    else:
        ctx.text(no_explanation(state))


def no_explanation(state: ConversationState) -> str:
    if state.comparison is None:
        return texts.NO_COMPARISON
    return texts.HEATMAPS_INTERRUPTED if state.interrupted else texts.NO_EXPLANATION


async def describe(ctx: Ctx, args: str) -> None:
    comparison = ctx.state.comparison
    if comparison is None:
        ctx.text(texts.NO_COMPARISON)
    elif not comparison.descriptions:
        ctx.text(texts.NO_DESCRIPTIONS)
    else:
        ctx.text(describe_text(comparison.descriptions))


def describe_text(descriptions: dict[str, object]) -> str:
    lines = []
    for key, label in (("A", "Face 1"), ("B", "Face 2")):
        value = descriptions.get(key)
        if isinstance(value, list | tuple):
            value = ", ".join(str(v) for v in value)
        elif isinstance(value, dict) and "caption" in value:  # core.attributes Description
            natural = value.get("natural_caption")
            value = (f"{natural} " if natural else "") + f"The template encodes: {value['caption']}"
        elif isinstance(value, dict):
            value = ", ".join(f"{k} ({v})" if not isinstance(v, str) else f"{k}: {v}"
                              for k, v in value.items())
        elif value is not None and not isinstance(value, str):
            value = json.dumps(value)
        if value:
            lines.append(f"{label}: {value}")
    return "\n".join(lines) or texts.NO_DESCRIPTIONS


def forget_command(states: States) -> Handler:
    async def forget(ctx: Ctx, args: str) -> None:
        """The sender's data only: in a shared thread, other people's questions and verdicts
        stay; the thread's comparison goes if it was the sender's."""
        key, state = ctx.sender, ctx.state
        mine = ctx.sender_owns() or state.comparison_by == key.user
        if mine:
            stop_explaining(ctx)
            await first_face.drop(ctx)  # the thread's first photo, if it was theirs
        report = await asyncio.to_thread(ctx.parts.store.forget_user, key.platform, key.user)
        runner = ctx.parts.runner
        if isinstance(runner, RecoverableRunner):  # and their notes and results in Redis
            try:
                await runner.forget_notes(ctx.parts.store.user_ref(key.platform, key.user))
            except FacexplainError as exc:
                log.error("could not forget the user's notes in the job queue: %s", exc.code)
        await forget_shelved(ctx, key)
        for each in states.of_user(key.platform, key.user,
                                   ctx.parts.store.user_ref(key.platform, key.user)):
            each.forget()
        state.members.pop(key.user, None)
        if mine:
            state.forget()
        ctx.text(texts.forgotten_text(report.deleted) if report.found else texts.FORGOTTEN_NOTHING)

    return forget


async def forget_shelved(ctx: Ctx, key: ConversationKey) -> None:
    """/forget: the sender's first photos waiting on the shelf (other replicas' too)."""
    shelf = ctx.parts.shelf
    if shelf is None:
        return
    try:
        await shelf.forget(ctx.parts.store.user_ref(key.platform, key.user))
    except Exception as exc:  # they expire on their own within the shelf's time limit
        log.error("could not forget the user's shelved photos: %s", type(exc).__name__)


def command_table(states: States) -> dict[str, Handler]:
    """``COMMANDS`` by name, each with its handler."""
    handlers = {"start": start, "help": help_, "privacy": privacy, "new": new, "agree": agree,
                "explain": explain, "table": table, "describe": describe, "why": why,
                "forget": forget_command(states)}
    return {command.name: handlers[command.name] for command in COMMANDS}


async def on_button(ctx: Ctx, action: str, value: str, commands: dict[str, Handler]) -> None:
    if action == "ask":
        await on_question(ctx, value)
    elif action == "consent":
        await agree(ctx, "")
    elif action == "command" and value in commands:
        await commands[value](ctx, "")
    else:
        ctx.text(texts.UNKNOWN_BUTTON)


async def record_review(store: StorePort, key: ConversationKey, comparison_id: int,
                        verdict: Verdict, comment: str = "") -> None:
    """A reviewer's verdict on a comparison, kept under the reviewer's pseudonym (and in the
    audit log). Raises ``AlreadyReviewed`` (this reviewer has one already) or
    ``UnknownRecord`` (the comparison is gone: forgotten, purged)."""
    reviewer = await asyncio.to_thread(store.ensure_user, key.platform, key.user)
    await asyncio.to_thread(store.add_review, comparison_id, reviewer, verdict,
                            comment.strip()[:MAX_REVIEW_COMMENT])
