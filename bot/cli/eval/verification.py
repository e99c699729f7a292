"""``facexplain eval verification``: LFW View 2, 10 folds, as the standard protocol measures it."""

from __future__ import annotations

import json
from pathlib import Path

import click
import numpy as np

from bot.cli.lfw_embed import embed_with_bar
from bot.cli.options import model_options, settings_from
from bot.composition import build_pipeline, load_calibration
from core.eval.metrics import det
from core.eval.plots import det_curve, reliability_diagram
from core.eval.verification_report import verification_report
from core.lfw import view2


@click.command("verification")
@model_options
@click.option("--lfw-dir", type=click.Path(path_type=Path), default=None,
              help="LFW folder with deepfunneled/ and pairs.txt [FACEXPLAIN_LFW_DIR].")
@click.option("--out", type=click.Path(path_type=Path), default=Path("runs/eval-verification"),
              show_default=True, help="Folder for report.json, det.png and reliability.png.")
def command(model_dir: Path | None, detector: str | None, data_dir: Path | None,
            lfw_dir: Path | None, out: Path) -> None:
    """Evaluate the full pipeline on LFW View 2 (pairs.txt, 6,000 pairs, 10 folds).

    Reports 10-fold accuracy, EER, FNMR at FMR 1% / 0.1% / 0.01%, ROC AUC, a DET curve and the
    PIC-score reliability (ECE). Needs `facexplain calibrate` first (View 1). Example:

        FACEXPLAIN_MODEL_DIR=../shared/models facexplain eval verification --out runs/scrfd
    """
    settings = settings_from(model_dir=model_dir, detector=detector, data_dir=data_dir, lfw_dir=lfw_dir)
    pipeline = build_pipeline(settings, policy="centre")
    calibration = load_calibration(settings, pipeline)
    pairs = view2(settings.lfw_path)
    embedded, scores, same = embed_with_bar(settings, pipeline, pairs, "Evaluating", "View 2")
    folds = np.array([p.fold for p in pairs])
    report = verification_report(scores, same, folds, calibration)
    report.update({
        "recognizer": pipeline.recognizer.name, "recognizer_sha256": pipeline.recognizer.sha256,
        "detector": pipeline.detector.name, "calibration": calibration.dataset,
        "images": len(embedded.templates), "no_detection": len(embedded.no_detection),
        "no_detection_images": embedded.no_detection,
        "no_detection_handling": "aligned with the mean landmarks of the detected images",
        "images_with_several_faces": embedded.several_faces,
    })
    out.mkdir(parents=True, exist_ok=True)
    (out / "report.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    det_curve({pipeline.detector.name: det(scores, same)}, out / "det.png", "LFW View 2 DET")
    from core.eval.metrics import reliability

    reliability_diagram(reliability(calibration.pic_model.pic(scores), same), out / "reliability.png",
                        "PIC-score reliability, LFW View 2")
    ops = report["fnmr_at_fmr"]
    click.echo(
        f"accuracy (10-fold) {report['accuracy_10fold']:.2%} ± {report['accuracy_10fold_std']:.2%}\n"
        f"EER {report['eer']:.2%}   ROC AUC {report['roc_auc']:.5f}\n"
        + "".join(f"FNMR at FMR {k}: {v['fnmr']:.2%}{' (*)' if 'note' in v else ''}\n" for k, v in ops.items())
        + f"PIC ECE (10 bins) {report['pic_ece_10_bins']:.4f}\n"
        f"images with no detection: {report['no_detection']} (aligned with mean landmarks)\n"
        + "".join(f"(*) {v['note']}\n" for v in ops.values() if "note" in v)
        + f"Wrote {out}/report.json, det.png, reliability.png"
    )
