"""``facexplain calibrate``: fit the threshold and PIC densities on LFW View 1."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click
import numpy as np

from bot.cli.lfw_embed import embed_with_bar
from bot.cli.options import model_options, settings_from
from bot.composition import build_pipeline, pipeline_identity
from bot.settings import Settings
from core.calibration import Calibration
from core.eval.metrics import eer, threshold_at_fmr
from core.lfw import view1


@click.command("calibrate")
@model_options
@click.option("--lfw-dir", type=click.Path(path_type=Path), default=None,
              help="LFW folder with deepfunneled/ and the pairs files [FACEXPLAIN_LFW_DIR].")
@click.option("--rule", type=click.Choice(["eer", "fmr"]), default=None,
              help="Threshold at the EER point (default) or at a target false match rate.")
@click.option("--target-fmr", type=float, default=None, help="With --rule fmr, e.g. 0.001.")
def command(model_dir: Path | None, detector: str | None, data_dir: Path | None,
            lfw_dir: Path | None, rule: str | None, target_fmr: float | None) -> None:
    """Calibrate the configured recognizer on LFW View 1 (pairsDevTrain + pairsDevTest).

    Runs detect, align and embed on the deep-funneled images, fits the PIC-score densities
    and chooses the decision threshold; saves it keyed by the pipeline's identity (recognizer
    and detector files, detector input size, alignment, mirror averaging, normalisation).
    View 2 (pairs.txt) is never used here. Example:

        FACEXPLAIN_MODEL_DIR=../shared/models facexplain calibrate
    """
    calibrate(settings_from(model_dir=model_dir, detector=detector, data_dir=data_dir,
                            lfw_dir=lfw_dir, threshold_rule=rule, target_fmr=target_fmr))


def calibrate(settings: Settings) -> None:
    """Calibrate the pipeline ``settings`` describe, with a progress bar (also the chat's
    first-run step)."""
    pipeline = build_pipeline(settings, policy="centre")
    pairs = view1(settings.lfw_path)
    embedded, scores, same = embed_with_bar(settings, pipeline, pairs, "Calibrating", "View 1")
    dev_eer, eer_threshold = eer(scores, same)
    if settings.threshold_rule == "fmr":
        threshold = threshold_at_fmr(scores, same, settings.target_fmr)
        rule_text = f"FMR <= {settings.target_fmr:.3%} on LFW View 1"
    else:
        threshold, rule_text = eer_threshold, "EER point on LFW View 1"
    calibration = Calibration(
        recognizer_sha256=pipeline.recognizer.sha256,
        recognizer=pipeline.recognizer.name,
        detector=pipeline.detector.name,
        dataset="LFW View 1 (pairsDevTrain + pairsDevTest)",
        date=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        threshold=float(threshold),
        threshold_rule=rule_text,
        genuine_scores=[round(float(s), 6) for s in scores[same]],
        impostor_scores=[round(float(s), 6) for s in scores[~same]],
        identity=pipeline_identity(settings, pipeline).to_dict(),
        pipeline={"detector_max_size": settings.detector_max_size,
                  "flip_average": settings.flip_average, "face_policy": "centre"},
        stats={"pairs": len(pairs), "images": len(embedded.templates),
               "no_detection": len(embedded.no_detection),
               "no_detection_handling": "aligned with the mean landmarks of the detected images",
               "several_faces": embedded.several_faces, "dev_eer": dev_eer,
               "dev_accuracy_at_threshold": float(np.mean((scores >= threshold) == same))},
    )
    path = calibration.save(settings.calibration_dir)
    click.echo(
        f"threshold {threshold:.4f} ({rule_text}); development EER {dev_eer:.2%}; "
        f"{len(embedded.no_detection)} of {len(embedded.templates)} images had no detection "
        f"(aligned with mean landmarks).\nSaved {path}"
    )
