import pickle
import warnings

import numpy as np
import pytest
from scipy import stats
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.linear_model import Ridge
from sklearn.neural_network import MLPRegressor
from sklearn.utils._param_validation import InvalidParameterError

from skpapers.generative import (
    RectifiedFlowGenerator,
    RegressorScoreModel,
    logit_normal_timesteps,
    shift_timesteps,
)
from skpapers.generative._rectified_flow import _draw_training_times

MEAN = np.array([1.0, -1.0, 2.0])
COV = np.array([[2.0, 0.6, 0.3], [0.6, 1.0, -0.4], [0.3, -0.4, 0.5]])


def _gaussian_data(n=5000, seed=0):
    return np.random.RandomState(seed).multivariate_normal(MEAN, COV, size=n)


def _true_velocity(X, t, mean, cov):
    """E[eps - x0 | x_t = X] for x0 ~ N(mean, cov), x_t = (1 - t) x0 + t eps (plain linear algebra)."""
    a, s = 1.0 - t, t
    marginal = a**2 * cov + s**2 * np.eye(len(mean))
    centred = np.linalg.solve(marginal, (X - a * mean).T).T
    x0_hat = mean + a * centred @ cov
    eps_hat = s * centred
    return eps_hat - x0_hat


def test_logit_normal_law():
    t = logit_normal_timesteps(20000, loc=0.5, scale=0.8, random_state=0)
    z = np.log(t / (1 - t))
    assert stats.kstest(z, stats.norm(0.5, 0.8).cdf).pvalue > 0.01
    # sigmoid saturation is clipped away from the endpoints
    t = logit_normal_timesteps(1000, loc=0.0, scale=100.0, random_state=0)
    assert t.min() >= 1e-5 and t.max() <= 1 - 1e-5


def test_shift_timesteps_properties():
    t = np.linspace(0, 1, 11)
    shifted = shift_timesteps(t, 3.0)
    assert shifted[0] == 0.0 and shifted[-1] == 1.0
    assert np.all(np.diff(shifted) > 0) and np.all(shifted[1:-1] > t[1:-1])
    np.testing.assert_allclose(shift_timesteps(shifted, 1 / 3.0), t, atol=1e-12)  # 1/k undoes k
    np.testing.assert_array_equal(shift_timesteps(t, 1.0), t)


def test_training_times_follow_the_sampler():
    rng = np.random.RandomState(0)
    t = _draw_training_times(20000, rng, "logit_normal", 0.0, 1.0, 1.0)
    assert stats.kstest(np.log(t / (1 - t)), "norm").pvalue > 0.01
    t = _draw_training_times(20000, rng, "uniform", 0.0, 1.0, 1.0)
    assert stats.kstest(t, "uniform").pvalue > 0.01
    # a shift of 3 moves the median of uniform times from 0.5 to 0.75
    t = _draw_training_times(20000, rng, "uniform", 0.0, 1.0, 3.0)
    assert abs(np.median(t) - 0.75) < 0.01


def test_closed_form_velocity_matches_independent_formula():
    X = _gaussian_data()
    gen = RectifiedFlowGenerator(score_model="gaussian", standardize=False).fit(X)
    mean, cov = X.mean(axis=0), np.cov(X.T, bias=True)
    Q = np.random.RandomState(1).normal(size=(50, 3)) * 2
    for t in (0.01, 0.3, 0.7, 0.99):
        np.testing.assert_allclose(gen.velocity(Q, t), _true_velocity(Q, t, mean, cov), atol=1e-8)
    # the conversions of the straight path: x0_hat = x - t v and score = -(x + (1 - t) v) / t
    t = 0.4
    v = gen.velocity(Q, t)
    np.testing.assert_allclose(gen.denoise(Q, t), Q - t * v, atol=1e-8)
    np.testing.assert_allclose(gen.score_function(Q, t), -(Q + (1 - t) * v) / t, atol=1e-8)


def test_velocity_in_original_units():
    X = _gaussian_data() * [10.0, 1.0, 0.1]
    gen = RectifiedFlowGenerator(score_model="gaussian").fit(X)
    # standardized coordinates: x0 ~ N(m, C) with m = 0, C = correlation; x = mean + scale * z
    Z = (X - gen.mean_) / gen.scale_
    Q = X[:20]
    Qz = (Q - gen.mean_) / gen.scale_
    expected = _true_velocity(Qz, 0.4, Z.mean(axis=0), np.cov(Z.T, bias=True)) * gen.scale_
    np.testing.assert_allclose(gen.velocity(Q, 0.4), expected, rtol=1e-7, atol=1e-8)


# measured 0.032 (Euler, 100 steps) and 0.009 (Heun, 20 steps) against the fitted covariance
@pytest.mark.parametrize("solver, n_steps, tol", [("euler", 100, 0.04), ("heun", 20, 0.015)])
def test_sampling_recovers_gaussian_covariance(solver, n_steps, tol):
    X = _gaussian_data()
    gen = RectifiedFlowGenerator(score_model="gaussian", solver=solver, n_steps=n_steps, random_state=0).fit(X)
    S = gen.sample(20000, random_state=1)
    # against the covariance the model fitted (the exact target of the flow), not the population one
    fitted = np.cov(X.T, bias=True)
    err = np.linalg.norm(np.cov(S.T) - fitted) / np.linalg.norm(fitted)
    assert err < tol
    np.testing.assert_allclose(S.mean(axis=0), X.mean(axis=0), atol=0.03)


def test_time_shift_moves_the_grid_towards_noise():
    X = _gaussian_data(500)
    gen = RectifiedFlowGenerator(score_model="gaussian", n_steps=10, time_shift=3.0).fit(X)
    grid = gen._time_grid()
    assert grid[0] == 1.0 and grid[-1] == gen.t_min
    assert np.all(np.diff(grid) < 0) and np.median(grid) > 0.6


def test_learned_velocity_approaches_closed_form():
    """An MLP trained by flow matching on Gaussian data: velocity error well below the velocity scale."""
    rng = np.random.RandomState(0)
    X = rng.multivariate_normal([0.0, 0.0], [[1.0, 0.7], [0.7, 1.0]], size=1000)
    mlp = MLPRegressor(hidden_layer_sizes=(32, 32), max_iter=60, batch_size=256, random_state=0)
    gen = RectifiedFlowGenerator(score_model=mlp, n_noise_draws=10, standardize=False, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # a short run on purpose
        gen.fit(X)
    closed = RectifiedFlowGenerator(score_model="gaussian", standardize=False).fit(X)
    for t in (0.3, 0.5, 0.8):
        Q = (1 - t) * X[:300] + t * rng.normal(size=(300, 2))
        v_true = closed.velocity(Q, t)
        rel = np.linalg.norm(gen.velocity(Q, t) - v_true) / np.linalg.norm(v_true)
        # measured 0.15-0.25 (a zero velocity scores 1.0)
        assert rel < 0.3, (t, rel)
    assert np.isfinite(gen.train_loss_)


def test_regressor_wrapped_with_velocity_target_and_pickles():
    X = _gaussian_data(300)
    gen = RectifiedFlowGenerator(score_model=Ridge(alpha=1e-3), n_noise_draws=2, random_state=0).fit(X)
    assert isinstance(gen.model_, RegressorScoreModel) and gen.model_.target == "velocity"
    clone = pickle.loads(pickle.dumps(gen))
    np.testing.assert_allclose(clone.sample(5, random_state=0), gen.sample(5, random_state=0))
    assert not hasattr(gen, "score_samples")  # no density without a closed form


def test_score_samples_closed_form():
    X = _gaussian_data(2000)
    gen = RectifiedFlowGenerator(score_model="gaussian").fit(X)
    ref = stats.multivariate_normal(X.mean(axis=0), np.cov(X.T, bias=True)).logpdf(X[:10])
    np.testing.assert_allclose(gen.score_samples(X[:10]), ref, atol=0.02)


def test_bad_input():
    X = _gaussian_data(100)
    with pytest.raises(NotFittedError):
        RectifiedFlowGenerator(score_model="gaussian").sample(3)
    bad = X.copy()
    bad[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        RectifiedFlowGenerator(score_model="gaussian").fit(bad)
    gen = RectifiedFlowGenerator(score_model="gaussian").fit(X)
    for n in (0, -1, 2.5, True):
        with pytest.raises(ValueError, match="n_samples"):
            gen.sample(n)
    with pytest.raises(ValueError, match="features"):
        gen.velocity(X[:, :2], 0.5)
    with pytest.raises(ValueError, match="t must"):
        gen.velocity(X, 1.5)
    for params in ({"logit_std": 0.0}, {"time_shift": -1.0}, {"time_sampler": "beta"}, {"solver": "exact"}):
        with pytest.raises(InvalidParameterError):
            RectifiedFlowGenerator(score_model="gaussian", **params).fit(X)
    with pytest.raises(TypeError, match="score_model"):
        RectifiedFlowGenerator(score_model=object()).fit(X)
    with pytest.raises(ValueError, match="n_samples"):
        logit_normal_timesteps(0)
    with pytest.raises(ValueError, match="scale"):
        logit_normal_timesteps(3, scale=-1.0)
    with pytest.raises(TypeError, match="loc"):
        logit_normal_timesteps(3, loc="a")
    with pytest.raises(ValueError, match="shift"):
        shift_timesteps(0.5, 0.0)
    with pytest.raises(ValueError, match="t must"):
        shift_timesteps([0.5, 2.0], 2.0)


def test_constant_column_and_input_not_modified():
    X = _gaussian_data(200)
    X[:, 1] = 3.0
    X_copy = X.copy()
    gen = RectifiedFlowGenerator(score_model="gaussian", solver="heun", n_steps=10, random_state=0).fit(X)
    np.testing.assert_array_equal(X, X_copy)
    assert gen.scale_[1] == 1.0
    # the constant column keeps the eigenvalue floor (1e-6) plus the t_min noise and the
    # 10-step discretisation error: it collapses from spread 1 to a few hundredths
    S = gen.sample(1000)
    assert np.std(S[:, 1]) < 0.05 and abs(np.mean(S[:, 1]) - 3.0) < 0.01


def test_regressor_score_model_accepts_a_time_sampler_callable():
    calls = []

    def sampler(n, rng):
        calls.append(n)
        return np.full(n, 0.25)

    X = _gaussian_data(50)
    model = RegressorScoreModel(Ridge(), target="velocity", n_noise_draws=3, time_sampler=sampler)
    model.fit(X, "rectified", random_state=0)
    assert calls == [150]
    with pytest.raises(ValueError, match="time_sampler"):
        RegressorScoreModel(Ridge(), time_sampler="beta").fit(X, "rectified")
