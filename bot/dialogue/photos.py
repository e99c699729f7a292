"""Photos: the first one is checked at once, the second gives the decision, and the heatmaps
and table follow from a background job while the conversation stays responsive."""

from __future__ import annotations

import asyncio
import logging

from bot.dialogue import first_face, session, texts
from bot.dialogue.context import Ctx
from bot.dialogue.pixels import job_photo
from bot.dialogue.recovery import Awaited, Delivery
from bot.dialogue.state import ConversationState
from bot.dialogue.work import explain_job, prepare_job, verify_job
from bot.jobs import JobFailed, RunnerClosed
from bot.messages import (
    ButtonsReply,
    ImageReply,
    Photo,
    ProgressReply,
    SuggestionsReply,
    TableReply,
    VerificationReply,
)
from bot.services import Explanation
from core.comparison import Comparison
from core.errors import FacexplainError, ImageTooLarge, about_photo
from core.pipeline import PreparedFace
from core.progress import no_progress
from core.table import COLUMNS
from core.verify import Verified

_PREPARING: set[asyncio.Task[None]] = set()

log = logging.getLogger(__name__)


def consent_prompt(text: str = texts.CONSENT_ASK) -> ButtonsReply:
    return ButtonsReply(text, ((texts.CONSENT_BUTTON, "consent", "yes"),))


async def record_consent(ctx: Ctx) -> None:
    assert ctx.state.conversation_id is not None
    await asyncio.to_thread(ctx.parts.store.record_consent, ctx.state.conversation_id)
    ctx.state.consent = True


async def on_photos(ctx: Ctx, photos: tuple[Photo, ...]) -> None:
    state = ctx.state
    if not photos:
        return
    if state.busy:
        ctx.text(texts.STILL_EXPLAINING)
        return
    if len(photos) > 2:
        ctx.text(texts.TOO_MANY_PHOTOS.format(count=len(photos)))
        return
    if not state.consent:
        if ctx.config.consent == "ask":
            state.held = (*state.held, *photos)[-2:]
            if ctx.greeted:
                ctx.text(texts.CONSENT_HOLDING)
            else:
                ctx.say(consent_prompt(texts.CONSENT_NEEDED))
            return
        await record_consent(ctx)
    if state.first_lost and len(photos) == 1:
        ctx.text(texts.FIRST_LOST)
        state.first_lost = False
        return
    for number, photo in enumerate(photos, start=1 if len(photos) == 2 or not state.first else 2):
        if len(photo.data) > ctx.config.max_photo_bytes:
            too_large = ImageTooLarge.over(ctx.config.max_photo_bytes).user_message
            ctx.text(texts.PHOTO_ERROR.format(number=number, message=too_large),
                     "error")
            return
    if state.comparison is not None:
        ctx.text(texts.STARTING_NEXT.format(number=state.number + 1))
        state.clear_comparison()
    if len(photos) == 2 and state.first is not None:
        ctx.text(texts.ALBUM_REPLACES_FIRST)
        state.first = None
    if state.first is None:
        first = await _prepare_first(ctx, photos[0])
        if first is None:
            return
        if len(photos) == 1:
            await first_face.keep(ctx, first)
            ctx.text(texts.GOT_FIRST.format(faces=texts.faces_found(first.report.faces_found)))
            return
        await _compare(ctx, first, photos[1])
    else:
        await _compare(ctx, state.first, photos[0])


async def _prepare_first(ctx: Ctx, photo: Photo) -> PreparedFace | None:
    try:
        data = await job_photo(ctx.parts.runner, photo.data, ctx.config.photo_limits)
        return await ctx.parts.runner.run(prepare_job, data, label=ctx.label("photo"))
    except JobFailed as exc:  # the service failed, not the photo: no "Photo 1:" prefix
        ctx.text(exc.user_message, "error")
        return None
    except FacexplainError as exc:
        ctx.text(texts.PHOTO_ERROR.format(number=1, message=exc.user_message), "error")
        return None


async def _compare(ctx: Ctx, first: PreparedFace, photo: Photo) -> None:
    backlog = ctx.parts.backlog
    if backlog.full:
        await first_face.keep(ctx, first)
        ctx.text(texts.BUSY.format(ahead=backlog.active,
                                   minutes=backlog.minutes_for(backlog.active)))
        return
    began = backlog.enter()
    try:
        await _verify(ctx, first, photo)
    finally:
        task = ctx.state.explaining
        if task is not None and not task.done():
            task.add_done_callback(lambda _: backlog.leave(began))
        else:
            backlog.leave(began)


async def _verify(ctx: Ctx, first: PreparedFace, photo: Photo) -> None:
    state = ctx.state
    delivery = Delivery(ctx.parts.runner, sealer=ctx.parts.store)
    try:
        with about_photo(2):
            data = await job_photo(ctx.parts.runner, photo.data, ctx.config.photo_limits)
        verified = await delivery.run(verify_job, (first, data), no_progress,
                                      label=ctx.label("verify"),
                                      awaited=Awaited(ctx.key, "verify", number=state.number + 1))
    except FacexplainError as exc:
        if isinstance(exc, RunnerClosed) and delivery.job_id is not None:
            log.info("the bot stops; the decision is left for the next bot to deliver")
            return
        if not await delivery.claim():
            return
        if exc.photo == 2:
            await first_face.keep(ctx, first)
            ctx.text(texts.PHOTO_ERROR.format(number=2, message=exc.user_message), "error")
            ctx.text(texts.KEEPING_FIRST)
        else:
            state.first = None
            ctx.text(exc.user_message, "error")
        return
    if not await delivery.claim():
        state.first = None
        return
    await _decided(ctx, verified)


async def _decided(ctx: Ctx, verified: Verified) -> None:
    """After the verification job: store the comparison, send the decision, start the
    heatmaps (the normal path and a recovered job alike)."""
    state = ctx.state
    state.first = None
    await first_face.drop(ctx)  # compared: the first face is needed no more
    state.verified = verified
    state.number += 1
    state.comparison_by = ctx.sender.user
    state.comparison_id = await asyncio.to_thread(
        ctx.parts.store.add_comparison, await ctx.own_conversation(), verified.comparison)
    # stored before it is shown: a process killed right after the reply loses nothing of it
    await session.save(ctx)
    comparison = verified.comparison
    ctx.say(VerificationReply(
        text=texts.verification_text(comparison), same_person=comparison.same_person,
        score=comparison.score, threshold=comparison.threshold, pic=comparison.pic,
        confidence=comparison.confidence,
        faces_found=(comparison.faces["A"].faces_found, comparison.faces["B"].faces_found),
        comparison_id=state.comparison_id))
    prepare_answers(ctx, comparison)
    if ctx.config.explain:
        state.explaining = asyncio.create_task(_explain(ctx, verified),
                                               name=ctx.label("explain-task"))
    else:
        ctx.say(SuggestionsReply(texts.SUGGESTED_QUESTIONS))


def prepare_answers(ctx: Ctx, comparison: Comparison) -> None:
    """Build the comparison's fact index in the background now, so the first question about
    it is answered as fast as the others (the answerer's ``prepare``, when it has one)."""
    prepare = getattr(ctx.parts.answerer, "prepare", None)
    if prepare is not None:
        task = asyncio.create_task(asyncio.to_thread(prepare, comparison),
                                   name=ctx.label("prepare-answers"))
        _PREPARING.add(task)  # keep a reference until it is done
        task.add_done_callback(_PREPARING.discard)


async def _explain(ctx: Ctx, verified: Verified) -> None:
    """Background: the heatmaps, the table and the suggestions, or one error reply. With
    replicas they are delivered under the conversation's lock, after a re-read of the stored
    context (another replica may have answered questions, or started afresh, meanwhile)."""
    state = ctx.state
    ctx.say(ProgressReply("saliency", 0, 1, texts.EXPLAINING))
    delivery = Delivery(ctx.parts.runner, sealer=ctx.parts.store)
    explanation: Explanation | None = None
    failed = ""
    try:
        explanation = await delivery.run(
            explain_job, verified, ctx.progress(), label=ctx.label("explain"),
            awaited=Awaited(ctx.key, "explain", state.comparison_id, state.number))
    except FacexplainError as exc:
        if isinstance(exc, RunnerClosed) and delivery.job_id is not None:
            return  # the bot stops: the next bot delivers the heatmaps
        failed = exc.user_message
    except Exception:
        log.exception("the explanation job failed")
        failed = FacexplainError.user_message
    async with ctx.shared():
        if ctx.replicated:
            await session.refresh(ctx)
        if explanation is None:
            if await delivery.claim():
                _explain_failed(ctx, state, verified, failed)
                await session.save(ctx)
        elif await delivery.claim() and state.verified is verified:  # else /new or /forget
            await _explained(ctx, explanation)
        if ctx.replicated:
            await state.outbox.flush()


async def _explained(ctx: Ctx, explanation: Explanation) -> None:
    """After the explanation job: stored, then the collage, the table, the suggestions (stored
    first: a process killed right after the table was shown still has it after a restart)."""
    state = ctx.state
    state.explanation = explanation
    prepare_answers(ctx, explanation.comparison)
    stored = True
    if state.comparison_id is not None:
        try:
            await asyncio.to_thread(ctx.parts.store.add_explanation, state.comparison_id,
                                    explanation.comparison)
        except FacexplainError as exc:  # forgotten meanwhile
            log.info("explanation not stored: %s", exc.code)
            stored = False
    if stored:
        await session.save(ctx)
    ctx.say(ProgressReply("saliency", 1, 1, texts.EXPLAIN_DONE, final=True))
    ctx.say(ImageReply(explanation.collage_png, texts.COLLAGE_CAPTION,
                       f"heatmaps-{state.number}.png"))
    ctx.say(table_reply(explanation))
    ctx.say(SuggestionsReply(texts.SUGGESTED_QUESTIONS))


async def resume(ctx: Ctx, awaited: Awaited, delivery: Delivery) -> None:
    """Deliver a job an earlier bot sent and did not deliver (see ``Dialogue.recover``)."""
    state = ctx.state
    label = ctx.label(awaited.kind)
    try:
        result = await delivery.collect(label=label)
    except RunnerClosed:
        return
    except FacexplainError as exc:
        if not await delivery.claim():
            return
        if awaited.kind == "verify":
            ctx.text(texts.PHOTO_ERROR.format(number=2, message=exc.user_message)
                     if exc.photo == 2 else exc.user_message, "error")
        else:
            ctx.text(texts.EXPLAIN_FAILED.format(message=exc.user_message), "error")
        return
    if not await delivery.claim():
        return
    if stale(state, awaited):  # the conversation went on (another replica): drop it
        log.info("dropped the recovered replies of a replaced comparison")
        return
    state.clear_comparison()
    if awaited.kind == "verify":
        state.number = max(state.number, awaited.number - 1)
        await _decided(ctx, result)
    else:
        state.number = max(state.number, awaited.number)
        state.comparison_id = awaited.comparison_id
        await _explained(ctx, result)


def stale(state: ConversationState, awaited: Awaited) -> bool:
    """Whether the stored conversation has gone past the awaited job's comparison."""
    if awaited.kind == "verify":
        return state.number >= awaited.number
    return state.comparison_id is not None and state.comparison_id != awaited.comparison_id


def _explain_failed(ctx: Ctx, state: ConversationState, verified: Verified, message: str) -> None:
    if state.verified is not verified:
        return
    state.explain_failed = True
    ctx.say(ProgressReply("saliency", 1, 1, texts.EXPLAIN_STOPPED, final=True))
    ctx.text(texts.EXPLAIN_FAILED.format(message=message), "error")


def table_reply(explanation: Explanation) -> TableReply:
    tables = explanation.comparison.tables or {}
    pair = tables.get("pair", {})
    rows = tuple((region, *(f"{row[c]:g}" for c in COLUMNS)) for region, row in pair.items())
    return TableReply(texts.TABLE_TITLE, ("Region", *COLUMNS), rows, explanation.table_text)
