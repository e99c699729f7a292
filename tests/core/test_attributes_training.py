"""The symmetric loss, unique-caption batches, and training every method on small synthetic
templates whose attributes are known by construction (a fixed direction per attribute)."""

from __future__ import annotations

import math
import zlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from core.attributes.evaluation import (
    CHANCE,
    ORACLE,
    EvalConfig,
    attribute_auc,
    auc_table,
    evaluate_scores,
)
from core.attributes.heads import (
    HeadConfig,
    kernel_share,
    oversampled_counts,
    train_binary,
    train_multilabel,
    train_spread,
)
from core.attributes.losses import symmetric_clip_loss, unique_caption_batches
from core.attributes.model import AttributeModel
from core.attributes.template_clip import TemplateClipConfig, train_template_clip
from core.attributes.training import TrainConfig, fit_methods
from core.attributes.vocabulary import KEYS

torch = pytest.importorskip("torch")
SIGNAL = [KEYS.index(k) for k in ("Male", "Eyeglasses", "Smiling", "Gray_Hair", "Wearing_Hat")]


def synthetic(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Templates = identity noise + a fixed direction for each of five attributes present."""
    rng = np.random.default_rng(seed)
    directions = np.random.default_rng(99).normal(size=(len(KEYS), 32))
    labels = np.where(rng.random((n, len(KEYS))) < 0.4, 1, -1).astype(np.int8)
    x = rng.normal(size=(n, 32)) * 0.6
    for j in SIGNAL:
        x += np.outer(labels[:, j] > 0, directions[j])
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32), labels


def hashed_sentences(texts: Sequence[str]) -> np.ndarray:
    """A deterministic stand-in for a frozen sentence encoder: a fixed random unit vector per
    sentence (no shared meaning between sentences, so all alignment must be learned)."""
    vectors = [np.random.default_rng(zlib.crc32(t.encode())).normal(size=256) for t in texts]
    return np.asarray([v / np.linalg.norm(v) for v in vectors], dtype=np.float32)


def test_symmetric_loss_on_a_hand_computed_example() -> None:
    image = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
    text = torch.tensor([[2.0, 0.0], [1.0, 1.0]])  # normalised: [1, 0] and [0.7071, 0.7071]
    c = 1 / math.sqrt(2)
    # cosines: row 0 = [1, c], row 1 = [0, c]; at scale 1 the logits are the cosines
    rows = math.log(1 + math.exp(c - 1)) + math.log(1 + math.exp(0 - c))
    cols = math.log(1 + math.exp(0 - 1)) + math.log(2)  # column 1 is a tie: -log(1/2)
    expected = (rows / 2 + cols / 2) / 2
    assert expected == pytest.approx(0.491157, abs=1e-6)
    loss = symmetric_clip_loss(image, text, torch.tensor(0.0))
    assert float(loss) == pytest.approx(expected, abs=1e-6)
    # a learnable temperature: scale e^log_scale multiplies every logit
    rows2 = math.log(1 + math.exp(2 * (c - 1))) + math.log(1 + math.exp(-2 * c))
    cols2 = math.log(1 + math.exp(-2)) + math.log(2)
    loss2 = symmetric_clip_loss(image, text, torch.tensor(math.log(2.0)))
    assert float(loss2) == pytest.approx((rows2 + cols2) / 4, abs=1e-6)


def test_batches_never_repeat_a_caption() -> None:
    rng = np.random.default_rng(0)
    ids = rng.integers(0, 12, size=200)  # many repeats of few captions
    batches = unique_caption_batches(ids, 8, rng)
    for b in batches:
        assert len(set(ids[b].tolist())) == len(b) and 1 < len(b) <= 8
    used = np.concatenate(batches)
    assert len(set(used.tolist())) == len(used) and len(used) >= 190


def test_template_clip_training_lowers_the_loss_and_learns_the_attributes() -> None:
    x, y = synthetic(400, seed=1)
    config = TemplateClipConfig(epochs=25, batch_size=64, lr=5e-3, seed=0)
    clip = train_template_clip(x, y, hashed_sentences, config, encoder_name="hashed")
    assert len(clip.losses) == 25
    assert clip.losses[-1] < 0.8 * clip.losses[0]
    test_x, test_y = synthetic(300, seed=2)
    scores = clip.scores(test_x)
    assert scores.shape == (300, len(KEYS))
    aucs = [attribute_auc(scores[:, j], test_y[:, j]) for j in SIGNAL]
    assert min(a or 0 for a in aucs) > 0.65, aucs
    noise = [attribute_auc(scores[:, j], test_y[:, j]) for j in range(len(KEYS)) if j not in SIGNAL]
    assert np.mean([a or 0.5 for a in noise]) < 0.62


def test_oversampling_balances_each_attribute_and_skips_unknown_labels() -> None:
    labels = np.array([[1, 1], [-1, 0], [-1, -1], [-1, -1], [-1, 1]], dtype=np.int8)
    counts = oversampled_counts(labels, seed=0)
    assert counts[:, 0].sum() == 8 and counts[labels[:, 0] > 0, 0].sum() == 4  # 1 positive -> 4
    assert counts[1, 1] == 0 and counts[:, 1].sum() == 4  # 2 vs 2 known: nothing added


def test_binary_heads_are_scikit_learns_logistic_regression() -> None:
    sklearn = pytest.importorskip("sklearn.linear_model")
    x, y = synthetic(200, seed=3)
    y[:100, 0], y[100:, 0] = 1, -1  # balanced: oversampling adds nothing
    heads = train_binary(x, y, c=1.0)
    ref = sklearn.LogisticRegression(C=1.0, tol=1e-8, max_iter=5000).fit(x, y[:, 0] > 0)
    assert np.allclose(heads.coef[0], ref.coef_[0], atol=2e-3)
    assert heads.intercept[0] == pytest.approx(ref.intercept_[0], abs=2e-3)


@pytest.mark.parametrize("kind", ["spread", "mlp"])
def test_heads_separate_the_attributes_the_templates_carry(kind: str) -> None:
    x, y = synthetic(400, seed=4)
    test_x, test_y = synthetic(300, seed=5)
    multi = train_multilabel(x, y, HeadConfig(kind=kind, epochs=40, hidden=32, lr=3e-3))
    assert ("anchors" in multi.params) == (kind == "spread")
    binary = train_binary(x, y)
    for head in (multi, binary):
        s = head.scores(test_x)
        assert min(attribute_auc(s[:, j], test_y[:, j]) or 0 for j in SIGNAL) > 0.9


def test_kernel_share_weighs_labels_by_similarity_and_skips_unknown_ones() -> None:
    anchors = np.array([[1.0, 0.0], [0.0, 1.0], [0.6, 0.8]], dtype=np.float32)
    positive = np.array([[1, 0, 0], [0, 0, 0], [0.5, 0, 0]], dtype=np.float32)
    known = np.array([[1, 1, 0], [1, 0, 0], [1, 1, 0]], dtype=np.float32)
    query = np.array([[1.0, 0.0]], dtype=np.float32)
    s = kernel_share(query, anchors, positive, known, tau=0.5)
    k = np.exp((np.array([1.0, 0.0, 0.6]) - 1.0) / 0.5)
    assert s[0, 0] == pytest.approx((k[0] + 0.5 * k[2]) / k.sum(), rel=1e-6)
    assert s[0, 1] == pytest.approx(0.0)  # known on anchors 0 and 2, negative on both
    assert s[0, 2] == 0.5  # no anchor knows it


def test_unlabelled_faces_carry_soft_labels_to_where_no_labelled_face_is() -> None:
    """Labelled people at the two ends of an arc; unlabelled faces along it. A query in the
    middle, next to an unlabelled face, takes that face's soft label (set by the labelled
    faces at teacher_tau), and scores come out in the arc's order."""
    def arc(angles: np.ndarray) -> np.ndarray:
        return np.stack([np.cos(angles), np.sin(angles)], axis=1).astype(np.float32)

    labelled = arc(np.array([0.0, 0.05, 1.5, 1.55]))
    labels = np.zeros((4, 2), dtype=np.int8)
    labels[:, 0] = [-1, -1, 1, 1]  # attribute 0 is known; attribute 1 never is
    pool = arc(np.linspace(0.2, 1.35, 24))
    config = HeadConfig(tau=1e-4, teacher_tau=0.05)
    head = train_spread(labelled, labels, config, unlabelled=pool)
    p = head.params
    assert p["anchors"].shape == (28, 2) and p["known"][4:].tolist() == [[1.0, 0.0]] * 24
    soft = kernel_share(pool, labelled, (labels > 0).astype(np.float32),
                        (labels != 0).astype(np.float32), 0.05)[:, 0]
    assert np.allclose(p["positive"][4:, 0], soft) and np.all(np.diff(soft) > 0)
    middle = pool[[10, 11, 12]]
    assert np.allclose(head.scores(middle)[:, 0], soft[[10, 11, 12]], atol=1e-3)
    without = train_spread(labelled, labels, config)
    assert without.params["anchors"].shape == (4, 2)
    queries = arc(np.linspace(0.3, 1.25, 12))
    assert np.all(np.diff(head.scores(queries)[:, 0]) > 0)
    assert np.all(head.scores(queries)[:, 1] == 0.5)


def test_a_trained_model_round_trips_through_its_files(tmp_path: Path) -> None:
    x, y = synthetic(300, seed=6)
    config = TrainConfig(heads=HeadConfig(epochs=5, hidden=16), clip=TemplateClipConfig(epochs=3))
    fitted = fit_methods(x, y, hashed_sentences, config, encoder_name="hashed")
    assert fitted.template_clip is not None
    model = AttributeModel("toy", "ab" * 32, fitted.multilabel, fitted.binary, fitted.template_clip,
                           {"multilabel": {"Male": 0.9}}, {"multilabel": [0.5] * len(KEYS)})
    model.save(tmp_path)
    again = AttributeModel.load(tmp_path)
    assert again.methods == ["multilabel", "binary", "template_clip"]
    for method in again.methods:
        assert np.allclose(again.scores(method, x[:5]), model.scores(method, x[:5]), atol=1e-6)
    assert again.validation_auc == {"multilabel": {"Male": 0.9}}
    assert sum(f.stat().st_size for f in tmp_path.iterdir()) < 200_000


def test_evaluation_scores_attributes_with_enough_positives_and_lists_the_rest() -> None:
    rng = np.random.default_rng(7)
    n = 500
    labels = np.where(rng.random((n, len(KEYS))) < 0.3, 1, -1).astype(np.int8)
    labels[:, KEYS.index("Bangs")] = -1
    labels[:3, KEYS.index("Bangs")] = 1  # 3 positives in all: too few to score
    folds = np.repeat(np.arange(5), n // 5)
    perfect = (labels > 0).astype(np.float32)
    report = evaluate_scores({"perfect": perfect}, labels, folds, EvalConfig(min_positives=10))
    assert "Bangs" in report["not_scored"] and "Bangs" not in report["scored_attributes"]
    assert report["methods"]["perfect"]["attributes"]["Male"]["mean"] == 1.0
    assert report["methods"]["perfect"]["attributes"]["Male"]["fold_auc"] == [1.0] * 5
    chance = report["methods"][CHANCE]["mean_auc"]
    assert 0.45 < chance < 0.55
    table = auc_table(report)
    assert table.splitlines()[0].split()[:3] == ["attribute", "perfect", "chance"]


def test_the_per_person_oracle_shows_the_ceiling_set_by_label_noise() -> None:
    ids = [p for p in "abcdefghij" for _ in range(10)]
    labels = np.full((100, len(KEYS)), -1, dtype=np.int8)
    male = KEYS.index("Male")
    labels[:50, male] = 1  # persons a..e are men ...
    labels[50:60:3, male] = 1  # ... and four images of woman f are mislabelled as a man
    folds = np.repeat(np.arange(5), 20)  # two people per fold
    report = evaluate_scores({}, labels, folds, EvalConfig(min_positives=1, min_negatives=1,
                                                           min_folds=1), identities=ids)
    oracle = report["methods"][ORACLE]["attributes"]["Male"]
    # only fold 2 (persons e and f) has both classes; f's images all score 0.4, so her four
    # "man" images tie with her six "woman" ones: (10 * 6 + 4 * 6 / 2) / (14 * 6)
    assert oracle["fold_auc"] == [pytest.approx(72 / 84, abs=1e-4)]
