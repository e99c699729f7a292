"""MinPlus saliency (Mery & Morris, WACV 2022), black-box and batched.

For a probe crop A and the embedding y of the other face, score(X) = <embed(X), y>.
Removal (S0-, S1-) multiplies A by blob masks; aggregation (S0+, S1+) paints blobs of A onto
a near-black noise canvas. The first greedy pass of each strategy is the single-blob map (S0),
so it is never computed twice; later passes skip grid points already taken, and candidates whose
blob would change no pixel (their score is the current one), and stop at tmax steps or at the th
rule. Every pass sends all its candidates to the recognizer in one call (which the recognizer
splits into its batch size). The two faces of a pair are explained at once, on two threads,
when the recognizer was sized for concurrent callers.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from core.progress import Progress, no_progress
from core.recognizer import Recognizer
from core.saliency.greedy import Search, greedy_search
from core.saliency.maps import SaliencyError, SaliencyMaps, Scorer, assemble, check_crop
from core.saliency.masks import blob_stack, noise_canvas, scores_of
from core.saliency.profiles import SaliencyParams

FloatArray = NDArray[np.float32]


def explain_face(
    recognizer: Recognizer,
    crop: NDArray[Any],
    other_embedding: NDArray[Any],
    params: SaliencyParams,
    *,
    progress: Progress = no_progress,
    seed: int = 0,
    stage: str = "saliency",
    own_embedding: NDArray[Any] | None = None,
    rough: Recognizer | None = None,
) -> SaliencyMaps:
    """The five MinPlus maps of ``crop`` against the fixed embedding of the other face.

    ``own_embedding`` (embed(crop), if the caller has it) saves one evaluation. ``rough`` (a
    bf16 copy of the recognizer) scores the first passes when ``params.first_pass`` asks for it;
    without one they run in f32 (slower, and closer to ``paper``). Progress is
    reported after every pass as (stage, passes done, 2 * tmax).
    """
    original = check_crop(crop, params)
    scorer = Scorer(recognizer, other_embedding)
    first = Scorer(rough, other_embedding) if rough is not None and params.first_pass != "f32" else None
    canvas = noise_canvas(params.size, seed)
    if own_embedding is None:
        full, canvas_score = (float(v) for v in scorer(np.stack([original, canvas])))
    else:
        full = float(
            scores_of(np.asarray(own_embedding, np.float32).reshape(1, -1), scorer.other)[0]
        )
        canvas_score = float(scorer(canvas[None])[0])
    if not np.isfinite(full):
        raise SaliencyError(detail="the face's own embedding is not finite")

    blobs = blob_stack(params)
    flat = blobs.reshape(len(blobs), -1)
    points, tmax = len(blobs), min(params.tmax, len(blobs))

    def touching(weight: NDArray[np.float32], idx: NDArray[np.intp]) -> NDArray[np.bool_]:
        """Candidates whose blob overlaps a pixel of positive ``weight`` (G >= 0 everywhere)."""
        return np.asarray(flat[idx] @ weight.ravel() > 0)

    total, done = 2 * tmax, 0

    def tick() -> None:
        nonlocal done
        done += 1
        progress(stage, done, total)

    progress(stage, 0, total)
    removal = greedy_search(
        original,
        full,
        lambda img, idx: img[None] * (1.0 - blobs[idx])[..., None],
        scorer,
        lower=True,
        keep_going=lambda s: s > params.th,
        points=points,
        tmax=tmax,
        on_pass=tick,
        # removing a blob changes the image only where it is not already black
        touches=lambda img, idx: touching(np.abs(img).sum(axis=2), idx),
        lazy=params.lazy,
        rough=first,
    )
    if done < tmax:
        done = tmax
        progress(stage, done, total)
    # canvas' = 255 - (255 - canvas) * factor, factor = (255 - original * G) / 255 per blob
    factor = ((255.0 - original[None] * blobs[..., None]) / 255.0).astype(np.float32, copy=False)

    def painted(img: FloatArray, idx: NDArray[np.intp]) -> FloatArray:
        return (255.0 - (255.0 - img)[None] * factor[idx]).astype(np.float32, copy=False)

    def aggregate(start: FloatArray, start_score: float, on_pass: Any) -> Search:
        return greedy_search(
            start,
            start_score,
            painted,
            scorer,
            lower=False,
            keep_going=lambda s: full - s > params.th,
            points=points,
            tmax=tmax,
            on_pass=on_pass,
            # painting changes the canvas only where it is not white and the face not black
            touches=lambda img, idx: touching((np.abs(255.0 - img) * np.abs(original)).sum(axis=2), idx),
            lazy=params.lazy,
            rough=first if params.first_pass == "bf16" else None,
        )

    aggregation = aggregate(canvas, canvas_score, tick)
    if done < total:
        progress(stage, total, total)
    grid_values = {
        "S0-": removal.first,
        "S1-": removal.greedy,
        "S0+": aggregation.first,
        "S1+": aggregation.greedy,
    }
    alternate: dict[str, FloatArray] = {}
    if params.stability:
        # the aggregation maps again from another noise canvas: how much they depend on it
        other = noise_canvas(params.size, seed + 1)
        again = aggregate(other, float(scorer(other[None])[0]), lambda: None)
        alternate = assemble({**grid_values, "S0+": again.first, "S1+": again.greedy}, params)
    return SaliencyMaps(
        maps=assemble(grid_values, params),
        evaluations=scorer.evaluations + (first.evaluations if first else 0),
        rough_evaluations=first.evaluations if first else 0,
        score=full,
        grid_values=grid_values,
        steps={"S1-": removal.steps, "S1+": aggregation.steps},
        skipped=removal.skipped + aggregation.skipped,
        alternate=alternate,
    )


def explain_pair(
    recognizer: Recognizer,
    crop_a: NDArray[Any],
    crop_b: NDArray[Any],
    params: SaliencyParams,
    *,
    progress: Progress = no_progress,
    seed: int = 0,
    parallel: int | None = None,
    rough: Recognizer | None = None,
) -> tuple[SaliencyMaps, SaliencyMaps]:
    """Maps for face A (perturbing A against B's embedding) and for B against A's.

    The two faces run at once on two threads when ``parallel`` (default: the recognizer's
    ``concurrency``, 1 if it has none) is 2 or more. Progress runs as one stage "saliency" over
    both faces: passes done by either, in order, from whichever thread finished one.
    """
    pair = np.stack([check_crop(crop_a, params), check_crop(crop_b, params)])
    emb = np.asarray(recognizer.embed(pair), dtype=np.float32)
    passes = 2 * min(params.tmax, params.grid_points)
    per_face = [0, 0]
    lock = threading.Lock()

    def face_progress(i: int) -> Progress:
        def report(stage: str, done: int, total: int) -> None:
            with lock:
                per_face[i] = done
                progress("saliency", sum(per_face), 2 * passes)

        return report

    def one(i: int) -> SaliencyMaps:
        return explain_face(recognizer, pair[i], emb[1 - i], params, progress=face_progress(i),
                            seed=seed, own_embedding=emb[i], rough=rough)

    workers = parallel if parallel is not None else int(getattr(recognizer, "concurrency", 1))
    if workers >= 2:
        with ThreadPoolExecutor(max_workers=2, thread_name_prefix="saliency") as pool:
            maps = list(pool.map(one, (0, 1)))
    else:
        maps = [one(i) for i in (0, 1)]
    # each face is charged one of the two evaluations of the pair's own embeddings
    return replace(maps[0], evaluations=maps[0].evaluations + 1), replace(
        maps[1], evaluations=maps[1].evaluations + 1
    )
