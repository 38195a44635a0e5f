"""Row scores (leverage, Lewis weights, exact l_p sensitivities) and LpSensitivitySampler."""

import numpy as np
import pytest
import statsmodels.api as sm
from joblib import parallel_config
from scipy.optimize import linprog
from sklearn.exceptions import ConvergenceWarning
from statsmodels.stats.outliers_influence import OLSInfluence

import skpapers.sampling._lp_sensitivity as lp_module
from skpapers.sampling import (
    LpSensitivitySampler,
    leverage_scores,
    lewis_weights,
    lp_sensitivities,
    sampling_probabilities,
)


def _heavy(n=120, d=4, seed=0):
    return np.random.default_rng(seed).standard_t(1.5, size=(n, d))


# ---------------------------------------------------------------- leverage


def test_leverage_scores_match_statsmodels_hat_matrix():
    X = _heavy()
    rng = np.random.default_rng(1)
    results = sm.OLS(rng.standard_normal(X.shape[0]), X).fit()
    np.testing.assert_allclose(leverage_scores(X), OLSInfluence(results).hat_matrix_diag, rtol=1e-10, atol=1e-12)


def test_leverage_scores_of_rank_deficient_matrix_use_the_pseudo_inverse():
    X = _heavy()
    X = np.column_stack([X, X[:, 0] + X[:, 1]])  # rank 4 with 5 columns
    tau = leverage_scores(X)
    expected = np.einsum("ij,jk,ik->i", X, np.linalg.pinv(X.T @ X), X)
    np.testing.assert_allclose(tau, expected, atol=1e-8)
    assert tau.sum() == pytest.approx(4.0)


def test_leverage_scores_reject_nan():
    X = _heavy()
    X[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        leverage_scores(X)


# ----------------------------------------------------------- Lewis weights


@pytest.mark.parametrize("p", [1.0, 1.5, 3.0, 5.0])
def test_lewis_weights_solve_their_fixed_point_equation(p):
    X = _heavy()
    w = lewis_weights(X, p)
    # w_i = (x_i^T (X^T W^(1-2/p) X)^-1 x_i)^(p/2), checked on X itself (not on the basis used inside)
    gram = X.T @ (w[:, None] ** (1 - 2 / p) * X)
    rhs = np.einsum("ij,jk,ik->i", X, np.linalg.inv(gram), X) ** (p / 2)
    np.testing.assert_allclose(w, rhs, rtol=1e-7)
    assert w.sum() == pytest.approx(X.shape[1], rel=1e-9)


def test_lewis_weights_at_p_2_are_leverage_scores():
    X = _heavy()
    np.testing.assert_allclose(lewis_weights(X, 2), leverage_scores(X), atol=1e-12)


def test_lewis_weights_warn_when_the_iteration_is_cut_short():
    with pytest.warns(ConvergenceWarning, match="Lewis"):
        lewis_weights(_heavy(), 1, max_iter=2)


def test_lewis_weights_give_zero_rows_zero_weight():
    X = _heavy()
    X[3] = 0.0
    w = lewis_weights(X, 1)
    assert w[3] == 0.0 and w.sum() == pytest.approx(X.shape[1])


@pytest.mark.parametrize("p", [0.5, np.inf, -1.0])
def test_scores_reject_p_outside_one_to_infinity(p):
    with pytest.raises(ValueError, match="p must be"):
        lewis_weights(_heavy(), p)
    with pytest.raises(ValueError, match="p must be"):
        lp_sensitivities(_heavy(), p)


# ----------------------------------------------------- exact sensitivities


def _sensitivity_by_primal_lp(X, i):
    """1 / min ||X b||_1 subject to <x_i, b> = 1, in the textbook primal form (b, t)."""
    n, d = X.shape
    A_ub = np.block([[X, -np.eye(n)], [-X, -np.eye(n)]])
    A_eq = np.r_[X[i], np.zeros(n)][None, :]
    res = linprog(
        np.r_[np.zeros(d), np.ones(n)],
        A_ub=A_ub,
        b_ub=np.zeros(2 * n),
        A_eq=A_eq,
        b_eq=[1.0],
        bounds=[(None, None)] * d + [(0, None)] * n,
        method="highs",
    )
    return 1.0 / res.fun


def test_l1_sensitivities_match_the_primal_linear_program():
    X = _heavy(n=40, d=3)
    sigma = lp_sensitivities(X, 1)
    expected = [_sensitivity_by_primal_lp(X, i) for i in range(0, 40, 7)]
    np.testing.assert_allclose(sigma[::7], expected, rtol=1e-8)


@pytest.mark.parametrize("p", [1.0, 1.5, 3.0])
def test_sensitivities_bound_every_direction(p):
    X = _heavy(n=50, d=3)
    sigma = lp_sensitivities(X, p)
    B = np.random.default_rng(3).standard_normal((3, 2000))
    ratios = np.abs(X @ B) ** p / np.sum(np.abs(X @ B) ** p, axis=0)
    assert np.all(ratios.max(axis=1) <= sigma + 1e-9)
    # ... and the supremum is nearly attained by some random direction for the largest ones
    top = np.argmax(sigma)
    assert ratios[top].max() > 0.5 * sigma[top]


def test_sensitivities_at_p_2_are_leverage_scores():
    X = _heavy(n=60, d=3)
    np.testing.assert_allclose(lp_sensitivities(X, 2), leverage_scores(X), atol=1e-12)


@pytest.mark.parametrize("p", [1.0, 1.5])
def test_total_sensitivity_below_the_rank_and_below_lewis_weights_for_p_below_2(p):
    X = _heavy(n=60, d=3)
    sigma = lp_sensitivities(X, p)
    assert np.all(sigma <= lewis_weights(X, p) + 1e-8)
    assert sigma.sum() < 3


def test_total_sensitivity_below_d_to_the_p_over_2_for_p_above_2():
    X = _heavy(n=60, d=3)
    sigma = lp_sensitivities(X, 3.0)
    assert 3 < sigma.sum() <= 3**1.5


def test_duplicated_rows_share_their_sensitivity():
    X = _heavy(n=40, d=3)
    doubled = np.vstack([X, X[:1]])
    sigma = lp_sensitivities(doubled, 1)
    assert sigma[0] == pytest.approx(sigma[-1], rel=1e-8)
    assert sigma[0] <= 0.5 + 1e-12


def test_sensitivities_of_rank_deficient_and_zero_rows():
    X = _heavy(n=40, d=3)
    X = np.column_stack([X, 2.0 * X[:, 0]])
    X[5] = 0.0
    sigma = lp_sensitivities(X, 1)
    reduced = lp_sensitivities(X[:, :3], 1)
    np.testing.assert_allclose(sigma, reduced, rtol=1e-7, atol=1e-12)
    assert sigma[5] == 0.0


def test_sensitivities_in_parallel_equal_sequential():
    X = _heavy(n=40, d=3)
    with parallel_config(backend="threading"):
        parallel = lp_sensitivities(X, 1.5, n_jobs=2)
    np.testing.assert_allclose(parallel, lp_sensitivities(X, 1.5), rtol=1e-10)


def test_sensitivities_warn_on_many_rows(monkeypatch):
    monkeypatch.setattr(lp_module, "_EXACT_SENSITIVITY_WARN_ROWS", 30)
    with pytest.warns(UserWarning, match="one optimisation per row"):
        lp_sensitivities(_heavy(n=40, d=2), 2)


# --------------------------------------------------- sampling probabilities


def test_sampling_probabilities_sum_to_the_target_and_cap_at_one():
    scores = np.r_[50.0, np.linspace(0.1, 1.0, 99)]
    prob = sampling_probabilities(scores, 20)
    assert prob.sum() == pytest.approx(20)
    assert prob[0] == 1.0
    ratio = prob[1:] / scores[1:]
    np.testing.assert_allclose(ratio, ratio[0])  # proportional below the cap
    np.testing.assert_array_equal(sampling_probabilities([0.0, 1.0, 2.0], 5), [0.0, 1.0, 1.0])


@pytest.mark.parametrize(
    ("scores", "match"),
    [([1.0, -1.0], "non-negative"), ([0.0, 0.0], "positive"), ([[1.0, 2.0]], "1-D"), ([1.0, np.nan], "NaN")],
)
def test_sampling_probabilities_reject_bad_scores(scores, match):
    with pytest.raises(ValueError, match=match):
        sampling_probabilities(scores, 1)


# ----------------------------------------------------------------- sampler


def _regression(n=400, d=3, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_t(1.5, size=(n, d))
    return X, X @ rng.standard_normal(d) + rng.laplace(size=n)


@pytest.mark.parametrize("replace", [False, True])
def test_sampler_estimate_of_the_lp_norm_is_unbiased(replace):
    X, y = _regression(n=200)
    A = np.column_stack([X, np.ones(len(y)), y])
    x = np.random.default_rng(5).standard_normal(A.shape[1])
    truth = np.sum(np.abs(A @ x))
    estimates = []
    for seed in range(200):
        sampler = LpSensitivitySampler(p=1, method="root_leverage", n_samples=40, replace=replace, random_state=seed)
        sampler.fit_sample(X, y)
        rows = A[sampler.sample_indices_]
        estimates.append(sampler.sample_weight_ @ np.abs(rows @ x))
    estimates = np.asarray(estimates)
    standard_error = estimates.std() / np.sqrt(len(estimates))
    assert abs(estimates.mean() - truth) < 4 * standard_error
    assert standard_error < 0.05 * truth  # not unbiased by being useless


def test_sampler_attributes_and_weights():
    X, y = _regression()
    sampler = LpSensitivitySampler(p=1, method="lewis", n_samples=50, random_state=0)
    X_s, y_s, weight = sampler.fit_sample(X, y)
    # Lewis weights of [X, 1, y], iterated to 1e-4 inside the sampler
    assert sampler.total_score_ == pytest.approx(X.shape[1] + 2, rel=1e-3)
    assert sampler.probabilities_.sum() == pytest.approx(50)
    np.testing.assert_array_equal(X_s, X[sampler.sample_indices_])
    np.testing.assert_array_equal(y_s, y[sampler.sample_indices_])
    np.testing.assert_allclose(weight, 1.0 / sampler.probabilities_[sampler.sample_indices_])
    assert weight is sampler.sample_weight_ and sampler.n_samples_drawn_ == len(y_s)
    assert not hasattr(sampler, "total_sensitivity_")
    # the same seed gives the same sample
    again = LpSensitivitySampler(p=1, method="lewis", n_samples=50, random_state=0).fit_sample(X, y)
    np.testing.assert_array_equal(again[0], X_s)


def test_sampler_column_layout():
    X, y = _regression()
    for include_target, fit_intercept, rank in [(True, True, 5), (False, True, 4), (True, False, 4), (False, False, 3)]:
        sampler = LpSensitivitySampler(
            method="leverage", include_target=include_target, fit_intercept=fit_intercept
        ).fit(X, y)
        assert sampler.total_score_ == pytest.approx(rank)
    # y=None: the sample of X alone, default size ceil(10 * (3 + 1))
    sampler = LpSensitivitySampler(method="leverage", random_state=0)
    X_s, y_s, _ = sampler.fit_sample(X)
    assert y_s is None and sampler.probabilities_.sum() == pytest.approx(40)


def test_sensitivity_methods_set_total_sensitivity():
    X, y = _regression(n=40, d=2)
    exact = LpSensitivitySampler(p=1, method="sensitivity").fit(X, y)
    np.testing.assert_allclose(exact.scores_, lp_sensitivities(np.column_stack([X, np.ones(40), y]), 1))
    assert exact.total_sensitivity_ == pytest.approx(exact.scores_.sum())
    mixed = LpSensitivitySampler(p=3, method="leverage_sensitivity").fit(X, y)
    assert mixed.total_score_ == pytest.approx(1.0)  # an even mixture of two distributions
    root = LpSensitivitySampler(p=1, method="root_leverage").fit(X, y)
    lev = LpSensitivitySampler(p=1, method="leverage").fit(X, y)
    np.testing.assert_allclose(root.scores_, np.sqrt(lev.scores_))
    uniform = LpSensitivitySampler(method="uniform", n_samples=8).fit(X, y)
    np.testing.assert_allclose(uniform.probabilities_, 0.2)


def test_sampler_never_keeps_zero_rows():
    X, y = _regression()
    X[:10] = 0.0
    y[:10] = 0.0
    sampler = LpSensitivitySampler(method="lewis", fit_intercept=False, n_samples=390, random_state=0)
    sampler.fit_sample(X, y)
    assert np.all(sampler.sample_indices_ >= 10)


@pytest.mark.parametrize(
    ("params", "error", "match"),
    [
        ({"p": 0.5}, ValueError, "'p' parameter"),
        ({"p": np.inf}, ValueError, "'p' parameter"),
        ({"method": "magic"}, ValueError, "'method' parameter"),
        ({"n_samples": 0}, ValueError, "'n_samples' parameter"),
    ],
)
def test_sampler_rejects_bad_parameters(params, error, match):
    X, y = _regression(n=30)
    with pytest.raises(error, match=match):
        LpSensitivitySampler(**params).fit(X, y)


def test_sampler_rejects_bad_data():
    X, y = _regression(n=30)
    with pytest.raises(ValueError, match="zero"):
        LpSensitivitySampler(method="lewis", fit_intercept=False, include_target=False).fit(np.zeros((5, 2)))
    X_nan = X.copy()
    X_nan[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        LpSensitivitySampler(method="lewis").fit(X_nan, y)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        LpSensitivitySampler(method="lewis").fit(X, y[:-1])


# ------------------------------------------------------------- invariances


@pytest.mark.parametrize("scores", [lambda A: lewis_weights(A, 1.5), lambda A: lp_sensitivities(A, 1)])
def test_scores_follow_row_permutations_and_ignore_column_changes_of_basis(scores):
    rng = np.random.default_rng(7)
    X = _heavy(n=40, d=3)
    base = scores(X)
    order = rng.permutation(40)
    np.testing.assert_allclose(scores(X[order]), base[order], rtol=1e-7, atol=1e-12)
    # the scores depend on the column space only: X -> X R for invertible R
    R = rng.standard_normal((3, 3)) + 3 * np.eye(3)
    np.testing.assert_allclose(scores(X @ R), base, rtol=1e-7, atol=1e-12)
