"""``facexplain train ...``: train what is learned per recognizer (keyed by its sha256).

``train attributes`` trains the CLIP-SMU attribute methods on the configured recognizer's
templates; the helpers here (options and data preparation) are shared with ``eval
attributes``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from bot.cli.options import model_options, settings_from
from bot.cli.progress import TqdmProgress
from bot.settings import Settings
from core.progress import Progress

if TYPE_CHECKING:
    from core.comparison import Comparison
    from core.qa.synthetic import Asked, Ranking

F = TypeVar("F", bound=Callable[..., Any])
DEFAULT_CLIP_MODEL = "vit_base_patch32_clip_224.openai"  # an open_clip folder (needs torchvision)
DEFAULT_HF_CLIP = "clip-vit-base-patch32"  # openai/clip-vit-base-patch32, loaded by transformers


@click.group("train")
def command() -> None:
    """Train what is learned per recognizer (attribute descriptions)."""


def attribute_options(func: F) -> F:
    """Data, text side and run options shared by ``train attributes`` and ``eval attributes``."""
    options = [
        click.option("--threads", type=int, default=1, show_default=True,
                     help="torch CPU threads (the models are tiny; 1 is fastest on a busy CPU)."),
        click.option("--seed", type=int, default=0, show_default=True, help="Seed for splits and training."),
        click.option("--text-encoder", type=click.Choice(["auto", "minilm", "clip", "open_clip"]),
                     default="auto", show_default=True,
                     help="Text side of template CLIP-SMU: the CLIP text tower when a CLIP "
                          "model is in the model directory (auto), else all-MiniLM-L6-v2."),
        click.option("--clip-model", default=None,
                     help="CLIP model folder in the model directory: a Hugging Face one "
                          f"[{DEFAULT_HF_CLIP}] or an open_clip one [{DEFAULT_CLIP_MODEL}]."),
        click.option("--images", type=click.Path(path_type=Path), default=None,
                     help="Image folder the MAAD-Face file names are relative to (VGGFace2)."),
        click.option("--maad-csv", type=click.Path(path_type=Path), default=None,
                     help="MAAD-Face annotation CSV (Filename, Identity, 47 attributes: 1/-1/0)."),
        click.option("--lfw-dir", type=click.Path(path_type=Path), default=None,
                     help="LFW folder with deepfunneled/ and attributes/ [FACEXPLAIN_LFW_DIR]."),
        click.option("--unlabelled/--no-unlabelled", default=True, show_default=True,
                     help="LFW only: also embed the View 1 images of people outside the "
                          "labelled set (no labels; the spreading multi-label head uses them)."),
    ]
    for option in options:
        func = option(func)
    return model_options(func)


@dataclass
class AttributeRun:
    settings: Settings
    pipeline: Any  # core.pipeline.FacePipeline
    data: Any  # core.attributes.data.AttributeData
    encode: Any  # core.attributes.text_side.CachedTextFeatures | None
    encoder_name: str
    clip: Any  # core.attributes.zero_shot.ZeroShotClip | None
    seconds: dict[str, float]


def prepare_run(options: dict[str, Any], progress: Progress) -> AttributeRun:
    """Settings, pipeline, labelled templates (cached), text side and zero-shot model."""
    import torch

    from bot.composition import build_pipeline
    from core.attributes.data import (
        load_attribute_data,
        read_labels,
        template_cache_file,
        unlabelled_paths,
    )

    torch.set_num_threads(max(1, int(options["threads"])))
    settings = settings_from(model_dir=options["model_dir"], detector=options["detector"],
                             data_dir=options["data_dir"], lfw_dir=options["lfw_dir"])
    seconds: dict[str, float] = {}
    t = time.perf_counter()
    pipeline = build_pipeline(settings, policy="centre")
    extra: list[str] = []
    if options["maad_csv"] is not None:
        if options["images"] is None:
            raise click.UsageError("--maad-csv needs --images (the VGGFace2 image folder)")
        images, root = read_labels("maad", options["maad_csv"]), options["images"]
        cache = template_cache_file(settings.cache_dir, pipeline, "maad")
    else:
        images, root = read_labels("lfw", settings.lfw_path), settings.lfw_path / "deepfunneled"
        cache = template_cache_file(settings.cache_dir, pipeline)
        if options["unlabelled"]:
            extra = unlabelled_paths(settings.lfw_path, {p.split("/")[0] for p in images.paths})
    data = load_attribute_data(pipeline, images, root, cache_file=cache, progress=progress,
                               unlabelled=extra)
    seconds["templates"] = time.perf_counter() - t
    t = time.perf_counter()
    clip = _zero_shot_model(settings, options["clip_model"])
    encode, name = _text_side(settings, options["text_encoder"], clip, progress)
    seconds["text_side_load"] = time.perf_counter() - t
    return AttributeRun(settings, pipeline, data, encode, name, clip, seconds)


def _zero_shot_model(settings: Settings, clip_model: str | None) -> Any:
    from core.attributes.hf_clip import is_hf_clip
    from core.attributes.zero_shot import ZeroShotClip
    from core.torch_device import resolve_device

    names = [clip_model] if clip_model else [DEFAULT_HF_CLIP, DEFAULT_CLIP_MODEL]
    for name in names:
        for folder in (settings.model_dir / name, settings.model_dir / "clip" / name,
                       settings.model_dir / "open_clip" / name):
            if is_hf_clip(folder) or (folder / "open_clip_config.json").is_file():
                return ZeroShotClip.from_folder(folder, resolve_device(settings.torch_device))
    return None


def _text_side(settings: Settings, choice: str, clip: Any, progress: Progress) -> tuple[Any, str]:
    from core.attributes.text_side import MINILM, CachedTextFeatures, cache_name, minilm_encoder

    if choice in ("clip", "open_clip") and clip is None:
        raise click.UsageError(f"--text-encoder {choice} needs a CLIP model in the model directory")
    if clip is not None and choice in ("auto", "clip", "open_clip"):
        name, encode = f"{clip.kind}:{clip.name}", clip.text_features
    else:
        from core.torch_device import resolve_device

        name, encode = MINILM, minilm_encoder(device=resolve_device(settings.torch_device))
    return CachedTextFeatures(encode, name, settings.cache_dir / cache_name(name),
                              progress=progress), name


@command.command("attributes")
@attribute_options
def attributes(**options: Any) -> None:
    """Train the attribute methods (multi-label head, binary heads, template CLIP-SMU).

    Trains on the configured recognizer's templates of the LFW attribute subset (or MAAD-Face
    with --maad-csv and --images), with an identity-disjoint 80/20 split whose held-out people
    give each attribute's AUC (its reliability in descriptions), and saves small files under
    <data dir>/attributes/<recognizer sha256>/. Templates are cached after the first run.

        FACEXPLAIN_MODEL_DIR=../shared/models facexplain train attributes
    """
    from bot.composition import attribute_folder
    from core.attributes.training import TrainConfig, train_attribute_model

    start = time.perf_counter()
    progress = TqdmProgress()
    run = prepare_run(options, progress)
    recognizer = run.pipeline.recognizer
    t = time.perf_counter()
    model = train_attribute_model(run.data, run.encode, recognizer=recognizer.name,
                                  recognizer_sha256=recognizer.sha256,
                                  config=TrainConfig(seed=options["seed"]),
                                  encoder_name=run.encoder_name, progress=progress)
    run.seconds["training"] = time.perf_counter() - t
    run.seconds["total"] = time.perf_counter() - start
    model.meta["wall_seconds"] = {k: round(v, 1) for k, v in run.seconds.items()}
    folder = attribute_folder(run.settings, run.pipeline)
    model.save(folder)
    progress.close()
    _print_summary(model, folder, run)


def _print_summary(model: Any, folder: Path, run: AttributeRun) -> None:
    meta = model.meta
    click.echo(f"Trained attribute methods for {model.recognizer} ({model.recognizer_sha256[:12]}) "
               f"on {meta['dataset']}: {meta['train_images']} images of {meta['train_identities']} "
               f"people; validation: {meta['validation_images']} images of "
               f"{meta['validation_identities']} other people. Text side: {run.encoder_name}.")
    for method in model.methods:
        aucs = [v for v in model.validation_auc[method].values() if v is not None]
        male = model.validation_auc[method].get("Male")
        click.echo(f"  {method:14s} validation AUC: mean {sum(aucs) / max(len(aucs), 1):.3f} over "
                   f"{len(aucs)} attributes, Male {male if male is not None else 'n/a'}")
    click.echo("Seconds: " + json.dumps({k: round(v, 1) for k, v in run.seconds.items()}))
    size = sum(f.stat().st_size for f in folder.iterdir())
    click.echo(f"Wrote {folder} ({size / 1024:.0f} kB)")


@command.command("reader")
@click.option("--steps", type=int, default=300, show_default=True, help="Optimizer steps.")
@click.option("--batch-size", type=int, default=8, show_default=True)
@click.option("--learning-rate", type=float, default=2e-4, show_default=True)
@click.option("--max-length", type=int, default=256, show_default=True,
              help="Tokens per window (the reader reads long contexts in these windows).")
@click.option("--stride", type=int, default=96, show_default=True,
              help="Tokens shared by neighbouring windows.")
@click.option("--comparisons", type=int, default=400, show_default=True,
              help="Synthetic comparisons the examples are drawn from.")
@click.option("--per-comparison", type=int, default=24, show_default=True,
              help="Examples (questions) per synthetic comparison.")
@click.option("--whole", type=float, default=0.15, show_default=True,
              help="Share of examples whose context is the whole fact text (the rest: the "
                   "question's 1-4 most similar sentences, as the paper mode reads them).")
@click.option("--missing", type=float, default=0.1, show_default=True,
              help="Share of those sub-contexts left without the answer (labelled 'not here').")
@click.option("--bank-share", type=float, default=0.7, show_default=True,
              help="Share of questions from the bank's train split (the rest: the facts' own).")
@click.option("--span", type=click.Choice(["sentence", "answer"]), default="sentence",
              show_default=True, help="Answer span: the fact's whole sentence, or its short answer.")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--threads", type=int, default=2, show_default=True, help="torch CPU threads.")
@click.option("--base", "base_dir", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="The BERT-architecture folder to fine-tune [default: bundled all-MiniLM-L6-v2].")
@click.option("--out", "out_dir", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Where to save it [default: <data dir>/qa-reader].")
@click.option("--data-dir", type=click.Path(path_type=Path), default=None,
              help="Where calibrations and caches live [FACEXPLAIN_DATA_DIR].")
def reader(steps: int, batch_size: int, learning_rate: float, max_length: int, stride: int,
           comparisons: int, per_comparison: int, whole: float, missing: float,
           bank_share: float, span: str, seed: int, threads: int, base_dir: Path | None, out_dir: Path | None,
           data_dir: Path | None) -> None:
    """Fine-tune all-MiniLM-L6-v2 into the paper mode's extractive reader (BERT-QA).

    Examples are (question, context, answer span) triples from the facts of synthetic
    comparisons, asked with the facts' own questions and the question bank's train split
    (follow-ups as the engine resolves them); the context is the whole fact text (in
    overlapping windows) or the question's most similar sentences, ranked by the sentence
    encoder as the paper mode ranks them; the answer is the fact's sentence.

        facexplain train reader
        facexplain ask out/comparison.json --mode paper
    """
    import numpy as np

    from core.qa.bank import read_bank
    from core.qa.encoder import bundled_encoder_dir
    from core.qa.reader_train import ReaderTraining, train_reader
    from core.qa.synthetic import examples, synthetic_comparison

    rng = np.random.default_rng(seed)
    made = [synthetic_comparison(rng) for _ in range(comparisons)]
    asked, ranking = _reader_questions(made, threads)
    data = examples(made, read_bank(), rng, per_comparison=per_comparison, whole=whole,
                    span=span, asked=asked, ranking=ranking, missing=missing,
                    bank_share=bank_share)
    folder = out_dir or reader_dir(settings_from(data_dir=data_dir).data_dir)
    config = ReaderTraining(steps=steps, batch_size=batch_size, learning_rate=learning_rate,
                            max_length=max_length, stride=stride, seed=seed, threads=threads,
                            max_answer_tokens=160 if span == "sentence" else 40)
    progress = TqdmProgress()
    record = train_reader(base_dir or bundled_encoder_dir(), folder, data, config, progress)
    progress.close()
    click.echo(f"Trained the reader on {record.rows} windows of {record.examples} examples from "
               f"{comparisons} synthetic comparisons in {record.seconds:.0f} s: loss "
               f"{record.first_loss:.2f} -> {record.last_loss:.2f}. Wrote {folder} "
               f"({record.size_bytes / 2**20:.0f} MiB).")


def _reader_questions(made: list[Comparison], threads: int) -> tuple[list[Asked], Ranking]:
    """The bank's train questions (follow-ups resolved) and, for each question, the facts
    ranked as the paper mode ranks them, on the first synthetic match and non-match with maps."""
    import numpy as np

    from core.qa.bank import read_bank
    from core.qa.encoder import SentenceTransformerEncoder
    from core.qa.facts import build_facts
    from core.qa.index import IndexCache
    from core.qa.paper import similarities
    from core.qa.synthetic import (
        bank_questions,
        fact_questions,
        follow_up_resolver,
        precomputed_ranking,
    )

    references = [next(c for c in made if c.same_person == same and c.tables)
                  for same in (True, False)]
    facts = {c.same_person: build_facts(c) for c in references}
    asked = bank_questions(read_bank(), follow_up_resolver(facts[True]))
    questions = list(dict.fromkeys([q for q, _ in asked]
                                   + [q for q, _ in fact_questions(facts[True])]))
    cache = IndexCache(SentenceTransformerEncoder(threads=threads))
    vectors = cache.encode(questions)
    orders: dict[tuple[str, bool], list[str]] = {}
    for same, known in facts.items():
        index = cache.index(known)
        sentences = cache.vectors([f.text for f in known])
        for question, query in zip(questions, vectors, strict=True):
            sims = similarities(index, query, sentences)
            orders[(question, same)] = [known[int(i)].id for i in np.argsort(-sims, kind="stable")]
    return asked, precomputed_ranking(orders)


def reader_dir(data_dir: Path) -> Path:
    """Where ``train reader`` saves the reader, and where the paper mode looks for it."""
    return data_dir / "qa-reader"
