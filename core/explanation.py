"""A verified pair to its explanation: MinPlus maps, region tables and the pictures.

The maps explain the recognizer itself (``saliency_recognizer``, without mirror averaging, so each
evaluation costs one network call): score(X) = <embed(X), embed(other face)>.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from core.comparison import Comparison
from core.pic import percent
from core.progress import Progress, no_progress
from core.recognizer import Recognizer
from core.regions import CanonicalRegions, RegionSource, canonical_region_masks
from core.render import (
    render_collage,
    render_regions,
    render_table_png,
    table_csv,
    table_json,
    table_text,
)
from core.saliency import SaliencyMaps, SaliencyParams, explain_pair, saliency_record
from core.table import comparison_tables
from core.verify import Verified

TABLE_TITLES = {"A": "Photo 1", "B": "Photo 2", "pair": "Both photos (pair summary)"}


@dataclass(frozen=True)
class ExplainedPair:
    comparison: Comparison  # with ``saliency`` and ``tables`` filled in
    verified: Verified
    maps: tuple[SaliencyMaps, SaliencyMaps]
    collage_png: bytes

    @property
    def table_text(self) -> str:
        assert self.comparison.tables is not None
        return table_text(self.comparison.tables["pair"])


def collage_title(comparison: Comparison) -> str:
    verdict = "Same person" if comparison.same_person else "Different people"
    return (f"{verdict} — similarity {comparison.score:.3f} (threshold {comparison.threshold:.3f}), "
            f"{percent(comparison.confidence)} confident")


def explain(
    verified: Verified,
    saliency_recognizer: Recognizer,
    params: SaliencyParams,
    *,
    regions: RegionSource | None = None,
    progress: Progress = no_progress,
    seed: int = 0,
    rough: Recognizer | None = None,
) -> ExplainedPair:
    """``rough``: the recognizer's bf16 copy for profiles with a bf16 first pass (else f32)."""
    crop_a, crop_b = verified.face_a.crop, verified.face_b.crop
    maps = explain_pair(saliency_recognizer, crop_a, crop_b, params, progress=progress, seed=seed,
                        rough=rough)
    source = regions or CanonicalRegions()
    masks_a, masks_b = source.masks(crop_a), source.masks(crop_b)
    tables = comparison_tables(
        maps[0].maps, maps[1].maps, canonical_region_masks(crop_a.shape[0]),
        masks_a=masks_a, masks_b=masks_b,
    )  # fmt: skip
    record: dict[str, Any] = saliency_record(params, maps, (masks_a, masks_b), seed)
    if params.first_pass != "f32":
        record["first_pass_recognizer"] = rough.name if rough is not None else saliency_recognizer.name
    record.update({"recognizer": saliency_recognizer.name, "seed": seed,
                   "regions": getattr(source, "name", type(source).__name__)})
    comparison = replace(verified.comparison, saliency=record, tables=tables)
    collage = render_collage(crop_a, crop_b, maps[0].maps, maps[1].maps, title=collage_title(comparison))
    return ExplainedPair(comparison, verified, maps, collage)


def write_artefacts(explanation: ExplainedPair, out: Path, regions: RegionSource | None = None) -> Comparison:
    """Write every artefact into ``out`` and return the comparison with their file names."""
    out.mkdir(parents=True, exist_ok=True)
    comparison = explanation.comparison
    assert comparison.tables is not None
    files: dict[str, str] = {"collage": "collage.png"}
    (out / "collage.png").write_bytes(explanation.collage_png)
    for key, table in comparison.tables.items():
        (out / f"table_{key}.png").write_bytes(render_table_png(table, title=TABLE_TITLES[key]))
        (out / f"table_{key}.csv").write_text(table_csv(table), encoding="utf-8")
        (out / f"table_{key}.json").write_text(table_json(table), encoding="utf-8")
        (out / f"table_{key}.txt").write_text(table_text(table) + "\n", encoding="utf-8")
        files[f"table_{key}"] = f"table_{key}.png"
    source = regions or CanonicalRegions()
    for key, face in (("A", explanation.verified.face_a), ("B", explanation.verified.face_b)):
        (out / f"regions_{key}.png").write_bytes(render_regions(face.crop, source.masks(face.crop)))
        files[f"regions_{key}"] = f"regions_{key}.png"
    files["comparison"] = "comparison.json"
    comparison = replace(comparison, artefacts=files)
    comparison.save(out / "comparison.json")
    return comparison
