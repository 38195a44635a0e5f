import numpy as np
import pytest
from scipy import special

from skpapers.utils._optim import L2, TokenizedBrierLoss, minimize_smooth


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_gradient_matches_central_differences(fit_intercept):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(30, 4))
    y = rng.randint(0, 2, size=30)
    levels = np.linspace(0, 1, 7)
    datafit = TokenizedBrierLoss(X, y, levels, sample_weight=rng.uniform(0.5, 2, size=30),
                                 fit_intercept=fit_intercept)
    w = rng.normal(size=datafit.n_params)
    _, grad = datafit.value_and_gradient(w)
    eps = 1e-6
    numeric = np.array([
        (datafit.value(w + eps * e) - datafit.value(w - eps * e)) / (2 * eps) for e in np.eye(w.size)
    ])
    np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-9)


def test_value_is_the_weighted_mean_of_per_row_scores():
    rng = np.random.RandomState(1)
    X = rng.normal(size=(12, 3))
    y = rng.randint(0, 2, size=12)
    levels = np.array([0.0, 0.25, 0.9])
    weights = rng.uniform(size=12)
    datafit = TokenizedBrierLoss(X, y, levels, sample_weight=weights)
    w = rng.normal(size=datafit.n_params)
    coef, intercept = w[:9].reshape(3, 3), w[9:]
    p = special.softmax(X @ coef + intercept, axis=1)
    rows = [sum(p[i, j] * (y[i] - levels[j]) ** 2 for j in range(3)) for i in range(12)]
    assert datafit.value(w) == pytest.approx(np.average(rows, weights=weights), rel=1e-12)


def test_penalised_fit_reaches_a_stationary_point():
    rng = np.random.RandomState(2)
    X = rng.normal(size=(200, 3))
    y = (rng.uniform(size=200) < special.expit(X[:, 0])).astype(int)
    datafit = TokenizedBrierLoss(X, y, np.linspace(0, 1, 5))
    mask = np.r_[np.ones(15), np.zeros(5)]
    penalty = L2(1e-2, mask)
    result = minimize_smooth(datafit, np.zeros(datafit.n_params), penalty, tol=1e-9, max_iter=5000)
    _, grad = datafit.value_and_gradient(result.x)
    assert np.max(np.abs(grad + penalty.gradient(result.x))) < 1e-7
