"""Gaussian score approximation: the exact VE flow and the explained variance."""

import numpy as np
import pytest
from scipy.integrate import solve_ivp

from skpapers.generative import (
    GaussianScoreModel,
    KernelScoreModel,
    VarianceExplodingSchedule,
    gaussian_pf_ode_solution,
    score_explained_variance,
)


@pytest.fixture(scope="module")
def moments():
    rng = np.random.RandomState(0)
    A = rng.normal(size=(3, 3))
    return np.array([1.0, -2.0, 0.5]), A @ A.T + 0.1 * np.eye(3)


@pytest.mark.parametrize("sigma_to", [10.0, 1.0, 0.002])
def test_closed_form_equals_solve_ivp(moments, sigma_to):
    mean, cov = moments
    x_T = np.random.RandomState(1).normal(size=(4, 3)) * 80

    def ode(sigma, y):
        return (sigma * np.linalg.solve(cov + sigma**2 * np.eye(3), (y.reshape(4, 3) - mean).T).T).ravel()

    ref = solve_ivp(ode, (80.0, sigma_to), x_T.ravel(), method="DOP853", rtol=1e-11, atol=1e-11)
    np.testing.assert_allclose(gaussian_pf_ode_solution(x_T, 80.0, sigma_to, mean, cov), ref.y[:, -1].reshape(4, 3),
                               atol=1e-8)


def test_low_rank_residual_scales_with_sigma():
    # rank-1 covariance along e0: the orthogonal part shrinks by sigma / sigma_T
    cov = np.diag([4.0, 0.0])
    x = gaussian_pf_ode_solution(np.array([[30.0, 30.0]]), 60.0, 3.0, [0.0, 0.0], cov)
    assert x[0, 1] == pytest.approx(30.0 * 3.0 / 60.0)
    assert x[0, 0] == pytest.approx(30.0 * np.sqrt((4 + 9) / (4 + 3600)))


def test_function_agrees_with_the_score_model_flow(moments):
    mean, cov = moments
    schedule = VarianceExplodingSchedule(0.002, 80.0)
    model = GaussianScoreModel(reg_covar=1e-12).set_moments(mean, cov)
    model.schedule_ = schedule
    x = np.random.RandomState(2).normal(size=(6, 3)) * 80
    t_to = float(schedule.time_from_sigma_ratio(1.5))
    np.testing.assert_allclose(model.pf_ode_solution(x, 1.0, t_to), gaussian_pf_ode_solution(x, 80.0, 1.5, mean, cov),
                               rtol=1e-10)


def test_pf_ode_solution_bad_input(moments):
    mean, cov = moments
    x = np.zeros((2, 3))
    with pytest.raises(ValueError, match="sigma_from"):
        gaussian_pf_ode_solution(x, 0.0, 1.0, mean, cov)
    with pytest.raises(ValueError, match="sigma_to"):
        gaussian_pf_ode_solution(x, 1.0, -1.0, mean, cov)
    with pytest.raises(ValueError, match="finite"):
        gaussian_pf_ode_solution(np.full((2, 3), np.nan), 1.0, 0.5, mean, cov)
    with pytest.raises(ValueError, match="shape|n_features"):
        gaussian_pf_ode_solution(np.zeros((2, 2)), 1.0, 0.5, mean, cov)
    with pytest.raises(ValueError, match="semi-definite"):
        gaussian_pf_ode_solution(x, 1.0, 0.5, mean, -cov)


def test_explained_variance():
    rng = np.random.RandomState(0)
    X = rng.multivariate_normal([0, 0], [[1.0, 0.5], [0.5, 2.0]], size=400)
    gauss = GaussianScoreModel().fit(X, "ve")
    assert score_explained_variance(gauss, gauss, X, 0.5) == pytest.approx(1.0)
    # on Gaussian data the training-set score is Gaussian at high noise, not at low noise
    kernel = KernelScoreModel(0.0).fit(X, "ve")
    ev = score_explained_variance(kernel, gauss, X, [0.95, 0.5, 0.05], n_draws=2, random_state=0)
    assert ev.shape == (3,) and ev[0] > 0.999 and ev[2] < ev[0]
    np.testing.assert_array_equal(ev, score_explained_variance(kernel, gauss, X, [0.95, 0.5, 0.05], n_draws=2,
                                                               random_state=0))
    with pytest.raises(ValueError, match="share a schedule"):
        score_explained_variance(kernel, GaussianScoreModel().fit(X, "vp"), X, 0.5)
    with pytest.raises(ValueError, match="different feature counts"):
        score_explained_variance(kernel, GaussianScoreModel().fit(X[:, :1], "ve"), X, 0.5)
    with pytest.raises(TypeError, match="fitted score model"):
        score_explained_variance(kernel, GaussianScoreModel(), X, 0.5)
    with pytest.raises(ValueError, match="n_draws"):
        score_explained_variance(kernel, gauss, X, 0.5, n_draws=0)
