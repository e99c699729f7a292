"""``facexplain eval explanations``: region statistics, method agreement and faithfulness of the
MinPlus maps over LFW View 2 pairs (genuine and impostor, sampled with a seed)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any

import click
import numpy as np

from bot.cli.options import model_options, settings_from
from bot.cli.progress import TqdmProgress
from bot.composition import (
    build_base_recognizer,
    build_region_source,
    build_rough_recognizer,
    build_verifier,
    saliency_params,
)
from core.comparison import METHODS, REGIONS
from core.errors import FacexplainError
from core.eval.faithfulness import (
    RANDOM,
    FaceCurves,
    FaithfulnessParams,
    curve_summary,
    face_curves,
    method_agreement,
    region_level_stats,
    region_saliency,
)
from core.explanation import explain
from core.lfw import Pair, view2
from core.recognizer import Recognizer
from core.regions import RegionSource
from core.saliency import SaliencyParams, with_changes
from core.table import MEAN
from core.verify import Verified

MIN_FULL_SCORE = 0.1  # normalised curves need the unperturbed score clearly above 0
HOW = ("Curves replace (deletion) or restore (insertion) {step:.0%} of the pixels per step, most "
       "salient first, with the {baseline}; the random baseline averages {orders} seeded random "
       "pixel orders. 'normalised' = score / unperturbed score, on genuine pairs whose score is at "
       f"least {MIN_FULL_SCORE} (others are counted, not used). 'anchored' = score minus the score "
       "of the fully replaced image, in score units, for every pair: impostor scores are near 0 or "
       "negative, so dividing by them would be unstable. Each face of a pair is one curve; spreads "
       "are std over faces and a 95% bootstrap CI of the mean resampling pairs.")


def sample(pairs: list[Pair], seed: int, kinds: tuple[bool, ...]) -> Iterator[tuple[int, Pair]]:
    """View 2 pairs in a seeded random order, alternating the kinds asked for (genuine, impostor);
    the caller takes what it needs (skipping pairs with no face)."""
    rng = np.random.default_rng(seed)
    queues = {k: iter(rng.permutation([i for i, p in enumerate(pairs) if p.same == k]).tolist()) for k in kinds}
    while queues:
        for k in list(queues):
            index = next(queues[k], None)
            if index is None:
                del queues[k]
            else:
                yield int(index), pairs[index]


def explain_one(verified: Verified, recognizer: Recognizer, params: SaliencyParams, fp: FaithfulnessParams,
                source: RegionSource, saliency_seed: int, order_seed: list[int],
                rough: Recognizer | None = None) -> dict[str, Any]:
    """One pair's tables, region saliency and curves (both faces), as a pairs.jsonl record;
    ``order_seed`` (the run's seed and the pair's index) seeds the pixel orders."""
    ex = explain(verified, recognizer, params, regions=source, seed=saliency_seed, rough=rough)
    assert ex.comparison.tables is not None
    crops = [verified.face_a.crop, verified.face_b.crop]
    emb = recognizer.embed(np.stack(crops))
    curves = {k: face_curves(recognizer, crops[f], emb[1 - f], ex.maps[f].maps, fp, seed=[*order_seed, f])
              for f, k in enumerate("AB")}
    return {"score": ex.comparison.score, "tables": ex.comparison.tables,
            "region_saliency": {k: region_saliency(ex.maps[f].maps, source.masks(crops[f])) for f, k in enumerate("AB")},
            "curves": {k: c.to_dict() for k, c in curves.items()}}


def resumed(out: Path, run: dict[str, Any]) -> list[dict[str, Any]]:
    """The records of an earlier run into ``out`` with the same options."""
    if not (out / "run.json").is_file() or json.loads((out / "run.json").read_text()) != run:
        raise click.UsageError(f"{out} holds no run with these options to resume; drop --resume or pick another --out.")
    with (out / "pairs.jsonl").open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


@click.command("explanations")
@model_options
@click.option("--lfw-dir", type=click.Path(path_type=Path), default=None,
              help="LFW folder with deepfunneled/ and pairs.txt [FACEXPLAIN_LFW_DIR].")
@click.option("--pairs", "n_pairs", type=click.IntRange(1), default=100, show_default=True,
              help="Pairs to explain, half genuine and half impostor.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the pair sample and pixel orders.")
@click.option("--profile", default=None, help="Saliency profile: fast (default), interactive, paper-lazy or paper.")
@click.option("--grid-step", type=click.IntRange(1), default=None, help="Override the profile's grid step d.")
@click.option("--tmax", type=click.IntRange(1), default=None, help="Override the profile's greedy steps.")
@click.option("--step", type=click.FloatRange(0.01, 0.5), default=0.05, show_default=True,
              help="Share of pixels removed or added per curve step.")
@click.option("--random-orders", type=click.IntRange(1), default=3, show_default=True)
@click.option("--baseline", type=click.Choice(["grey", "blur"]), default="grey", show_default=True,
              help="What replaces deleted (and fills not-yet-inserted) pixels: uniform grey, or the "
                   "face blurred (Gaussian, sigma 5 px). With blur the blurred face keeps most of "
                   "the identity, so insertion curves of all orders start high and differ little.")
@click.option("--genuine-only", is_flag=True, help="Only genuine pairs.")
@click.option("--impostor-only", is_flag=True, help="Only impostor pairs.")
@click.option("--out", type=click.Path(path_type=Path, file_okay=False), default=Path("runs/eval-explanations"),
              show_default=True, help="Folder for report.json, pairs.jsonl and the PNGs.")
@click.option("--resume", is_flag=True,
              help="Go on with an interrupted run in --out (same options; --pairs may be larger).")
@click.option("--quiet", is_flag=True, help="No progress bar.")
def command(model_dir: Path | None, detector: str | None, data_dir: Path | None, lfw_dir: Path | None,
            n_pairs: int, seed: int, profile: str | None, grid_step: int | None, tmax: int | None,
            step: float, random_orders: int, baseline: str, genuine_only: bool, impostor_only: bool,
            out: Path, resume: bool, quiet: bool) -> None:
    """How the heatmaps behave over LFW View 2 pairs, and whether they are faithful.

    Per region, the distribution of each method's level; how often methods agree on the top
    region (and the Spearman correlation of region saliency); and deletion/insertion AUCs of
    every method against a random pixel order. Needs `facexplain calibrate` first. Example:

        facexplain eval explanations --pairs 100 --out runs/explanations
    """
    if genuine_only and impostor_only:
        raise click.UsageError("--genuine-only and --impostor-only exclude each other.")
    kinds = (True,) if genuine_only else (False,) if impostor_only else (True, False)
    settings = settings_from(model_dir=model_dir, detector=detector, data_dir=data_dir,
                             lfw_dir=lfw_dir, saliency_profile=profile)
    try:
        params = saliency_params(settings)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--profile") from None
    changes = {k: v for k, v in {"d": grid_step, "tmax": tmax}.items() if v is not None}
    params = with_changes(params, **changes) if changes else params
    fp = FaithfulnessParams(step=step, random_orders=random_orders, baseline=baseline)  # type: ignore[arg-type]
    verifier, recognizer, source = build_verifier(settings), build_base_recognizer(settings), build_region_source(settings)
    rough = build_rough_recognizer(settings, params)  # the bf16 copy, as the chat uses it
    pairs, images = view2(settings.lfw_path), settings.lfw_path / "deepfunneled"
    wanted = {True: (n_pairs + 1) // 2, False: n_pairs // 2} if len(kinds) == 2 else {kinds[0]: n_pairs}
    run = {"seed": seed, "kinds": list(kinds), "saliency": params.to_dict(),
           "faithfulness": asdict(fp), "recognizer": recognizer.sha256, "regions": settings.regions,
           "saliency_seed": settings.saliency_seed, "detector": verifier.pipeline.detector.name}
    out.mkdir(parents=True, exist_ok=True)
    lines = resumed(out, run) if resume else []
    (out / "run.json").write_text(json.dumps(run, indent=2), encoding="utf-8")
    seen, total = {r["index"] for r in lines}, sum(wanted.values())
    records = [r for r in lines if "skipped" not in r]
    skipped = [r for r in lines if "skipped" in r]  # pairs with no usable face
    click.echo(f"Explaining {total} LFW View 2 pairs ({params.profile} profile, d={params.d}, "
               f"tmax={params.tmax}) with {recognizer.name}" + (f"; {len(records)} done before." if resume else "..."))
    progress, started, fresh = TqdmProgress(disable=quiet), time.perf_counter(), 0
    with (out / "pairs.jsonl").open("a" if resume else "w", encoding="utf-8") as jsonl:
        for index, pair in sample(pairs, seed, kinds):
            if len(records) == total:
                break
            if index in seen or sum(r["same"] == pair.same for r in records) == wanted[pair.same]:
                continue
            line: dict[str, Any] = {"index": index, "a": pair.a, "b": pair.b, "same": pair.same}
            try:
                verified = verifier.compare((images / pair.a).read_bytes(), (images / pair.b).read_bytes())
            except FacexplainError as exc:
                line["skipped"] = exc.code
                skipped.append(line)
            else:
                line.update(explain_one(verified, recognizer, params, fp, source, settings.saliency_seed,
                                        [seed, index], rough))
                records.append(line)
                fresh += 1
            jsonl.write(json.dumps(line) + "\n")
            jsonl.flush()
            progress("pairs", len(records), total)
    progress.close()
    seconds = time.perf_counter() - started
    report = build_report(records, skipped, seed)
    report.update(saliency=params.to_dict(), recognizer=recognizer.name, regions_source=getattr(source, "name", ""),
                  faithfulness_params=asdict(fp), method=HOW.format(step=fp.step, orders=fp.random_orders,
                  baseline=f"face blurred with a Gaussian of sigma {fp.blur_sigma:g} px" if fp.baseline == "blur"
                  else "uniform grey (127.5)"),
                  seconds=round(seconds, 1), seconds_per_pair=round(seconds / max(1, fresh), 2))
    (out / "report.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    write_figures(report, out)
    click.echo(summary(report) + f"\nWrote {out}/report.json, pairs.jsonl, curves.png, levels.png, agreement.png "
               f"({seconds / 60:.1f} min, {report['seconds_per_pair']} s per pair).")


def build_report(records: list[dict[str, Any]], skipped: list[dict[str, Any]], seed: int) -> dict[str, Any]:
    curves = [(r["same"], *(FaceCurves.from_dict(r["curves"][k]) for k in "AB")) for r in records]
    faces = [r["tables"][k] for r in records for k in "AB"]
    groups = {
        "genuine_normalised": ([(a, b) for s, a, b in curves if s and a.full >= MIN_FULL_SCORE], "normalised"),
        "genuine_anchored": ([(a, b) for s, a, b in curves if s], "anchored"),
        "impostor_anchored": ([(a, b) for s, a, b in curves if not s], "anchored"),
        "all_anchored": ([(a, b) for _, a, b in curves], "anchored"),
    }
    return {
        "pairs": {"genuine": sum(r["same"] for r in records), "impostor": sum(not r["same"] for r in records)},
        "genuine_below_min_score": sum(s and a.full < MIN_FULL_SCORE for s, a, _ in curves),
        "skipped": skipped,
        "faithfulness": {name: curve_summary(group, kind, seed=seed)  # type: ignore[arg-type]
                         for name, (group, kind) in groups.items() if group},
        "regions_per_face": region_level_stats(faces) if faces else {},
        "regions_pair_table": region_level_stats([r["tables"]["pair"] for r in records]) if records else {},
        "agreement": method_agreement([r["region_saliency"][k] for r in records for k in "AB"]) if records else {},
    }


def summary(report: dict[str, Any]) -> str:
    lines = [f"\nPairs: {report['pairs']['genuine']} genuine, {report['pairs']['impostor']} impostor; "
             f"{len(report['skipped'])} skipped (no usable face); {report['genuine_below_min_score']} genuine "
             f"below {MIN_FULL_SCORE} left out of 'normalised'.", report["method"]]
    for name, group in report["faithfulness"].items():
        lines.append(f"\n{name.replace('_', ' ')} ({group['faces']} faces). Deletion AUC (lower = more "
                     "faithful), insertion AUC (higher = more faithful): mean ± std [95% CI], and the share of "
                     "faces on which the method beats the random order:")
        for m in (*METHODS, RANDOM):
            cells = []
            for d in ("deletion", "insertion"):
                row = group[d][m]
                a = row["auc"]
                beat = f" {row['beats_random_share']:4.0%}" if m != RANDOM else "     "
                cells.append(f"{a['mean']:7.3f} ± {a['std']:.3f} [{a['ci95_low']:.3f}, {a['ci95_high']:.3f}]{beat}")
            lines.append(f"  {m:6s}  del {cells[0]}   ins {cells[1]}")
    agreement = report["agreement"]
    if agreement:
        lines.append("\nSame top region (share of faces) / mean Spearman of region saliency:")
        lines.append("        " + "".join(f"{m:>12s}" for m in METHODS))
        for i, m in enumerate(METHODS):
            cells = [f"{_fmt(agreement['same_top_region'][i][j])}/{_fmt(agreement['spearman'][i][j])}"
                     for j in range(len(METHODS))]
            lines.append(f"  {m:6s}" + "".join(f"{c:>12s}" for c in cells))
    regions = report["regions_per_face"]
    if regions:
        lines.append("\nMean level per region over faces (1 = most important; ± std of Mean):")
        lines.append(f"  {'region':14s}" + "".join(f"{m:>6s}" for m in METHODS) + "   Mean  Ratio of 1s")
        for r in REGIONS:
            row = regions[r]
            lines.append(f"  {r:14s}" + "".join(f"{row[m]['mean']:6.2f}" for m in METHODS)
                         + f"  {row[MEAN]['mean']:.2f}±{row[MEAN]['std']:.2f}  {row['Ratio of 1s']['mean']:.2f}")
    return "\n".join(lines)


def _fmt(x: float | None) -> str:
    return "-" if x is None else f"{x:.2f}"


def write_figures(report: dict[str, Any], out: Path) -> None:
    from matplotlib.figure import Figure

    groups = {k: v for k, v in report["faithfulness"].items() if k != "all_anchored" and k != "genuine_anchored"}
    fig = Figure(figsize=(10, 4 * max(1, len(groups))))
    for row, (name, group) in enumerate(groups.items()):
        for col, d in enumerate(("deletion", "insertion")):
            ax = fig.add_subplot(max(1, len(groups)), 2, 2 * row + col + 1)
            for m in (*METHODS, RANDOM):
                r = group[d][m]
                ax.plot(group["fractions"], r["mean_curve"], "k--" if m == RANDOM else "-",
                        label=f"{m} (AUC {r['auc']['mean']:.3f})")
            ax.set(title=f"{d.capitalize()}, {name.replace('_', ' ')} ({group['faces']} faces)",
                   xlabel="share of pixels " + ("removed" if d == "deletion" else "restored"),
                   ylabel="score / unperturbed score" if "normalised" in name else "score - replaced image's score")
            ax.grid(alpha=0.3)
            ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(out / "curves.png", dpi=100)
    _heatmap(out / "levels.png", "Mean level per region (1 = most important)",
             [[report["regions_per_face"].get(r, {}).get(c, {}).get("mean", np.nan) for c in (*METHODS, MEAN)]
              for r in REGIONS], list(REGIONS), [*METHODS, MEAN], "RdYlBu", (1, 5))
    agreement = report["agreement"] or {"same_top_region": [[None] * 5] * 5, "spearman": [[None] * 5] * 5}
    fig = Figure(figsize=(11, 4.5))
    for k, (key, title, low) in enumerate((("same_top_region", "Same top region (share of faces)", 0.0),
                                           ("spearman", "Mean Spearman of region saliency", -1.0))):
        _heatmap_axes(fig.add_subplot(1, 2, k + 1), title, agreement[key], list(METHODS), list(METHODS),
                      "viridis", (low, 1.0))
    fig.tight_layout()
    fig.savefig(out / "agreement.png", dpi=100)


def _heatmap(path: Path, title: str, values: Any, rows: list[str], cols: list[str], cmap: str,
             limits: tuple[float, float]) -> None:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7, 5.5))
    _heatmap_axes(fig.add_subplot(1, 1, 1), title, values, rows, cols, cmap, limits)
    fig.tight_layout()
    fig.savefig(path, dpi=100)


def _heatmap_axes(ax: Any, title: str, values: Any, rows: list[str], cols: list[str], cmap: str,
                  limits: tuple[float, float]) -> None:
    grid = np.array([[np.nan if v is None else v for v in row] for row in values], dtype=np.float64)
    image = ax.imshow(grid, cmap=cmap, vmin=limits[0], vmax=limits[1])
    ax.set_xticks(range(len(cols)), cols)
    ax.set_yticks(range(len(rows)), rows)
    for (i, j), v in np.ndenumerate(grid):
        ax.text(j, i, "-" if np.isnan(v) else f"{v:.2f}", ha="center", va="center", fontsize=8)
    ax.set_title(title)
    ax.figure.colorbar(image, ax=ax, shrink=0.8)
