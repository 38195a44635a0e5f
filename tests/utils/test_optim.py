import warnings

import numpy as np
import pytest
from scipy.optimize import approx_fprime
from sklearn.datasets import make_classification, make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import Lasso, LinearRegression, LogisticRegression

from skpapers.utils._optim import (
    L2,
    LogisticLoss,
    MultinomialLoss,
    NoPenalty,
    SquaredLoss,
    WeightedL1,
    minimize_smooth,
    proximal_gradient,
)


def _intercept_free_mask(n_features, n_outputs=1):
    return np.r_[np.ones(n_features * n_outputs), np.zeros(n_outputs)]


@pytest.mark.parametrize("accelerated", [True, False])
def test_proximal_gradient_matches_sklearn_lasso(accelerated):
    X, y = make_regression(n_samples=200, n_features=15, n_informative=5, noise=5.0, random_state=0)
    alpha = 2.0
    reference = Lasso(alpha=alpha, tol=1e-12, max_iter=100_000).fit(X, y)

    datafit = SquaredLoss(X, y)
    penalty = WeightedL1(alpha, weights=_intercept_free_mask(X.shape[1]))
    result = proximal_gradient(
        datafit, penalty, np.zeros(datafit.n_params), accelerated=accelerated, tol=1e-10, max_iter=100_000
    )
    coef, intercept = datafit.unpack(result.x)
    assert result.converged
    np.testing.assert_allclose(coef.ravel(), reference.coef_, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(intercept[0], reference.intercept_, rtol=1e-6, atol=1e-6)


def test_fista_needs_fewer_iterations_than_ista():
    # Singular values spread over two decades: condition number ~1e4.
    rng = np.random.default_rng(0)
    rotation = np.linalg.qr(rng.normal(size=(40, 40)))[0]
    X = rng.normal(size=(300, 40)) @ np.diag(np.logspace(0, -2, 40)) @ rotation
    y = 3 * X @ rng.normal(size=40) + 0.1 * rng.normal(size=300)
    datafit = SquaredLoss(X, y)
    penalty = WeightedL1(1e-4, weights=_intercept_free_mask(X.shape[1]))
    w0 = np.zeros(datafit.n_params)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        fista = proximal_gradient(datafit, penalty, w0, accelerated=True, tol=1e-8, max_iter=50_000)
        ista = proximal_gradient(datafit, penalty, w0, accelerated=False, tol=1e-8, max_iter=50_000)
    assert fista.converged and ista.converged
    assert fista.n_iter < ista.n_iter / 10
    assert fista.fun <= ista.fun + 1e-8


def test_lbfgs_matches_sklearn_logistic_regression():
    X, y = make_classification(n_samples=300, n_features=8, random_state=0)
    C = 0.5
    reference = LogisticRegression(C=C, tol=1e-12, max_iter=10_000).fit(X, y)

    datafit = LogisticLoss(X, y)
    # sklearn minimises C * sum(loss) + ||w||^2 / 2, i.e. mean(loss) + ||w||^2 / (2 C n).
    penalty = L2(1.0 / (C * X.shape[0]), mask=_intercept_free_mask(X.shape[1]))
    result = minimize_smooth(datafit, np.zeros(datafit.n_params), penalty, tol=1e-10)
    coef, intercept = datafit.unpack(result.x)
    np.testing.assert_allclose(coef.ravel(), reference.coef_.ravel(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(intercept[0], reference.intercept_[0], rtol=1e-5, atol=1e-6)


def test_lbfgs_least_squares_equals_closed_form():
    X, y = make_regression(n_samples=100, n_features=5, noise=3.0, random_state=2)
    datafit = SquaredLoss(X, y)
    result = minimize_smooth(datafit, np.zeros(datafit.n_params), tol=1e-12)
    coef, intercept = datafit.unpack(result.x)
    reference = LinearRegression().fit(X, y)
    np.testing.assert_allclose(coef.ravel(), reference.coef_, rtol=1e-7)
    np.testing.assert_allclose(intercept[0], reference.intercept_, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize(
    "make_datafit",
    [
        lambda X, y, w: SquaredLoss(X, y, sample_weight=w),
        lambda X, y, w: LogisticLoss(X, y, sample_weight=w),
        lambda X, y, w: MultinomialLoss(X, np.eye(3)[np.arange(len(y)) % 3], sample_weight=w),
        lambda X, y, w: LogisticLoss(X, y, sample_weight=w, fit_intercept=False),
    ],
)
def test_datafit_gradients_match_finite_differences(make_datafit):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 4))
    y = (rng.random(40) < 0.5).astype(float)
    datafit = make_datafit(X, y, rng.random(40) + 0.1)
    w = rng.normal(size=datafit.n_params)
    numeric = approx_fprime(w, datafit.value, 1e-7)
    np.testing.assert_allclose(datafit.value_and_gradient(w)[1], numeric, rtol=1e-5, atol=1e-6)


def test_multinomial_sample_weight_equals_repetition():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(30, 3))
    labels = rng.integers(0, 3, size=30)
    Y = np.eye(3)[labels]
    counts = rng.integers(1, 4, size=30)
    weighted = MultinomialLoss(X, Y, sample_weight=counts)
    repeated = MultinomialLoss(np.repeat(X, counts, axis=0), np.repeat(Y, counts, axis=0))
    w = rng.normal(size=weighted.n_params)
    assert weighted.value(w) == pytest.approx(repeated.value(w), rel=1e-12)


def test_weighted_l1_prox_is_soft_thresholding_and_spares_zero_weights():
    penalty = WeightedL1(1.0, weights=np.array([1.0, 1.0, 0.0]))
    out = penalty.prox(np.array([3.0, -0.5, -7.0]), step=1.0)
    np.testing.assert_array_equal(out, [2.0, 0.0, -7.0])


def test_l2_prox_minimises_its_moreau_objective():
    penalty = L2(3.0)
    w = np.array([1.0, -2.0])
    z = penalty.prox(w, step=0.5)
    # stationarity of alpha/2 z^2 + (z - w)^2 / (2 step)
    np.testing.assert_allclose(3.0 * z + (z - w) / 0.5, 0.0, atol=1e-12)


class _HalfLineDatafit:
    """f(w) = (w - 2)^2 on w < 1, +inf elsewhere: the minimiser sits on the boundary."""

    def value_and_gradient(self, w):
        if w[0] >= 1.0:
            return np.inf, np.full_like(w, np.nan)
        return float((w[0] - 2.0) ** 2), 2.0 * (w - 2.0)


def test_proximal_gradient_never_returns_an_infeasible_point():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        result = proximal_gradient(_HalfLineDatafit(), NoPenalty(), np.array([-3.0]), step=10.0, max_iter=200)
    assert result.x[0] < 1.0
    assert result.x[0] > 0.99  # approached the boundary from inside


def test_infeasible_start_is_rejected():
    with pytest.raises(ValueError, match="infeasible"):
        proximal_gradient(_HalfLineDatafit(), NoPenalty(), np.array([5.0]))


def test_is_feasible_hook_rejects_points():
    datafit = SquaredLoss(np.ones((4, 1)), np.full(4, 5.0), fit_intercept=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        result = proximal_gradient(
            datafit, NoPenalty(), np.zeros(1), is_feasible=lambda w: w[0] <= 2.0, max_iter=500
        )
    assert result.x[0] <= 2.0
    assert result.x[0] == pytest.approx(2.0, abs=1e-3)


def test_non_convergence_warns():
    X, y = make_regression(n_samples=50, n_features=5, random_state=0)
    datafit = SquaredLoss(X, y)
    with pytest.warns(ConvergenceWarning, match="max_iter=2"):
        proximal_gradient(datafit, WeightedL1(0.1), np.zeros(datafit.n_params), max_iter=2)
    with pytest.warns(ConvergenceWarning):
        minimize_smooth(LogisticLoss(X, y > 0), np.zeros(datafit.n_params), max_iter=1)


def test_smooth_solver_refuses_nonsmooth_penalty():
    datafit = SquaredLoss(np.ones((3, 1)), np.ones(3))
    with pytest.raises(ValueError, match="not smooth"):
        minimize_smooth(datafit, np.zeros(2), WeightedL1(1.0))
