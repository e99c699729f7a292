"""Reference classifiers on frozen templates, as in the paper.

* ``MultiLabelHead``: one output per attribute. Two kinds (``HeadConfig.kind``):

  - "spread" (the default): kernel label spreading. Face-recognition templates carry
    attributes such as sex only locally (a linear or ReLU head fitted on a few dozen people
    learns their identities, not the attribute), so an attribute's score is the
    kernel-weighted share of positive labels among nearby templates, weights
    exp((cos - 1) / tau). Unlabelled faces of other people (LFW View 1, when given) first
    get soft labels the same way from the labelled ones (``teacher_tau``), then serve as
    extra anchors: they fill in the face space between the few labelled people. Unknown
    labels are left out of every share. ``tau`` and ``teacher_tau`` were chosen on an
    identity-disjoint validation split of the training people only. Male AUC on the LFW
    subset (MobileFaceNet, 5 identity-disjoint folds): ReLU head 0.78, linear 0.76,
    spreading over the labelled faces alone 0.85, with the unlabelled ones 0.90.
  - "mlp": sigmoid outputs, binary cross-entropy (unknown labels masked out); linear, or
    with one hidden ReLU layer; trained with torch (AdamW), as in the paper. torch stays here
    because this is the paper's multi-label network with a masked loss over all attributes
    at once and dropout, which scikit-learn's MLPClassifier cannot express (no per-label
    mask for unknown labels).
* ``BinaryHeads``: one scikit-learn logistic regression per attribute, each trained on its
  own set in which the minority class is oversampled (drawn with replacement) up to the
  majority's size.

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
    kind: str = "spread"  # "spread" (kernel label spreading) or "mlp"
    tau: float = 0.05  # spread: kernel width on cosine similarity, for scoring
    teacher_tau: float = 0.02  # spread: kernel width for the soft labels of unlabelled faces
    hidden: int = 256  # mlp: 0 is a linear head
    epochs: int = 40
    batch_size: int = 256
    lr: float = 1e-3
    weight_decay: float = 1e-3
    dropout: float = 0.2
    seed: int = 0


@dataclass(frozen=True)
class MultiLabelHead:
    params: dict[str, Floats]  # mlp: "w", "b" (+ "w1", "b1"); spread: "anchors", "positive", "known", "tau"

    def scores(self, templates: Floats) -> Floats:
        x = l2_normalise(templates)
        if "anchors" in self.params:
            p = self.params
            return kernel_share(x, p["anchors"], p["positive"], p["known"], float(p["tau"][0]))
        if "w1" in self.params:
            x = np.maximum(x @ self.params["w1"] + self.params["b1"], 0.0)
        return _sigmoid(x @ self.params["w"] + self.params["b"])


def kernel_share(
    queries: Floats, anchors: Floats, positive: Floats, known: Floats, tau: float,
    chunk: int = 512,
) -> Floats:
    """Per query and attribute: sum_i k_i positive_i / sum_i k_i known_i with
    k_i = exp((cos(query, anchor_i) - 1) / tau); 0.5 where no anchor knows the attribute.
    ``positive`` and ``known`` are anchors x attributes (positive <= known, soft allowed)."""
    out = np.empty((len(queries), positive.shape[1]), dtype=np.float32)
    for start in range(0, len(queries), chunk):
        q = queries[start:start + chunk].astype(np.float64)
        k = np.exp((q @ anchors.T.astype(np.float64) - 1.0) / tau)
        num, den = k @ positive.astype(np.float64), k @ known.astype(np.float64)
        out[start:start + chunk] = np.where(den > 1e-300, num / np.maximum(den, 1e-300), 0.5)
    return out


def train_spread(
    templates: Floats, labels: NDArray[np.int8], config: HeadConfig = HeadConfig(),
    unlabelled: Floats | None = None,
) -> MultiLabelHead:
    """Kernel label spreading: the labelled templates are anchors with their labels; each
    unlabelled template becomes an anchor with soft labels (``kernel_share`` of the labelled
    ones at ``teacher_tau``), known for every attribute some labelled anchor knows."""
    anchors = l2_normalise(templates).astype(np.float32)
    known = (labels != 0).astype(np.float32)
    positive = (labels > 0).astype(np.float32)
    if unlabelled is not None and len(unlabelled):
        extra = l2_normalise(unlabelled).astype(np.float32)
        soft = kernel_share(extra, anchors, positive, known, config.teacher_tau)
        seen = np.broadcast_to(known.any(axis=0), soft.shape).astype(np.float32)
        anchors = np.concatenate([anchors, extra])
        positive = np.concatenate([positive, soft * seen])
        known = np.concatenate([known, seen])
    return MultiLabelHead({"anchors": anchors, "positive": positive, "known": known,
                           "tau": np.array([config.tau], dtype=np.float32)})


def train_multilabel(
    templates: Floats, labels: NDArray[np.int8], config: HeadConfig = HeadConfig(),
    progress: Progress = no_progress, unlabelled: Floats | None = None,
) -> MultiLabelHead:
    """The multi-label head of ``config.kind``; ``unlabelled`` templates are used by
    "spread" only (the MLP ignores them)."""
    if config.kind == "spread":
        head = train_spread(templates, labels, config, unlabelled)
        progress("multi-label head", 1, 1)
        return head
    if config.kind != "mlp":
        raise ValueError(f"unknown multi-label head kind {config.kind!r} (spread or mlp)")
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
    max_iter: int = 1000, progress: Progress = no_progress,
) -> BinaryHeads:
    """One scikit-learn ``LogisticRegression(C=c)`` (L2, lbfgs) per attribute, trained on its
    oversampled set (the oversampling counts as sample weights). An attribute with a single
    known class gets a constant score, one with no known label 0.5."""
    from sklearn.linear_model import LogisticRegression

    x = l2_normalise(templates).astype(np.float64)
    weight = oversampled_counts(labels, seed).astype(np.float64)
    k = labels.shape[1]
    coef = np.zeros((k, x.shape[1]), dtype=np.float32)
    intercept = np.zeros(k, dtype=np.float32)
    for j in range(k):
        rows = np.flatnonzero(weight[:, j] > 0)
        y = labels[rows, j] > 0
        if not len(rows):  # no known label: score 0.5
            pass
        elif y.all() or not y.any():  # one class only: a constant score for it
            intercept[j] = 10.0 if y.any() else -10.0
        else:
            model = LogisticRegression(C=c, tol=1e-8, max_iter=max_iter)
            model.fit(x[rows], y, sample_weight=weight[rows, j])
            coef[j], intercept[j] = model.coef_[0], model.intercept_[0]
        progress("binary heads", j + 1, k)
    return BinaryHeads(coef, intercept)
