"""Evaluation figures: DET curve and PIC reliability diagram (matplotlib, Agg backend)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from core.eval.metrics import Reliability, Roc


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def det_curve(curves: dict[str, Roc], path: Path, title: str) -> None:
    """FNMR against FMR on normal-deviate (probit) axes, the usual DET presentation."""
    from scipy.stats import norm

    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(5.5, 5))
    ticks = [0.0001, 0.001, 0.01, 0.05, 0.2, 0.5]
    lo = 1e-4
    for label, r in curves.items():
        fmr = np.clip(r.fmr, lo, 0.999)
        fnmr = np.clip(r.fnmr, lo, 0.999)
        ax.plot(norm.ppf(fmr), norm.ppf(fnmr), label=label)
    ax.set_xticks(norm.ppf(ticks), [f"{t:.2%}" for t in ticks])
    ax.set_yticks(norm.ppf(ticks), [f"{t:.2%}" for t in ticks])
    ax.set_xlim(norm.ppf(lo), norm.ppf(0.5))
    ax.set_ylim(norm.ppf(lo), norm.ppf(0.5))
    ax.set_xlabel("False match rate (FMR)")
    ax.set_ylabel("False non-match rate (FNMR)")
    ax.set_title(title)
    ax.grid(True, alpha=0.3)
    ax.legend(loc="upper right")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def reliability_diagram(rel: Reliability, path: Path, title: str) -> None:
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(5.5, 5))
    edges = np.asarray(rel.bin_edges)
    centres = (edges[1:] + edges[:-1]) / 2.0
    observed = [o if o is not None else np.nan for o in rel.observed]
    ax.bar(centres, observed, width=edges[1] - edges[0], edgecolor="black", alpha=0.7,
           label="observed share of genuine pairs")
    ax.plot([0, 1], [0, 1], "k--", label="perfect calibration")
    for c, n, o in zip(centres, rel.counts, observed, strict=True):
        if n:
            ax.text(c, (o if np.isfinite(o) else 0) + 0.02, str(n), ha="center", fontsize=7)
    ax.set_xlabel("PIC-score (predicted probability of the same person)")
    ax.set_ylabel("Observed frequency")
    ax.set_title(f"{title}\nECE = {rel.ece:.4f} (numbers: pairs per bin)")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.08)
    ax.legend(loc="upper left")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
