"""First use of `facexplain chat`: find what is missing, say in one screen what will be done,
and do it with progress (calibrate this pipeline on LFW View 1), or name the one thing the
user must provide (the face models, or LFW)."""

from __future__ import annotations

import click

from bot.settings import Settings
from core.errors import ModelNotFound, NotCalibrated
from core.lfw import view1
from core.model_files import resolve_model

PAIRS = ("pairsDevTrain.txt", "pairsDevTest.txt")


class MustProvide(click.ClickException):
    """The one thing the user has to provide before the chat can start (exit status 1)."""

    def format_message(self) -> str:
        return self.message


def missing_models(settings: Settings) -> str | None:
    detector = settings.scrfd_model if settings.detector == "scrfd" else settings.mtcnn_dir
    for name in (detector, settings.recognizer_model):
        try:
            resolve_model(settings.model_dir, name)
        except ModelNotFound:
            return name
    return None


def ensure_ready(settings: Settings, *, ask: bool) -> None:
    """Return when the configured pipeline is calibrated (calibrating it first when it can);
    raise MustProvide naming what the user has to supply otherwise."""
    name = missing_models(settings)
    if name is not None:
        raise MustProvide(
            f"facexplain needs face models, and {name} is not in {settings.model_dir}.\n"
            "Get InsightFace's buffalo_l pack (non-commercial research licence) with\n\n"
            "    facexplain models download buffalo_l\n\n"
            "and set the FACEXPLAIN_* variables it prints; or put your own ONNX files there "
            "(FACEXPLAIN_MODEL_DIR chooses the folder).")
    from bot.composition import build_pipeline, load_calibration, pipeline_identity

    pipeline = build_pipeline(settings, policy="centre")
    try:
        load_calibration(settings, pipeline)
        return
    except NotCalibrated:
        pass
    lfw = settings.lfw_path
    if not all((lfw / p).is_file() for p in PAIRS) or not (lfw / "deepfunneled").is_dir():
        raise MustProvide(
            f"facexplain calibrates its confidence on LFW, which is not in {lfw}.\n"
            "Fetch it (about 110 MB, checksummed) with\n\n"
            "    facexplain data download lfw\n\n"
            "or point FACEXPLAIN_LFW_DIR at a copy with deepfunneled/ and the pairs files.")
    pairs = len(view1(lfw))
    identity = pipeline_identity(settings, pipeline)
    click.echo(
        "First use of this face pipeline: it has no calibration yet.\n"
        f"  pipeline: {pipeline.recognizer.name} with {pipeline.detector.name}"
        f" ({identity.describe()})\n"
        f"  1. calibrate on LFW View 1 ({pairs} pairs in {lfw}): detect, align and embed each "
        "photo once (a few minutes on 2 CPU cores; cached after), then fit the threshold and "
        f"the PIC-score; saved in {settings.calibration_dir}\n"
        "  2. then the chat starts.\n"
        "Descriptions of what a template encodes (/describe) need a one-off "
        "`facexplain train attributes` (about 5 minutes); run it later if you want them.", err=True)
    if ask and not click.confirm("Calibrate now?", default=True, err=True):
        raise MustProvide("Not calibrated: run `facexplain calibrate` when you are ready.")
    from bot.cli.commands.calibrate import calibrate

    calibrate(settings)
