import numpy as np
import pytest
from scipy import optimize, special
from scipy.optimize import approx_fprime

from skpapers.utils._optim import CumulativeLogitLoss, NoPenalty, WeightedL1, minimize_smooth, proximal_gradient


def _data(n_samples=60, n_features=3, n_classes=4, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_samples, n_features))
    y = rng.integers(0, n_classes, size=n_samples)
    return X, y, rng


def _naive_nll(X, y, n_classes, weights, intercepts, coef):
    """Mean negative log-likelihood written directly from the model's definition."""
    cumulative = special.expit(intercepts + X @ coef.T)
    padded = np.hstack([np.zeros((len(y), 1)), cumulative, np.ones((len(y), 1))])
    proba = np.diff(padded, axis=1)[np.arange(len(y)), y]
    return -np.sum(weights * np.log(proba)) / weights.sum()


@pytest.mark.parametrize("parallel", [False, True])
def test_gradient_matches_finite_differences(parallel):
    X, y, rng = _data()
    weights = rng.uniform(0.5, 2.0, size=len(y))
    datafit = CumulativeLogitLoss(X, y, 4, sample_weight=weights, parallel=parallel)
    w = np.r_[-1.0, 0.5, 1.5, 0.1 * rng.normal(size=datafit.n_params - 3)]
    value, grad = datafit.value_and_gradient(w)
    numeric = approx_fprime(w, datafit.value, 1e-7)
    np.testing.assert_allclose(grad, numeric, atol=1e-6)
    intercepts, coef = datafit.unpack(w)
    assert value == pytest.approx(_naive_nll(X, y, 4, weights, intercepts, coef), rel=1e-12)


def test_layout_is_cumulative_sum_of_differences():
    X, y, rng = _data(n_features=2, n_classes=3)
    datafit = CumulativeLogitLoss(X, y, 3)
    psi = np.array([[1.0, -2.0], [0.5, 0.25]])
    intercepts, coef = datafit.unpack(np.r_[0.0, 1.0, psi.ravel()])
    np.testing.assert_array_equal(coef, [[1.0, -2.0], [1.5, -1.75]])


def test_rare_class_probabilities_stay_accurate_in_the_tail():
    # P(y = K) = 1 - expit(40) ~ 4e-18: 1 - expit would round to 0 in floating point.
    X = np.zeros((3, 1))
    y = np.array([0, 1, 2])
    datafit = CumulativeLogitLoss(X, y, 3)
    value = datafit.value(np.array([-40.0, 40.0, 0.0, 0.0]))
    expected = -(special.log_expit(-40.0) + np.log(special.expit(40.0) - special.expit(-40.0)) - 40.0) / 3
    assert np.isfinite(value)
    assert value == pytest.approx(expected, rel=1e-12)


def test_crossing_boundaries_are_infeasible():
    X, y, _ = _data()
    datafit = CumulativeLogitLoss(X, y, 4)
    # Intercepts out of order: class-1 rows get a negative probability.
    value, grad = datafit.value_and_gradient(np.r_[1.0, 0.0, 2.0, np.zeros(9)])
    assert value == np.inf
    assert np.all(np.isnan(grad))


def test_unpenalised_fit_matches_scipy_bfgs_on_naive_likelihood():
    X, y, _ = _data(n_samples=200, seed=3)
    datafit = CumulativeLogitLoss(X, y, 4)
    w0 = np.r_[-1.0, 0.0, 1.0, np.zeros(9)]
    ours = proximal_gradient(datafit, WeightedL1(0.0), w0, tol=1e-10, max_iter=100_000)

    def naive(w):
        intercepts, coef = w[:3], np.cumsum(w[3:].reshape(3, 3), axis=0)
        cumulative = special.expit(intercepts + X @ coef.T)
        if np.any(np.diff(cumulative, axis=1) <= 0):
            return 1e10
        return _naive_nll(X, y, 4, np.ones(len(y)), intercepts, coef)

    reference = optimize.minimize(naive, w0, method="BFGS", options={"gtol": 1e-10})
    assert ours.converged
    np.testing.assert_allclose(ours.x, reference.x, atol=1e-4)
    assert ours.fun <= reference.fun + 1e-12


def test_proportional_odds_lbfgs_reaches_the_proximal_gradient_optimum():
    X, y, _ = _data(n_samples=300, seed=4)
    datafit = CumulativeLogitLoss(X, y, 4, parallel=True)
    w0 = np.r_[-1.0, 0.0, 1.0, np.zeros(3)]
    lbfgs = minimize_smooth(datafit, w0, NoPenalty(), tol=1e-10)
    prox = proximal_gradient(datafit, NoPenalty(), w0, tol=1e-10, max_iter=100_000)
    assert lbfgs.converged and prox.converged
    np.testing.assert_allclose(lbfgs.x, prox.x, atol=1e-6)
