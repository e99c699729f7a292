"""PIC-score: calibrated probabilities that behave in the tails and explain themselves."""

from __future__ import annotations

import numpy as np

from core.pic import PicModel, confidence_sentence, decision_confidence


def make_model() -> PicModel:
    rng = np.random.default_rng(0)
    return PicModel.fit(rng.normal(0.6, 0.1, 500), rng.normal(0.05, 0.08, 500))


def test_pic_rises_with_the_score_and_crosses_half_between_the_classes() -> None:
    model = make_model()
    pic = model.pic(np.array([0.0, 0.2, 0.3, 0.4, 0.8]))
    assert np.all(np.diff(pic) > 0)
    assert pic[0] < 0.01 and pic[-1] > 0.99
    crossing = np.linspace(0.0, 0.8, 801)[np.argmax(model.pic(np.linspace(0.0, 0.8, 801)) >= 0.5)]
    assert 0.2 < crossing < 0.45


def test_far_outside_the_data_pic_is_certain_not_nan_and_not_half() -> None:
    model = make_model()
    far = model.pic(np.array([-5.0, -1.0, 1.0, 5.0]))
    assert not np.any(np.isnan(far))
    assert far[0] < 1e-6 and far[1] < 1e-6
    assert far[2] > 1 - 1e-6 and far[3] > 1 - 1e-6


def test_pic_matches_the_density_ratio_definition_inside_the_data() -> None:
    model = make_model()
    for s in (0.2, 0.33, 0.5):
        g = np.exp(model.genuine.log_pdf(s))[0]
        i = np.exp(model.impostor.log_pdf(s))[0]
        assert abs(model.pic_one(s) - g / (g + i)) < 1e-3


def test_confidence_is_pic_for_a_match_and_its_complement_otherwise() -> None:
    assert decision_confidence(0.9, True) == 0.9
    assert abs(decision_confidence(0.1, False) - 0.9) < 1e-12
    sentence = confidence_sentence(0.15, 0.28, 0.04, False, "LFW View 1")
    assert "96% confident" in sentence
    assert "over 99% confident" in confidence_sentence(0.9, 0.28, 0.9999, True, "LFW View 1") and "different people" in sentence and "LFW View 1" in sentence


def test_the_densities_are_scipys_gaussian_kde_with_scotts_bandwidth() -> None:
    from scipy.stats import gaussian_kde

    rng = np.random.default_rng(3)
    scores = rng.normal(0.5, 0.1, 400)
    model = PicModel.fit(scores, rng.normal(0.0, 0.1, 400))
    grid = np.linspace(-0.2, 1.0, 50)
    # the kernel sum written out: mean of N(s; x_i, h) with h = std * n^(-1/5)
    h = np.std(scores, ddof=1) * 400 ** (-0.2)
    by_hand = np.exp(-0.5 * ((grid[:, None] - scores[None, :]) / h) ** 2).mean(axis=1) / (h * np.sqrt(2 * np.pi))
    assert np.allclose(np.exp(model.genuine.log_pdf(grid)), by_hand, rtol=1e-12)
    assert np.allclose(model.genuine.log_pdf(grid), gaussian_kde(scores).logpdf(grid), rtol=1e-12)


def test_a_sample_without_spread_is_one_gaussian_of_the_floor_width() -> None:
    model = PicModel.fit(np.array([0.7, 0.7, 0.7]), np.array([0.1]))
    assert model.genuine.log_pdf(0.7)[0] > model.genuine.log_pdf(0.71)[0]
    assert 0.0 <= model.pic_one(0.4) <= 1.0 and model.pic_one(0.7) > 0.99 and model.pic_one(0.1) < 0.01
