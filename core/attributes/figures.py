"""Figures like the paper's Figure 6: AUC per attribute and method, and ROC curves."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from core.eval.plots import _pyplot


def auc_bars(report: dict[str, Any], path: Path, title: str) -> None:
    """Horizontal bars: one group per scored attribute, one bar per method (mean AUC over
    the folds, whiskers one standard deviation), the chance level dashed."""
    plt = _pyplot()
    keys = report["scored_attributes"]
    methods = list(report["methods"])
    height = 0.8 / max(len(methods), 1)
    fig, ax = plt.subplots(figsize=(8, 0.12 * len(keys) * len(methods) + 1.5))
    y = np.arange(len(keys))
    for i, name in enumerate(methods):
        attrs = report["methods"][name]["attributes"]
        means = [attrs[k]["mean"] for k in keys]
        stds = [attrs[k]["std"] for k in keys]
        mean = report["methods"][name]["mean_auc"]
        ax.barh(y + (i - (len(methods) - 1) / 2) * height, means, height, xerr=stds,
                label=f"{name} (mean {mean:.3f})" if mean is not None else name,
                error_kw={"elinewidth": 0.6, "alpha": 0.6})
    ax.axvline(0.5, color="black", linestyle="--", linewidth=0.8)
    ax.set_yticks(y, [k.replace("_", " ") for k in keys], fontsize=7)
    ax.set_ylim(len(keys) - 0.5, -0.5)
    ax.set_xlim(0.0, 1.0)
    ax.set_xlabel("AUC (mean ± std over identity-disjoint folds)")
    ax.set_title(title)
    ax.legend(loc="lower right", fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def roc_grid(report: dict[str, Any], path: Path, title: str, columns: int = 6) -> None:
    """Small multiples: the pooled out-of-fold ROC curve of every method, per attribute."""
    plt = _pyplot()
    keys = report["scored_attributes"]
    rows = max(1, -(-len(keys) // columns))
    fig, axes = plt.subplots(rows, columns, figsize=(2.2 * columns, 2.2 * rows), squeeze=False)
    for ax, key in zip(axes.flat, keys, strict=False):
        for name, method in report["methods"].items():
            a = method["attributes"][key]
            ax.plot(a["roc"]["fpr"], a["roc"]["tpr"], linewidth=1,
                    label=f"{name.split(' (')[0]} {a['pooled_auc']:.2f}")
        ax.plot([0, 1], [0, 1], "k:", linewidth=0.6)
        ax.set_title(key.replace("_", " "), fontsize=8)
        ax.tick_params(labelsize=6)
        ax.legend(fontsize=4.5, loc="lower right")
    for ax in list(axes.flat)[len(keys):]:
        ax.axis("off")
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
