"""Reference classifiers on frozen templates, as in the paper.

* ``MultiLabelHead``: one output per attribute, sigmoid, binary cross-entropy (unknown
  labels masked out); linear, or with one hidden ReLU layer. Trained with torch (AdamW).
* ``BinaryHeads``: one logistic regression per attribute, each trained on its own set in
  which the minority class is oversampled (drawn with replacement) up to the majority's
  size, with scikit-learn's regularised objective (solved with torch's L-BFGS).

Both keep only numpy arrays, so scoring a template needs neither torch nor scikit-learn.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from core.progress import Progress, no_progress
from core.recognizer import l2_normalise

Floats = NDArray[np.float32]


def _sigmoid(x: NDArray[np.floating]) -> Floats:
    return np.asarray(1.0 / (1.0 + np.exp(-np.clip(x, -60, 60))), dtype=np.float32)


@dataclass(frozen=True)
class HeadConfig:
    hidden: int = 256  # 0: linear head
    epochs: int = 40
    batch_size: int = 256
    lr: float = 1e-3
    weight_decay: float = 1e-3
    dropout: float = 0.2
    seed: int = 0


@dataclass(frozen=True)
class MultiLabelHead:
    params: dict[str, Floats]  # "w", "b" or "w1", "b1", "w", "b"

    def scores(self, templates: Floats) -> Floats:
        x = l2_normalise(templates)
        if "w1" in self.params:
            x = np.maximum(x @ self.params["w1"] + self.params["b1"], 0.0)
        return _sigmoid(x @ self.params["w"] + self.params["b"])


def train_multilabel(
    templates: Floats, labels: NDArray[np.int8], config: HeadConfig = HeadConfig(),
    progress: Progress = no_progress,
) -> MultiLabelHead:
    import torch

    torch.manual_seed(config.seed)
    rng = np.random.default_rng(config.seed)
    x = torch.from_numpy(l2_normalise(templates))
    y = torch.from_numpy((labels > 0).astype(np.float32))
    known = torch.from_numpy((labels != 0).astype(np.float32))
    d, k = x.shape[1], labels.shape[1]
    layers: list[torch.nn.Module] = []
    if config.hidden:
        layers += [torch.nn.Linear(d, config.hidden), torch.nn.ReLU(), torch.nn.Dropout(config.dropout)]
    layers.append(torch.nn.Linear(config.hidden or d, k))
    net = torch.nn.Sequential(*layers)
    opt = torch.optim.AdamW(net.parameters(), lr=config.lr, weight_decay=config.weight_decay)
    for epoch in range(config.epochs):
        net.train()
        for batch in np.array_split(rng.permutation(len(x)), max(1, len(x) // config.batch_size)):
            logits = net(x[batch])
            loss = torch.nn.functional.binary_cross_entropy_with_logits(
                logits, y[batch], weight=known[batch], reduction="sum") / known[batch].sum().clamp(min=1)
            opt.zero_grad()
            loss.backward()  # type: ignore[no-untyped-call]
            opt.step()
        progress("multi-label head", epoch + 1, config.epochs)
    linear = [m for m in net if isinstance(m, torch.nn.Linear)]
    params = {"w": _np(linear[-1].weight).T.copy(), "b": _np(linear[-1].bias)}
    if config.hidden:
        params |= {"w1": _np(linear[0].weight).T.copy(), "b1": _np(linear[0].bias)}
    return MultiLabelHead(params)


def _np(t: object) -> Floats:
    import torch

    assert isinstance(t, torch.Tensor)
    return np.asarray(t.detach().cpu().numpy(), dtype=np.float32)


@dataclass(frozen=True)
class BinaryHeads:
    coef: Floats  # len(KEYS) x D (zeros where an attribute had a single class in training)
    intercept: Floats  # len(KEYS)

    def scores(self, templates: Floats) -> Floats:
        return _sigmoid(l2_normalise(templates) @ self.coef.T + self.intercept)


def oversample_minority(y: NDArray[np.bool_], rng: np.random.Generator) -> NDArray[np.intp]:
    """Indices of all samples plus minority samples drawn with replacement to balance."""
    pos, neg = np.flatnonzero(y), np.flatnonzero(~y)
    small, big = (pos, neg) if len(pos) < len(neg) else (neg, pos)
    if len(small) == 0:
        return np.arange(len(y))
    extra = rng.choice(small, size=len(big) - len(small), replace=True)
    return np.concatenate([np.arange(len(y)), extra])


def oversampled_counts(labels: NDArray[np.int8], seed: int = 0) -> NDArray[np.float32]:
    """N x K: how often each sample appears in attribute k's oversampled training set (0 for
    unknown labels). Training on these counts as weights is training on the oversampled set."""
    rng = np.random.default_rng(seed)
    counts = np.zeros(labels.shape, dtype=np.float32)
    for j in range(labels.shape[1]):
        known = np.flatnonzero(labels[:, j] != 0)
        idx = oversample_minority(labels[known, j] > 0, rng)
        np.add.at(counts[:, j], known[idx], 1.0)
    return counts


def train_binary(
    templates: Floats, labels: NDArray[np.int8], *, c: float = 1.0, seed: int = 0,
    max_iter: int = 200, progress: Progress = no_progress,
) -> BinaryHeads:
    """One L2-regularised logistic regression per attribute on its oversampled set, with the
    objective of scikit-learn's LogisticRegression(C=c): 0.5 |w|^2 + C * sum of log-losses.
    The K independent problems are solved together (their objectives add up) with L-BFGS."""
    import torch

    x = torch.from_numpy(l2_normalise(templates)).double()
    y = torch.from_numpy((labels > 0).astype(np.float64))
    weight = torch.from_numpy(oversampled_counts(labels, seed).astype(np.float64))
    k = labels.shape[1]
    w = torch.zeros(x.shape[1], k, dtype=torch.float64, requires_grad=True)
    b = torch.zeros(k, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.LBFGS([w, b], lr=1.0, max_iter=max_iter, tolerance_grad=1e-6,
                            line_search_fn="strong_wolfe")

    def closure() -> torch.Tensor:
        opt.zero_grad()
        logloss = torch.nn.functional.binary_cross_entropy_with_logits(
            x @ w + b, y, weight=weight, reduction="sum")
        loss = 0.5 * (w * w).sum() + c * logloss
        loss.backward()  # type: ignore[no-untyped-call]
        return loss

    opt.step(closure)  # type: ignore[no-untyped-call]
    progress("binary heads", k, k)
    coef = w.detach().numpy().T.astype(np.float32)
    intercept = b.detach().numpy().astype(np.float32)
    single = [(labels[:, j] != 0).any() and len(np.unique(labels[labels[:, j] != 0, j])) == 1
              for j in range(k)]
    for j in np.flatnonzero(single):  # one class only: a constant score for it
        coef[j] = 0.0
        intercept[j] = 10.0 if (labels[:, j] > 0).any() else -10.0
    return BinaryHeads(coef, intercept)
