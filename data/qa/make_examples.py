"""Write the two example comparisons the question set runs on: data/qa/genuine.json and
data/qa/impostor.json.

Real comparisons come from ``facexplain explain A.jpg B.jpg --out DIR`` (DIR/comparison.json);
these two stand in for them with realistic values: MobileFaceNet-like scores and threshold,
PIC-scores, SCRFD detections on 250x250 LFW photos, MinPlus parameters of the interactive
profile, and region tables whose levels follow a plausible importance profile (eyes and nose
first for the genuine pair) with seeded noise. Mean and Ratio of 1s are computed from the
levels exactly as core/table.py does. Run: ``python data/qa/make_examples.py``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from core.comparison import METHODS, REGIONS, Comparison, FaceReport, ModelInfo
from core.pic import confidence_sentence, decision_confidence

HERE = Path(__file__).resolve().parent
DATASET = "LFW View 1 (pairsDevTrain + pairsDevTest)"
THRESHOLD = 0.3121

# Base importance per region (1 = most important) for each example pair.
PROFILES = {
    "genuine": dict(zip(REGIONS, (3.2, 3.6, 1.4, 1.8, 1.2, 3.9, 4.1, 4.6, 2.6), strict=True)),
    "impostor": dict(zip(REGIONS, (2.2, 2.9, 1.9, 1.5, 2.4, 4.2, 3.8, 1.3, 3.4), strict=True)),
}


def table(base: dict[str, float], rng: np.random.Generator) -> dict[str, dict[str, float]]:
    rows: dict[str, dict[str, float]] = {}
    for region in REGIONS:
        levels = np.clip(np.rint(base[region] + rng.normal(0, 0.7, len(METHODS))), 1, 5)
        row = {m: float(v) for m, v in zip(METHODS, levels, strict=True)}
        row["Mean"] = float(np.mean(levels))
        row["Ratio of 1s"] = float(np.mean(levels == 1))
        rows[region] = row
    return rows


def face(box: list[float], score: float, found: int = 1) -> FaceReport:
    x1, y1, x2, y2 = box
    w, h = x2 - x1, y2 - y1
    marks = [[x1 + w * fx, y1 + h * fy] for fx, fy in
             ((0.32, 0.42), (0.68, 0.42), (0.5, 0.6), (0.36, 0.78), (0.64, 0.78))]
    return FaceReport(found, box, score, [[round(v, 1) for v in p] for p in marks], [250, 250])


def example(kind: str, seed: int) -> Comparison:
    rng = np.random.default_rng(seed)
    score, pic = (0.4415, 0.8613) if kind == "genuine" else (0.1172, 0.0291)
    same = score >= THRESHOLD
    base = PROFILES[kind]
    tables = {
        "A": table({r: v + 0.3 for r, v in base.items()}, rng),
        "B": table(base, rng),
        "pair": table(base, rng),
    }
    return Comparison(
        score=score, threshold=THRESHOLD, same_person=same, pic=pic,
        confidence=round(decision_confidence(pic, same), 6),
        confidence_sentence=confidence_sentence(score, THRESHOLD, pic, same, DATASET),
        faces={"A": face([71.2, 62.8, 178.5, 196.1], 0.8921),
               "B": face([68.9, 58.4, 181.0, 199.7], 0.9034, found=2 if kind == "impostor" else 1)},
        models=ModelInfo("mobilefacenet_128d", "7f3c1a9be2d04c5e8a61b7d0f4e92c31a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0",
                         "det_500m", DATASET, "2025-01-15", "EER point"),
        timings_ms={"detect_a": 11.8, "embed_a": 12.9, "detect_b": 12.2, "embed_b": 13.1,
                    "score": 0.4, "saliency": 9120.0},
        saliency={"nh": 71, "d": 14, "tmax": 5, "th": 0.01, "size": 112, "profile": "interactive",
                  "evaluations": {"A": 286, "B": 281}},
        tables=tables,
        artefacts={"collage": "collage.png", "table": "table.png", "table_csv": "table.csv",
                   "regions": "regions.png"},
    )


def main() -> None:
    for kind, seed in (("genuine", 7), ("impostor", 11)):
        example(kind, seed).save(HERE / f"{kind}.json")
        print(f"wrote {HERE / f'{kind}.json'}")


if __name__ == "__main__":
    main()
