"""How far two saliency settings agree, face by face (used by bench_saliency.py), and a cache
of one setting's grid values so the slow reference profile is computed once."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from scipy.stats import pearsonr, spearmanr

from core.comparison import METHODS
from core.saliency import SaliencyMaps, SaliencyParams
from core.saliency.maps import assemble

CELLS = 4
Pair = tuple[SaliencyMaps, SaliencyMaps]


def hottest_cell(m: NDArray[np.float32]) -> int:
    n = m.shape[0] // CELLS
    cells = m[: n * CELLS, : n * CELLS].reshape(CELLS, n, CELLS, n).mean(axis=(1, 3))
    return int(np.argmax(cells))


def map_agreement(a: NDArray[np.float32], b: NDArray[np.float32]) -> dict[str, float]:
    if np.ptp(a) == 0 or np.ptp(b) == 0:
        return {"pearson": float("nan"), "spearman": float("nan"),
                "cell": float(np.ptp(a) == np.ptp(b)), "argmax_px": float("nan")}
    pa = np.unravel_index(int(np.argmax(a)), a.shape)
    pb = np.unravel_index(int(np.argmax(b)), b.shape)
    return {"pearson": float(pearsonr(a.ravel(), b.ravel())[0]),
            "spearman": float(spearmanr(a.ravel(), b.ravel())[0]),
            "cell": float(hottest_cell(a) == hottest_cell(b)),
            "argmax_px": float(np.hypot(pa[0] - pb[0], pa[1] - pb[1]))}


def table_agreement(a: SaliencyMaps, b: SaliencyMaps) -> dict[str, float]:
    from core.regions import canonical_region_masks
    from core.table import face_table, ranked

    masks = canonical_region_masks()
    ta, tb = face_table(a.maps, masks), face_table(b.maps, masks)
    same = [ta[r][m] == tb[r][m] for r in ta for m in METHODS]
    return {"table_cells": float(np.mean(same)), "top_region": float(ranked(ta)[0] == ranked(tb)[0])}


def print_agreement(results: dict[str, list[Pair]], reference: str) -> None:
    if reference not in results or len(results) < 2:
        return
    faces_n = 2 * len(results[reference])
    print(f"\nagreement with {reference} over {faces_n} faces (mean; table: core/table.py)")
    print(f"{'profile':<40}{'method':>7}{'pearson':>9}{'spearman':>9}{'cell':>6}{'argmax px':>10}")
    for name, runs in results.items():
        if name == reference:
            continue
        faces = [(m, r) for ms, rs in zip(runs, results[reference], strict=True)
                 for m, r in zip(ms, rs, strict=True)]
        for method in METHODS:
            rows = [map_agreement(m.maps[method], r.maps[method]) for m, r in faces]
            mean = {k: float(np.nanmean([row[k] for row in rows])) for k in rows[0]}
            print(f"{name:<40}{method:>7}{mean['pearson']:9.3f}{mean['spearman']:9.3f}"
                  f"{mean['cell']:6.2f}{mean['argmax_px']:10.1f}")
        tables = [table_agreement(m, r) for m, r in faces]
        cells = np.mean([t["table_cells"] for t in tables])
        top = np.mean([t["top_region"] for t in tables])
        print(f"{name:<40} table cells equal: {cells:.3f}; same most important region: {top:.2f} "
              f"({int(round(top * len(faces)))} of {len(faces)} faces)")


class CacheFile:
    """Grid values of one setting per (pair, face), in an npz file keyed by setting and seed."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @staticmethod
    def _key(params: SaliencyParams, pair: str, face: int, seed: int) -> str:
        fields = params.to_dict()
        fields.pop("profile")
        return json.dumps([fields, pair, face, seed], sort_keys=True)

    def _load(self) -> dict[str, NDArray[np.float64]]:
        if not self.path.is_file():
            return {}
        with np.load(self.path) as data:
            return {k: data[k] for k in data.files}

    def get(self, params: SaliencyParams, pairs: list[str], seed: int) -> list[Pair] | None:
        stored = self._load()
        index = json.loads(str(stored["index"])) if "index" in stored else {}
        out = []
        for pair in pairs:
            faces = []
            for face in (0, 1):
                number = index.get(self._key(params, pair, face, seed))
                if number is None:
                    return None
                grid = {m: stored[f"{number}_{m}"] for m in ("S0-", "S1-", "S0+", "S1+")}
                faces.append(SaliencyMaps(maps=assemble(grid, params), evaluations=int(stored[f"{number}_evals"]),
                                          score=float(stored[f"{number}_score"]), grid_values=grid))
            out.append((faces[0], faces[1]))
        return out

    def put(self, params: SaliencyParams, pairs: list[str], seed: int, results: list[Pair]) -> None:
        stored = self._load()
        index = json.loads(str(stored.pop("index"))) if "index" in stored else {}
        for pair, maps in zip(pairs, results, strict=True):
            for face, m in enumerate(maps):
                number = index.setdefault(self._key(params, pair, face, seed), len(index))
                for method, values in m.grid_values.items():
                    stored[f"{number}_{method}"] = values
                stored[f"{number}_evals"] = np.array(m.evaluations)
                stored[f"{number}_score"] = np.array(m.score)
        np.savez(self.path, index=np.array(json.dumps(index)), **stored)
