"""LpRegression against peers and closed forms; SampledLpRegression."""

import numpy as np
import pytest
from scipy.optimize import minimize
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LinearRegression, QuantileRegressor

from skpapers.linear_model import LpRegression, SampledLpRegression
from skpapers.sampling import LpSensitivitySampler


def _data(n=300, d=4, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_t(2.0, size=(n, d))
    y = X @ rng.standard_normal(d) + 1.0 + rng.standard_t(1.5, size=n)
    return X, y, rng.uniform(0.0, 3.0, size=n)


def _objective(model, X, y, p, weight=None):
    weight = np.ones(len(y)) if weight is None else weight
    return float(weight @ np.abs(y - model.predict(X)) ** p)


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
def test_p1_reaches_quantile_regressor_objective(fit_intercept, weighted):
    X, y, weight = _data()
    weight = weight if weighted else None
    ours = LpRegression(p=1, fit_intercept=fit_intercept).fit(X, y, sample_weight=weight)
    peer = QuantileRegressor(quantile=0.5, alpha=0.0, fit_intercept=fit_intercept, solver="highs")
    peer.fit(X, y, sample_weight=weight)
    peer_objective = _objective(peer, X, y, 1, weight)
    assert ours.objective_ == pytest.approx(_objective(ours, X, y, 1, weight), rel=1e-12)
    assert ours.objective_ <= peer_objective * (1 + 1e-4)
    assert ours.objective_ == pytest.approx(peer_objective, rel=1e-4)


@pytest.mark.parametrize("weighted", [False, True])
def test_p2_is_least_squares(weighted):
    X, y, weight = _data()
    weight = weight if weighted else None
    ours = LpRegression(p=2).fit(X, y, sample_weight=weight)
    peer = LinearRegression().fit(X, y, sample_weight=weight)
    np.testing.assert_allclose(ours.coef_, peer.coef_, rtol=1e-10)
    assert ours.intercept_ == pytest.approx(peer.intercept_, rel=1e-10)


@pytest.mark.parametrize("p", [1.2, 1.5, 3.0, 6.0])
def test_other_p_match_a_general_purpose_optimiser(p):
    X, y, weight = _data(n=150, d=3)
    ours = LpRegression(p=p, tol=1e-12, max_iter=500).fit(X, y, sample_weight=weight)
    D = np.column_stack([X, np.ones(len(y))])
    scale = np.sum(weight * np.abs(y - y.mean()) ** p)

    def objective(w):
        return np.sum(weight * np.abs(y - D @ w) ** p) / scale

    # Powell from the least-squares start: derivative-free and independent of our solver.
    start = np.linalg.lstsq(D, y, rcond=None)[0]
    reference = minimize(objective, start, method="Powell", options={"xtol": 1e-10, "ftol": 1e-14, "maxfev": 50_000})
    assert ours.objective_ / scale <= reference.fun * (1 + 1e-7)
    assert ours.objective_ / scale == pytest.approx(reference.fun, rel=1e-5)


def test_integer_weights_equal_repeated_rows():
    X, y, _ = _data(n=80, d=3)
    counts = np.random.default_rng(1).integers(0, 4, size=80)
    for p in (1.0, 1.7):
        weighted = LpRegression(p=p, tol=1e-12).fit(X, y, sample_weight=counts)
        repeated = LpRegression(p=p, tol=1e-12).fit(np.repeat(X, counts, axis=0), np.repeat(y, counts))
        assert weighted.objective_ == pytest.approx(repeated.objective_, rel=1e-8)


def test_rank_deficient_design_keeps_the_optimal_objective():
    X, y, _ = _data(n=120, d=3)
    X_dup = np.column_stack([X, X[:, 0]])
    for p in (1.0, 1.5, 2.0):
        full = LpRegression(p=p, tol=1e-12).fit(X_dup, y)
        reduced = LpRegression(p=p, tol=1e-12).fit(X, y)
        assert full.objective_ == pytest.approx(reduced.objective_, rel=1e-7)


def test_exact_fit_has_zero_objective():
    X, _, _ = _data(n=50, d=3)
    y = X @ [1.0, 2.0, -1.0] + 0.5
    for p in (1.0, 1.5, 3.0):
        reg = LpRegression(p=p).fit(X, y)
        np.testing.assert_allclose(reg.coef_, [1.0, 2.0, -1.0], atol=1e-6)
        assert reg.objective_ < 1e-8


def test_not_converging_warns():
    X, y, _ = _data()
    with pytest.warns(ConvergenceWarning, match="LpRegression"):
        LpRegression(p=1.1, max_iter=1, tol=1e-15).fit(X, y)


@pytest.mark.parametrize(
    ("params", "match"),
    [({"p": 0.5}, "'p' parameter"), ({"p": np.inf}, "'p' parameter"), ({"max_iter": 0}, "'max_iter' parameter")],
)
def test_bad_parameters(params, match):
    X, y, _ = _data(n=30)
    with pytest.raises(ValueError, match=match):
        LpRegression(**params).fit(X, y)


def test_bad_sample_weight():
    X, y, _ = _data(n=30)
    with pytest.raises(ValueError, match="sample_weight must have shape"):
        LpRegression().fit(X, y, sample_weight=np.ones(29))
    with pytest.raises(ValueError, match="non-negative"):
        LpRegression().fit(X, y, sample_weight=-np.ones(30))
    with pytest.raises(ValueError, match="zero everywhere"):
        LpRegression().fit(X, y, sample_weight=np.zeros(30))


# ------------------------------------------------------- SampledLpRegression


def test_sampled_fit_keeping_every_row_is_the_exact_fit():
    X, y, _ = _data(n=100, d=3)
    sampled = SampledLpRegression(p=1, n_samples=100, random_state=0).fit(X, y)
    exact = LpRegression(p=1).fit(X, y)
    assert sampled.sample_indices_.size == 100
    np.testing.assert_allclose(sampled.sampler_.sample_weight_, 1.0)
    assert _objective(sampled, X, y, 1) == pytest.approx(exact.objective_, rel=1e-9)


@pytest.mark.parametrize("p", [1.0, 1.5, 3.0])
def test_sampled_fit_is_near_optimal(p):
    X, y, _ = _data(n=4000, d=3)
    exact = LpRegression(p=p).fit(X, y)
    excess = []
    for seed in range(5):
        sampled = SampledLpRegression(p=p, n_samples=400, random_state=seed).fit(X, y)
        excess.append(_objective(sampled, X, y, p) / exact.objective_ - 1)
        assert 200 < sampled.sample_indices_.size < 600
    assert 0 <= min(excess) and np.median(excess) < 0.05


def test_sampled_fit_uses_a_clone_of_the_given_sampler():
    X, y, _ = _data(n=500, d=3)
    sampler = LpSensitivitySampler(p=1, method="root_leverage", n_samples=100, include_target=False, random_state=3)
    model = SampledLpRegression(p=1, sampler=sampler).fit(X, y)
    assert model.sampler_ is not sampler and not hasattr(sampler, "scores_")
    assert model.sampler_.include_target and model.sampler_.method == "root_leverage"
    reference = LpSensitivitySampler(p=1, method="root_leverage", n_samples=100, random_state=3)
    X_s, y_s, weight = reference.fit_sample(X, y)
    np.testing.assert_array_equal(model.sample_indices_, reference.sample_indices_)
    direct = LpRegression(p=1).fit(X_s, y_s, sample_weight=weight)
    np.testing.assert_allclose(model.coef_, direct.coef_)


def test_sampled_fit_refuses_an_under_determined_sample():
    X, y, _ = _data(n=500, d=5)
    with pytest.raises(ValueError, match="under-determined. Increase n_samples"):
        SampledLpRegression(p=1, n_samples=2, random_state=0).fit(X, y)
