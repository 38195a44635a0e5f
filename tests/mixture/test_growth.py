"""GrowthMixtureOfExperts: the mixed-model limit, recovery on the paper's design, bad input."""

import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
from sklearn.utils._param_validation import InvalidParameterError

from skpapers.datasets import make_growth_mixture
from skpapers.mixture import GrowthMixtureOfExperts


@pytest.fixture(scope="module")
def design():
    return make_growth_mixture(n_samples=500, random_state=0)


@pytest.fixture(scope="module")
def fitted(design):
    X, Y, times, _ = design
    return GrowthMixtureOfExperts(n_init=1, gating_features=[0, 1], expert_features=[2, 3], random_state=0).fit(
        X, Y, times=times
    )


def _linear_growth(n=150, J=5, seed=0):
    rng = np.random.default_rng(seed)
    E = rng.normal(size=(n, 2))
    times = np.arange(J) + rng.uniform(-0.2, 0.2, size=(n, J))
    eta = np.array([10.0, 2.0]) + E @ np.array([[1.0, 0.5], [-0.5, 0.2]]).T
    eta += rng.multivariate_normal([0, 0], [[4.0, 0.5], [0.5, 0.5]], size=n)
    Y = eta[:, [0]] + eta[:, [1]] * times + rng.normal(scale=1.0, size=(n, J))
    return E, Y, times


def test_one_linear_class_is_the_mixed_model_of_statsmodels():
    E, Y, times = _linear_growth()
    n, J = Y.shape
    model = GrowthMixtureOfExperts(
        1, curve="linear", reg_covar=0.0, tol=1e-12, max_iter=5000, n_init=1
    ).fit(E, Y, times=times)
    long = pd.DataFrame(
        {"y": Y.ravel(), "t": times.ravel(), "e1": np.repeat(E[:, 0], J), "e2": np.repeat(E[:, 1], J),
         "id": np.repeat(np.arange(n), J)}
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = smf.mixedlm("y ~ t + e1 + e2 + t:e1 + t:e2", long, groups="id", re_formula="~t").fit(reml=False)
    fe = ref.fe_params
    np.testing.assert_allclose(model.means_[0], [fe["Intercept"], fe["t"]], rtol=1e-4)
    np.testing.assert_allclose(model.expert_coef_[0], [[fe["e1"], fe["e2"]], [fe["t:e1"], fe["t:e2"]]], rtol=1e-3, atol=1e-4)
    np.testing.assert_allclose(model.growth_covariances_[0], ref.cov_re.to_numpy(), rtol=1e-3, atol=1e-4)
    assert model.residual_variances_[0] == pytest.approx(ref.scale, rel=1e-4)
    assert model.log_likelihood_ * n == pytest.approx(ref.llf, rel=1e-6)


def test_recovers_classes_knots_and_gating(design, fitted):
    X, Y, times, classes = design
    # spec prototype (n=500): knots 3.97-4.06 / 4.96-5.03, gating slopes 0.69-1.27, accuracy 0.84-0.87
    np.testing.assert_allclose(fitted.knots_, [4.0, 5.0], atol=0.15)
    np.testing.assert_allclose(fitted.means_[:, 2], [-2.6, -3.4], atol=0.2)
    np.testing.assert_allclose(fitted.means_[:, 0], [100, 100], atol=1.0)
    np.testing.assert_allclose(fitted.means_[:, 1], [-5, -5], atol=0.2)
    np.testing.assert_allclose(fitted.residual_variances_, 1.0, atol=0.15)
    np.testing.assert_allclose(fitted.gating_coef_[:, 1], [1.0, 1.0], atol=0.45)
    assert np.mean(fitted.predict_class(X, Y, times) == classes) > 0.8
    assert fitted.converged_


def test_prediction_methods_are_consistent(design, fitted):
    X, Y, times, _ = design
    proba = fitted.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    resp = fitted.posterior_proba(X, Y, times)
    np.testing.assert_allclose(resp.sum(axis=1), 1.0)
    pred = fitted.predict(X, times)
    assert pred.shape == Y.shape
    # the expected trajectory tracks the data: mean residual near zero, spread well below Y's
    assert abs(np.mean(Y - pred)) < 0.5
    assert fitted.score(X, Y, times) == pytest.approx(fitted.log_likelihood_, abs=1e-6)
    n_params = fitted.bic(X, Y, times) - (-2 * 500 * fitted.log_likelihood_)
    # per class: 3 means + 6 expert coefficients + 6 covariances + residual + knot = 17; gating 3
    assert n_params == pytest.approx(37 * np.log(500), rel=1e-6)
    assert fitted.aic(X, Y, times) == pytest.approx(-2 * 500 * fitted.log_likelihood_ + 2 * 37, rel=1e-9)


def test_fixed_knots_and_variants(design):
    X, Y, times, _ = design
    X, Y, times = X[:200], Y[:200], times[:200]
    model = GrowthMixtureOfExperts(knots=[4.0, 5.0], gating_features=None, expert_features=None, n_init=1,
                                   max_iter=50, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(X, Y, times=times)
    np.testing.assert_array_equal(model.knots_, [4.0, 5.0])
    assert model.gating_coef_.shape == (0, 2) and model.expert_coef_.shape == (2, 3, 0)


@pytest.mark.parametrize(
    "params, match",
    [
        ({"knots": [4.0, 12.0]}, "strictly inside the time range"),
        ({"knots": [0.0, 5.0]}, "strictly inside the time range"),
        ({"knots": [4.0]}, "n_components=2 entries"),
        ({"gating_features": [7]}, "gating_features has a column index"),
        ({"expert_features": [True, False]}, "boolean mask must have 4 entries"),
        ({"expert_features": [0.5]}, "expert_features must be"),
    ],
)
def test_bad_parameters(design, params, match):
    X, Y, times, _ = design
    with pytest.raises(ValueError, match=match):
        GrowthMixtureOfExperts(**params).fit(X[:50], Y[:50], times=times[:50])


def test_bad_inputs(design):
    X, Y, times, _ = design
    Y_nan = Y[:50].copy()
    Y_nan[0, 3] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        GrowthMixtureOfExperts().fit(X[:50], Y_nan)
    with pytest.raises(ValueError, match="times must have shape"):
        GrowthMixtureOfExperts().fit(X[:50], Y[:50], times=times[:50, :5])
    times_nan = times[:50].copy()
    times_nan[1, 1] = np.inf
    with pytest.raises(ValueError, match="times"):
        GrowthMixtureOfExperts().fit(X[:50], Y[:50], times=times_nan)
    with pytest.raises(ValueError, match="more observations than parameters"):
        GrowthMixtureOfExperts(3).fit(X[:5], Y[:5, :3])
    with pytest.raises(InvalidParameterError, match="curve"):
        GrowthMixtureOfExperts(curve="cubic").fit(X[:50], Y[:50])


def test_bic_chooses_two_classes_over_one(design, fitted):
    X, Y, times, _ = design
    one = GrowthMixtureOfExperts(1, gating_features=[0, 1], expert_features=[2, 3], n_init=1).fit(X, Y, times=times)
    assert one.gating_coef_.shape == (2, 1)
    assert fitted.bic(X, Y, times) < one.bic(X, Y, times) - 50
    # one class: the gating has no free parameters; 3 + 6 + 6 + 1 + 1 = 17
    assert one.aic(X, Y, times) == pytest.approx(-2 * 500 * one.log_likelihood_ + 2 * 17, rel=1e-9)


def test_numerical_hessian_of_known_functions():
    from skpapers.mixture._growth import _numerical_hessian

    A = np.array([[4.0, 1.0, -0.5], [1.0, 3.0, 0.2], [-0.5, 0.2, 2.0]])
    b = np.array([1.0, -2.0, 0.5])
    # gradient of the quadratic 0.5 x'Ax + b'x: the central difference is exact up to rounding
    H = _numerical_hessian(lambda x: A @ x + b, np.array([0.3, -1.0, 2.0]), np.full(3, 1e-3))
    np.testing.assert_allclose(H, A, rtol=1e-9)
    # log-sum-exp: Hessian diag(p) - p p' in closed form
    x = np.array([0.5, -1.0, 2.0])
    p = np.exp(x) / np.exp(x).sum()
    H = _numerical_hessian(lambda z: np.exp(z) / np.exp(z).sum(), x, np.full(3, 1e-5))
    np.testing.assert_allclose(H, np.diag(p) - np.outer(p, p), atol=1e-8)


def test_log_likelihood_gradient_matches_finite_differences(design, fitted):
    from scipy import optimize

    X, Y, times, _ = design
    x0, names, blocks, kinds = fitted._packed_parameters()
    func = fitted._log_likelihood_function(X, Y, times, blocks)
    assert func(x0)[0] == pytest.approx(500 * fitted.log_likelihood_, rel=1e-10)
    x1 = x0 + 0.01 * np.random.default_rng(0).normal(size=x0.size)
    numeric = optimize.approx_fprime(x1, lambda x: func(x)[0], 1e-6)
    np.testing.assert_allclose(func(x1)[1], numeric, rtol=1e-3, atol=2e-3)
    # at the maximum the score nearly vanishes: the Newton step it implies is a small fraction of
    # a standard error (EM tolerance, the small gating penalty and the knot's kinks keep it from 0)
    from skpapers.mixture._growth import _numerical_hessian

    steps = 1e-5 * np.maximum(np.abs(x0), 1.0)
    steps[kinds == "knot"] = 0.045
    information = -_numerical_hessian(lambda x: func(x)[1], x0, steps)
    newton = np.linalg.solve(information, func(x0)[1])
    assert np.max(np.abs(newton) / np.sqrt(np.diag(np.linalg.inv(information)))) < 0.1


def test_fixed_effect_standard_errors_match_statsmodels():
    E, Y, times = _linear_growth()
    n, J = Y.shape
    model = GrowthMixtureOfExperts(
        1, curve="linear", reg_covar=0.0, tol=1e-12, max_iter=5000, n_init=1
    ).fit(E, Y, times=times)
    long = pd.DataFrame(
        {"y": Y.ravel(), "t": times.ravel(), "e1": np.repeat(E[:, 0], J), "e2": np.repeat(E[:, 1], J),
         "id": np.repeat(np.arange(n), J)}
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = smf.mixedlm("y ~ t + e1 + e2 + t:e1 + t:e2", long, groups="id", re_formula="~t").fit(reml=False)
    intervals = model.confidence_intervals(E, Y, times)
    assert len(intervals) == 2 + 4 + 3 + 1  # means, expert coefficients, Psi lower triangle, residual
    ours = {
        "Intercept": intervals["means_[0, 0]"], "t": intervals["means_[0, 1]"],
        "e1": intervals["expert_coef_[0, 0, 0]"], "e2": intervals["expert_coef_[0, 0, 1]"],
        "t:e1": intervals["expert_coef_[0, 1, 0]"], "t:e2": intervals["expert_coef_[0, 1, 1]"],
    }
    for term, (estimate, se, low, high) in ours.items():
        assert estimate == pytest.approx(ref.fe_params[term], rel=1e-3, abs=1e-4)
        assert se == pytest.approx(ref.bse_fe[term], rel=1e-3)  # measured 2e-5
        assert (low + high) / 2 == pytest.approx(estimate) and high - low == pytest.approx(2 * 1.959964 * se)
    # variances: positive intervals on the log scale, around the estimate
    estimate, se, low, high = intervals["residual_variances_[0]"]
    assert 0 < low < estimate < high and se > 0
    assert np.log(high) - np.log(estimate) == pytest.approx(np.log(estimate) - np.log(low))


def test_confidence_intervals_on_the_paper_design(design, fitted):
    X, Y, times, _ = design
    intervals = fitted.confidence_intervals(X, Y, times, alpha=0.05)
    assert len(intervals) == 37  # the parameter count of the BIC
    for estimate, se, low, high in intervals.values():
        assert np.isfinite(se) and se > 0 and low < estimate < high
    assert intervals["knots_[0]"][0] == fitted.knots_[0]
    assert intervals["gating_coef_[1, 1]"][0] == fitted.gating_coef_[1, 1]
    narrow = fitted.confidence_intervals(X, Y, times, alpha=0.5)
    assert narrow["means_[1, 2]"][3] - narrow["means_[1, 2]"][2] < intervals["means_[1, 2]"][3] - intervals["means_[1, 2]"][2]
    with pytest.raises(ValueError, match="alpha"):
        fitted.confidence_intervals(X, Y, times, alpha=1.5)
    with pytest.raises(ValueError, match="occasions"):
        fitted.confidence_intervals(X, Y[:, :5], times[:, :5])


def test_confidence_intervals_warn_when_not_identified(design):
    X, Y, times, _ = design
    # a constant expert covariate is collinear with the intercept: the information is singular
    X_const = X.copy()
    X_const[:, 3] = 0.0
    model = GrowthMixtureOfExperts(1, curve="linear", expert_features=[3], gating_features=None, n_init=1)
    model.fit(X_const[:200], Y[:200], times=times[:200])
    with pytest.warns(UserWarning, match="not positive definite"):
        intervals = model.confidence_intervals(X_const[:200], Y[:200], times[:200])
    assert np.isnan(intervals["means_[0, 0]"][1])
