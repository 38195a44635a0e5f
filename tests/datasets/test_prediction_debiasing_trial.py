"""make_prediction_debiasing_trial: the structural equations and one shared feature map."""

import numpy as np
import pytest
from scipy.special import expit

from skpapers.datasets import make_prediction_debiasing_trial


def test_structural_equations():
    data = make_prediction_debiasing_trial(50_000, tau=1.5, random_state=0)
    np.testing.assert_allclose(data.propensity, expit(data.confounder))
    noise = data.y - 1.5 * data.treatment - data.confounder
    assert noise.std() == pytest.approx(1.0, abs=0.02)
    assert abs(np.corrcoef(noise, data.confounder)[0, 1]) < 0.02
    # treatment follows the propensity: calibration in propensity bins
    bins = np.digitize(data.propensity, [0.25, 0.5, 0.75])
    for k in range(4):
        in_bin = bins == k
        assert data.treatment[in_bin].mean() == pytest.approx(data.propensity[in_bin].mean(), abs=0.02)


def test_trials_share_one_feature_map():
    # without feature noise, arctanh(X_k) = w_k y + b_k exactly, with (w, b) fixed by feature_seed
    first = make_prediction_debiasing_trial(200, tau=0.0, feature_noise=0.0, random_state=1)
    second = make_prediction_debiasing_trial(200, tau=2.0, feature_noise=0.0, random_state=2)
    other = make_prediction_debiasing_trial(200, tau=0.0, feature_noise=0.0, feature_seed=1, random_state=1)
    coef = [np.polyfit(d.y, np.arctanh(d.X), 1) for d in (first, second, other)]
    np.testing.assert_allclose(coef[0], coef[1], rtol=1e-8, atol=1e-10)
    assert not np.allclose(coef[0], coef[2])


def test_per_unit_effects_and_reproducibility():
    tau = np.linspace(-2, 2, 100)
    data = make_prediction_debiasing_trial(100, tau=tau, random_state=3)
    np.testing.assert_array_equal(data.tau, tau)
    again = make_prediction_debiasing_trial(100, tau=tau, random_state=3)
    np.testing.assert_array_equal(data.X, again.X)
    assert data.X.shape == (100, 20)


def test_bad_tau():
    with pytest.raises(ValueError, match="tau must be a number or have shape"):
        make_prediction_debiasing_trial(10, tau=np.ones(3))
    with pytest.raises(ValueError, match="finite"):
        make_prediction_debiasing_trial(2, tau=[np.nan, 1.0])
