"""``facexplain eval attributes``: ROC and AUC per attribute for every method, on 5
identity-disjoint folds, against chance baselines; JSON, a table and figures."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import click
import numpy as np

from bot.cli.commands.train import AttributeRun, attribute_options, prepare_run
from bot.cli.progress import TqdmProgress

SHUFFLED = "shuffled labels (multi-label head)"


@click.command("attributes")
@attribute_options
@click.option("--folds", type=int, default=5, show_default=True, help="Identity-disjoint folds.")
@click.option("--min-positives", type=int, default=10, show_default=True,
              help="Fewest positives (and negatives) in a test fold for an attribute to be scored "
                   "there; an attribute is reported when it can be scored on 3 folds (all, if fewer).")
@click.option("--out", type=click.Path(path_type=Path), default=Path("runs/eval-attributes"),
              show_default=True, help="Folder for report.json, auc_table.txt, auc.png and roc.png.")
def command(folds: int, min_positives: int, out: Path, **options: Any) -> None:
    """Evaluate every available attribute method on identity-disjoint folds.

    Methods: multi-label head, binary heads, template CLIP-SMU (text side: open_clip's text
    tower if its weights are in the model directory, else all-MiniLM-L6-v2), zero-shot
    CLIP-SMU (only with open_clip weights), each trained on the other folds; baselines:
    random scores (chance, AUC 0.5) and the multi-label head trained on shuffled labels;
    reference: the per-person oracle (the best AUC any one-score-per-person predictor could
    reach on these per-image labels; it reads the test labels).
    The multi-label head (kernel label spreading) also uses the LFW View 1 faces of people
    outside the labelled set, without labels (--no-unlabelled leaves them out); they are
    embedded once into the template cache the verification commands share.
    Also writes the per-attribute mean AUCs next to the trained model (reliability.json),
    where descriptions read them. Example:

        FACEXPLAIN_MODEL_DIR=../shared/models facexplain eval attributes --out runs/attributes
    """
    from core.attributes.evaluation import EvalConfig, auc_table, evaluate_scores
    from core.attributes.figures import auc_bars, roc_grid
    from core.attributes.folds import identity_folds
    from core.attributes.vocabulary import KEYS

    start = time.perf_counter()
    progress = TqdmProgress()
    run = prepare_run(options, progress)
    labels = run.data.images.labels
    fold_of = identity_folds(run.data.images.identities, folds, seed=options["seed"],
                             strata=labels[:, KEYS.index("Male")] > 0)
    t = time.perf_counter()
    scores = _cross_validated(run, fold_of, options["seed"], progress)
    seconds = {**run.seconds, "cross_validation": time.perf_counter() - t}
    if run.clip is not None:
        scores["zero-shot CLIP-SMU"] = _zero_shot(run, progress)
    progress.close()
    config = EvalConfig(folds=folds, seed=options["seed"], min_positives=min_positives,
                        min_negatives=min_positives, min_folds=min(3, folds))
    report = evaluate_scores(scores, labels, fold_of, config, run.data.images.identities)
    seconds["total"] = time.perf_counter() - start
    report["setup"] = _setup(run, seconds)
    _write(report, out, run)
    click.echo(auc_table(report))
    click.echo(f"Not scored (too few positives or negatives in the test folds): "
               f"{', '.join(report['not_scored']) or 'none'}")
    if run.clip is None:
        click.echo("Zero-shot CLIP-SMU: not run (no open_clip weights in the model directory).")
    auc_bars(report, out / "auc.png", f"Attribute AUC, {report['setup']['recognizer']} templates")
    roc_grid(report, out / "roc.png", f"Pooled out-of-fold ROC, {report['setup']['recognizer']}")
    click.echo(f"Wrote {out}/report.json, auc_table.txt, auc.png, roc.png")


def _cross_validated(run: AttributeRun, fold_of: np.ndarray, seed: int, progress: Any) -> dict[str, Any]:
    from core.attributes.heads import train_multilabel
    from core.attributes.model import METHOD_NAMES
    from core.attributes.training import TrainConfig, fit_methods

    templates, labels, pool = run.data.templates, run.data.images.labels, run.data.unlabelled
    out: dict[str, Any] = {}
    rng = np.random.default_rng(seed)
    config = TrainConfig(seed=seed)
    for k in sorted(set(fold_of.tolist())):
        train, test = fold_of != k, fold_of == k
        fitted = fit_methods(templates[train], labels[train], run.encode, config,
                             encoder_name=run.encoder_name, progress=progress, unlabelled=pool)
        for method, score in fitted.scores().items():
            name = METHOD_NAMES[method] + (f" ({run.encoder_name})" if method == "template_clip" else "")
            out.setdefault(name, np.zeros(labels.shape, np.float32))[test] = score(templates[test])
        shuffled = labels[train][rng.permutation(int(train.sum()))]
        head = train_multilabel(templates[train], shuffled, config.heads, unlabelled=pool)
        out.setdefault(SHUFFLED, np.zeros(labels.shape, np.float32))[test] = head.scores(templates[test])
        progress("folds", k + 1, len(set(fold_of.tolist())))
    return out


def _zero_shot(run: AttributeRun, progress: Any) -> Any:
    from core.attributes.zero_shot_data import clip_image_features
    from core.dataset import cache_key

    cache = run.settings.cache_dir / f"clip-{run.clip.name}-{cache_key(run.pipeline)}.npz"
    features = clip_image_features(run.clip, run.pipeline, run.data.image_root,
                                   run.data.images.paths, cache_file=cache, progress=progress)
    return run.clip.scores_from_features(features)


def _setup(run: AttributeRun, seconds: dict[str, float]) -> dict[str, Any]:
    recognizer = run.pipeline.recognizer
    ids = run.data.images.identities
    return {
        "recognizer": recognizer.name, "recognizer_sha256": recognizer.sha256,
        "detector": run.pipeline.detector.name, "dataset": run.data.images.source,
        "images": len(ids), "identities": len(set(ids)), "no_detection": run.data.no_detection,
        "text_encoder": run.encoder_name,
        "unlabelled_images": 0 if run.data.unlabelled is None else len(run.data.unlabelled),
        "zero_shot": run.clip.name if run.clip is not None else None,
        "seconds": {k: round(v, 1) for k, v in seconds.items()},
    }


def _write(report: dict[str, Any], out: Path, run: AttributeRun) -> None:
    from bot.composition import attribute_folder
    from core.attributes.evaluation import auc_table
    from core.attributes.model import METHOD_NAMES

    out.mkdir(parents=True, exist_ok=True)
    (out / "report.json").write_text(json.dumps(report, indent=1), encoding="utf-8")
    (out / "auc_table.txt").write_text(auc_table(report) + "\n", encoding="utf-8")
    folder = attribute_folder(run.settings, run.pipeline)
    by_name = {name.split(" (")[0]: key for key, name in METHOD_NAMES.items()}
    reliability = {by_name[name.split(" (")[0]]: {k: v["mean"] for k, v in m["attributes"].items()}
                   for name, m in report["methods"].items() if name.split(" (")[0] in by_name}
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "reliability.json").write_text(json.dumps(reliability, indent=1), encoding="utf-8")
