"""The l_p datafit and its two solvers in the optimisation core."""

import numpy as np
import pytest
from scipy.optimize import approx_fprime, linprog
from sklearn.exceptions import ConvergenceWarning

from skpapers.utils._optim import LpLoss, least_absolute_deviations, reweighted_newton


def _problem(n=80, d=4, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    y = X @ rng.standard_normal(d) + rng.laplace(size=n)
    return X, y, rng.uniform(0.2, 2.0, size=n)


@pytest.mark.parametrize("p", [1.3, 2.0, 3.5])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_lp_loss_gradient_matches_finite_differences(p, fit_intercept):
    X, y, weight = _problem()
    datafit = LpLoss(X, y, p, sample_weight=weight, fit_intercept=fit_intercept)
    w = np.random.default_rng(1).standard_normal(datafit.n_params)
    numeric = approx_fprime(w, datafit.value, 1e-7)
    np.testing.assert_allclose(datafit.value_and_gradient(w)[1], numeric, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("p", [2.0, 3.0])
def test_lp_loss_curvature_is_the_hessian_for_p_at_least_2(p):
    X, y, weight = _problem()
    datafit = LpLoss(X, y, p, sample_weight=weight)
    w = np.random.default_rng(2).standard_normal(datafit.n_params)
    design = datafit.design()
    hessian = design.T @ (datafit.curvature(w)[:, None] * design)
    numeric = np.array(
        [approx_fprime(w, lambda v, j=j: datafit.value_and_gradient(v)[1][j], 1e-6) for j in range(w.size)]
    )
    np.testing.assert_allclose(hessian, numeric, rtol=1e-4, atol=1e-5)


def test_least_absolute_deviations_matches_the_primal_linear_program():
    # Independent formulation: variables (coef, intercept, t), min sum s_i t_i, -t <= r <= t.
    X, y, weight = _problem(n=60, d=3)
    n, d = X.shape
    D = np.column_stack([X, np.ones(n)])
    A_ub = np.block([[D, -np.eye(n)], [-D, -np.eye(n)]])
    b_ub = np.r_[y, -y]
    c = np.r_[np.zeros(d + 1), weight]
    primal = linprog(c, A_ub=A_ub, b_ub=b_ub, bounds=[(None, None)] * (d + 1) + [(0, None)] * n, method="highs")
    result = least_absolute_deviations(X, y, sample_weight=weight)
    ours = weight @ np.abs(y - D @ result.x)
    assert result.converged
    np.testing.assert_allclose(ours, primal.fun, rtol=1e-10)
    np.testing.assert_allclose(result.fun, primal.fun / weight.sum(), rtol=1e-10)


@pytest.mark.parametrize("p", [1.5, 4.0])
def test_reweighted_newton_reaches_a_stationary_point(p):
    X, y, _ = _problem(n=200, d=5)
    datafit = LpLoss(X, y, p)
    result = reweighted_newton(datafit, np.zeros(datafit.n_params), tol=1e-12, max_iter=200)
    assert result.converged
    grad = datafit.value_and_gradient(result.x)[1]
    assert np.max(np.abs(grad)) < 1e-5 * max(1.0, result.fun)


def test_reweighted_newton_warns_when_out_of_iterations():
    X, y, _ = _problem(n=200, d=5)
    with pytest.warns(ConvergenceWarning, match="Reweighted Newton"):
        result = reweighted_newton(LpLoss(X, y, 1.2), np.zeros(6), tol=1e-14, max_iter=1)
    assert not result.converged
