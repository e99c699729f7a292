"""``facexplain chat [A.jpg [B.jpg]]``: talk to the bot in the terminal.

Runs on the embedded defaults: the SQLite store in the data directory, jobs on threads in this
process (``--processes N``: worker processes; Celery when FACEXPLAIN_JOB_RUNNER=celery). The
console adapter (``adapters.console``) is the session and its views; the service is the one
``bot.composition.build_service`` builds. Nothing heavy is imported until the command runs.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import getpass
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from bot.cli.options import model_options, settings_from
from bot.settings import with_changes

if TYPE_CHECKING:
    from bot.composition import Service
    from bot.settings import Settings

log = logging.getLogger(__name__)
STAGES = {"saliency": "heatmaps", "render": "collage"}


@click.command("chat")
@click.argument("photos", nargs=-1, type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--json", "as_json", is_flag=True,
              help="One JSON object per reply (for scripts), progress included.")
@click.option("--out", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Folder for the heatmap collages [DATA_DIR/chat/<date-time>].")
@click.option("--profile", default=None,
              help="Saliency profile: fast (default), interactive, paper-lazy or paper [FACEXPLAIN_SALIENCY_PROFILE].")
@click.option("--no-heatmaps", is_flag=True, help="Only the decision: no heatmaps or table.")
@click.option("--ask-consent", is_flag=True,
              help="Ask for consent before the first photo (as the chat platforms do).")
@click.option("--new", "new", is_flag=True,
              help="Start afresh instead of going on with your last comparison.")
@click.option("--processes", "workers", type=click.IntRange(0, 32), default=0,
              help="Run the models in this many worker processes (default: threads in this process).")
@model_options
def command(photos: tuple[Path, ...], as_json: bool, out: Path | None, profile: str | None,
            no_heatmaps: bool, ask_consent: bool, new: bool, workers: int, model_dir: Path | None,
            detector: str | None, data_dir: Path | None) -> None:
    """Chat with facexplain in the terminal: send two face photos (type or drag their paths in,
    or give them here), get the decision at once, then heatmaps and the region table; then ask
    questions. /help lists the commands, /quit leaves. Started again on the same data folder,
    it goes on with your last comparison ("and the chin?"); --new starts afresh.

    \b
        facexplain chat
        facexplain chat alice1.jpg alice2.jpg
        printf 'a.jpg\\nb.jpg\\nWhy?\\n' | facexplain chat --json

    When standard input is not a terminal, each line is one message and each reply is printed
    on one line. Conversations are kept (pseudonymised) in SQLite in the data directory, or in
    FACEXPLAIN_DATABASE_URL.
    """
    if len(photos) > 2:
        raise click.BadParameter("give at most two photos", param_hint="PHOTOS")
    settings = settings_from(model_dir=model_dir, detector=detector, data_dir=data_dir,
                             saliency_profile=profile)
    # threads start at once; worker processes when asked; Celery when the deployment says so
    kind = "celery" if settings.job_runner == "celery" else ("processes" if workers else "threads")
    settings = with_changes(settings, job_runner=kind, job_workers=workers or None)
    folder = out or settings.data_dir / "chat" / dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    if kind != "celery":  # first use: calibrate this pipeline, or say what to provide
        from bot.cli.first_run import ensure_ready

        ensure_ready(settings, ask=sys.stdin.isatty())
    try:
        asyncio.run(chat(settings, list(photos), folder, as_json=as_json, explain=not no_heatmaps,
                         consent="ask" if ask_consent else "on_first_photo", new=new))
    except KeyboardInterrupt:
        click.echo("\nBye.", err=True)


async def chat(settings: Settings, photos: list[Path], folder: Path, *, as_json: bool,
               explain: bool, consent: str, new: bool = False) -> None:
    from adapters.console.session import ConsoleChat, StdinLines
    from adapters.console.views import Images, View
    from bot.cli.progress import TqdmProgress
    from bot.composition import build_service
    from bot.dialogue import DialogueConfig
    from bot.messages import ConversationKey

    interactive = sys.stdin.isatty()
    mode = "json" if as_json else ("terminal" if interactive and sys.stdout.isatty() else "lines")
    bar = TqdmProgress(disable=mode != "terminal")
    view = View(sys.stdout, Images(folder), mode,
                progress=lambda stage, done, total: bar(STAGES.get(stage, stage), done, total),
                close_progress=bar.close)
    config = DialogueConfig(consent="ask" if consent == "ask" else "on_first_photo",
                            explain=explain)
    service = build_service(settings, config=config)
    if mode == "terminal":
        click.echo("facexplain chat: type or drag in a photo path, ask a question, /help, /quit.\n"
                   f"Heatmaps are saved in {folder.resolve()}", err=True)
    warming = asyncio.create_task(warm_up(service))
    key = ConversationKey("console", "terminal", getpass.getuser())
    try:
        session = ConsoleChat(service.dialogue, view, key)
        await session.run(StdinLines("you> " if mode == "terminal" else None), photos, new=new)
    finally:
        warming.cancel()
        bar.close()
        await service.close()


async def warm_up(service: Service) -> None:
    """Load the models while the user reads or types (failures show on first use instead)."""
    try:
        await service.start()
    except Exception as exc:  # reported to the user by the first message that needs it
        log.info("warm-up failed: %s", exc)
