"""CompositionalPartialCorrelation against pingouin/pandas on alr coordinates, OLS residuals,
the pseudo-inverse identities of Aitchison, and its input handling."""

import re
import warnings

import numpy as np
import pandas as pd
import pingouin  # noqa: F401  (registers DataFrame.pcorr)
import pytest
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils._param_validation import InvalidParameterError

from skpapers.compositional import CompositionalPartialCorrelation, LogRatioTransformer, compositional_partial_corr
from skpapers.datasets import make_logistic_normal


def _compositions(n_samples=200, n_parts=6, seed=0):
    """Logistic-normal compositions with a dense random alr covariance and unequal part sizes."""
    rng = np.random.default_rng(seed)
    mixing = rng.standard_normal((n_parts, n_parts))
    log_parts = rng.standard_normal((n_samples, n_parts)) @ mixing + rng.normal(0, 2, size=n_parts)
    X = np.exp(log_parts)
    return X / X.sum(axis=1, keepdims=True)


def _alr(X, reference):
    return np.log(np.delete(X, reference, axis=1) / X[:, [reference]])


# --- oracle: pingouin on alr coordinates -----------------------------------------------------------------


def test_matches_pingouin_partial_corr_for_every_pair_and_reference():
    X = _compositions(n_samples=120, n_parts=6)
    n_parts = X.shape[1]
    estimator = CompositionalPartialCorrelation().fit(X)
    checked = 0
    for reference in range(n_parts):
        names = [f"p{k}" for k in range(n_parts) if k != reference]
        data = pd.DataFrame(_alr(X, reference), columns=names)
        for i in range(n_parts):
            for j in range(i + 1, n_parts):
                if reference in (i, j):
                    continue
                covar = [f"p{k}" for k in range(n_parts) if k not in (i, j, reference)]
                peer = pingouin.partial_corr(data=data, x=f"p{i}", y=f"p{j}", covar=covar)
                ours = estimator.test(i, j)
                assert ours.statistic == pytest.approx(peer["r"].iloc[0], abs=1e-12)
                assert ours.pvalue == pytest.approx(peer["p_val"].iloc[0], rel=1e-8, abs=1e-300)
                assert peer["n"].iloc[0] - len(covar) - 2 == ours.df
                checked += 1
    assert checked == n_parts * (n_parts - 1) * (n_parts - 2) // 2


@pytest.mark.parametrize("reference", [0, 3, 6])
def test_alr_block_matches_pandas_pcorr(reference):
    # pingouin's DataFrame.pcorr on the (non-singular) alr coordinates: reference-free
    # means every reference gives the same values for the pairs it does not contain.
    X = _compositions(n_samples=300, n_parts=7, seed=1)
    rho = CompositionalPartialCorrelation().fit(X).partial_correlation_
    peer = pd.DataFrame(_alr(X, reference)).pcorr().to_numpy()
    keep = [k for k in range(7) if k != reference]
    np.testing.assert_allclose(rho[np.ix_(keep, keep)], peer, atol=1e-12)


# --- the spec's interpretation: residual correlations and residual variances -----------------------------


def test_partial_correlation_and_variance_are_ols_residual_quantities():
    X = _compositions(n_samples=150, n_parts=5, seed=2)
    ddof = 1
    estimator = CompositionalPartialCorrelation(ddof=ddof).fit(X)
    n = X.shape[0]
    log_X = np.log(X)
    for i, j, r in [(0, 1, 4), (0, 1, 2), (2, 4, 0), (3, 4, 1)]:
        controls = [k for k in range(5) if k not in (i, j, r)]
        design = sm.add_constant(log_X[:, controls] - log_X[:, [r]])
        res_i = sm.OLS(log_X[:, i] - log_X[:, r], design).fit().resid
        res_j = sm.OLS(log_X[:, j] - log_X[:, r], design).fit().resid
        assert estimator.partial_correlation_[i, j] == pytest.approx(np.corrcoef(res_i, res_j)[0, 1], abs=1e-12)
    for i, r in [(0, 4), (0, 2), (3, 1)]:
        others = [k for k in range(5) if k not in (i, r)]
        fit = sm.OLS(log_X[:, i] - log_X[:, r], sm.add_constant(log_X[:, others] - log_X[:, [r]])).fit()
        assert estimator.partial_variance_[i] == pytest.approx(fit.ssr / (n - ddof), rel=1e-10)


def test_precision_is_the_pseudo_inverse_and_maps_the_alr_inverse():
    X = _compositions(n_samples=100, n_parts=6, seed=3)
    estimator = CompositionalPartialCorrelation().fit(X)
    gamma, omega = estimator.covariance_, estimator.precision_
    clr = LogRatioTransformer().fit_transform(X)
    np.testing.assert_allclose(gamma, np.cov(clr, rowvar=False), atol=1e-12)
    np.testing.assert_allclose(estimator.location_, clr.mean(axis=0), atol=1e-12)
    np.testing.assert_allclose(omega, np.linalg.pinv(gamma, hermitian=True), rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(omega.sum(axis=1), 0.0, atol=1e-10)
    # Aitchison: the leading block of pinv(Gamma) is the inverse alr covariance (reference D).
    sigma = np.cov(_alr(X, 5), rowvar=False)
    np.testing.assert_allclose(omega[:5, :5], np.linalg.inv(sigma), rtol=1e-9)
    np.testing.assert_allclose(estimator.partial_variance_, 1 / np.diag(omega))
    np.testing.assert_array_equal(np.diag(estimator.partial_correlation_), 1.0)


def test_each_row_satisfies_the_sum_identity():
    # Omega 1 = 0  =>  sum_{j != i} rho_ij sqrt(Omega_jj / Omega_ii) = 1 for every i
    X = _compositions(n_samples=80, n_parts=7, seed=4)
    estimator = CompositionalPartialCorrelation().fit(X)
    d = np.diag(estimator.precision_)
    weights = np.sqrt(d[None, :] / d[:, None])
    off = estimator.partial_correlation_ - np.eye(7)
    np.testing.assert_allclose((off * weights).sum(axis=1), 1.0, atol=1e-10)
    assert ((off > 0).sum(axis=1) >= 1).all()


def test_ddof_scales_variances_but_not_correlations():
    X = _compositions(n_samples=60, n_parts=4, seed=5)
    a = CompositionalPartialCorrelation(ddof=0).fit(X)
    b = CompositionalPartialCorrelation(ddof=1).fit(X)
    np.testing.assert_allclose(a.partial_correlation_, b.partial_correlation_, atol=1e-12)
    np.testing.assert_allclose(a.partial_variance_ * 60 / 59, b.partial_variance_, rtol=1e-12)


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 2**16),
    permutation=st.permutations(range(5)),
    scales=st.lists(st.floats(1e-3, 1e3), min_size=40, max_size=40),
)
def test_scale_invariance_and_permutation_equivariance(seed, permutation, scales):
    X = _compositions(n_samples=40, n_parts=5, seed=seed)
    rho, variance = compositional_partial_corr(X)
    rho_scaled, variance_scaled = compositional_partial_corr(X * np.asarray(scales)[:, None])
    np.testing.assert_allclose(rho_scaled, rho, atol=1e-8)
    np.testing.assert_allclose(variance_scaled, variance, rtol=1e-8)
    rho_perm, variance_perm = compositional_partial_corr(X[:, permutation])
    np.testing.assert_allclose(rho_perm, rho[np.ix_(permutation, permutation)], atol=1e-8)
    np.testing.assert_allclose(variance_perm, variance[permutation], rtol=1e-8)


def test_subcompositional_incoherence_is_that_of_ordinary_partial_correlation():
    # Dropping a part removes a control: the result equals the partial correlation on the
    # subcomposition, which differs from the full one.
    X = _compositions(n_samples=500, n_parts=5, seed=6)
    full = compositional_partial_corr(X)[0]
    sub = compositional_partial_corr(X[:, :4])[0]
    peer = pd.DataFrame(_alr(X[:, :4], 3)).pcorr().to_numpy()
    np.testing.assert_allclose(sub[:3, :3], peer, atol=1e-12)
    assert np.abs(sub - full[:4, :4]).max() > 0.05


def test_recovers_planted_partial_correlations():
    X, truth = make_logistic_normal(n_samples=20000, n_parts=8, random_state=0)
    rho = compositional_partial_corr(X)[0]
    assert np.abs(rho - truth).max() < 0.03


def test_t_test_statistic_and_names():
    X = pd.DataFrame(_compositions(n_samples=50, n_parts=4, seed=7), columns=list("abcd"))
    estimator = CompositionalPartialCorrelation().fit(X)
    by_name, by_index = estimator.test("a", "c"), estimator.test(0, -2)
    assert by_name == by_index
    rho = estimator.partial_correlation_[0, 2]
    assert by_name.df == 47
    assert by_name.tstat == pytest.approx(rho * np.sqrt(47 / (1 - rho**2)))
    assert list(estimator.get_feature_names_out()) == list("abcd")


def test_pipeline_and_pandas_output():
    X = pd.DataFrame(_compositions(n_samples=50, n_parts=4), columns=list("abcd"))
    pipe = make_pipeline(CompositionalPartialCorrelation(), StandardScaler()).set_output(transform="pandas")
    out = pipe.fit_transform(X)
    assert list(out.columns) == list("abcd")
    np.testing.assert_allclose(
        pipe[0].transform(X), LogRatioTransformer().fit_transform(X.to_numpy()), atol=1e-12
    )


def test_pseudocount_handles_zeros_and_changes_the_result():
    X = _compositions(n_samples=100, n_parts=5)
    X_zero = X.copy()
    X_zero[X_zero < 0.01] = 0.0
    assert (X_zero == 0).any()
    with pytest.raises(ValueError, match="zero part.*pseudocount"):
        CompositionalPartialCorrelation().fit(X_zero)
    rho = compositional_partial_corr(X_zero, pseudocount=1e-3)[0]
    np.testing.assert_allclose(rho, compositional_partial_corr(X_zero + 1e-3)[0], atol=1e-12)


# --- bad input -------------------------------------------------------------------------------------------


def test_negative_nan_inf_and_types():
    X = _compositions(n_samples=30, n_parts=4)
    bad = X.copy()
    bad[0, 1] = -1.0
    with pytest.raises(ValueError, match="Negative values in data passed to CompositionalPartialCorrelation"):
        CompositionalPartialCorrelation().fit(bad)
    for value, message in [(np.nan, "NaN"), (np.inf, "infinity")]:
        bad = X.copy()
        bad[0, 1] = value
        with pytest.raises(ValueError, match=message):
            CompositionalPartialCorrelation().fit(bad)
    with pytest.raises(ValueError, match="could not convert|numeric"):
        CompositionalPartialCorrelation().fit(np.array([["a", "b", "c"]] * 5))
    with pytest.raises(InvalidParameterError, match="ddof"):
        CompositionalPartialCorrelation(ddof=-1).fit(X)
    with pytest.raises(InvalidParameterError, match="pseudocount"):
        CompositionalPartialCorrelation(pseudocount=-1.0).fit(X)


def test_too_few_samples_raise_and_few_samples_warn():
    X = _compositions(n_samples=10, n_parts=10)
    with pytest.raises(ValueError, match=r"Got 9 sample\(s\) for 10 parts.*n_samples > n_parts - 1 = 9"):
        CompositionalPartialCorrelation().fit(X[:9])
    with pytest.warns(UserWarning, match="fewer than 5 per part"):
        CompositionalPartialCorrelation(ddof=0).fit(X)  # n_samples = n_parts is enough
    with pytest.raises(ValueError, match="ddof=20 must be smaller than n_samples=15"):
        CompositionalPartialCorrelation(ddof=20).fit(_compositions(n_samples=15, n_parts=3))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        CompositionalPartialCorrelation().fit(_compositions(n_samples=50, n_parts=10))


def test_single_part_raises_and_two_parts_are_degenerate():
    with pytest.raises(ValueError, match="at least 2 parts; got X with 1 feature"):
        CompositionalPartialCorrelation().fit(np.ones((20, 1)))
    X = _compositions(n_samples=40, n_parts=2)
    with pytest.warns(UserWarning, match="1 by construction"):
        estimator = CompositionalPartialCorrelation().fit(X)
    np.testing.assert_allclose(estimator.partial_correlation_, 1.0)
    assert estimator.partial_variance_ == pytest.approx(np.var(np.log(X[:, 0] / X[:, 1]), ddof=1))
    with pytest.raises(ValueError, match="at least 3 parts"):
        estimator.test(0, 1)


def test_constant_ratio_names_the_parts():
    X = pd.DataFrame(_compositions(n_samples=60, n_parts=5), columns=["Si", "Al", "Fe", "Mg", "Ca"])
    X["Fe"] = 2.5 * X["Al"]
    with pytest.raises(ValueError, match=re.escape("parts ['Al', 'Fe']")):
        CompositionalPartialCorrelation().fit(X)
    constant = np.ones((30, 4))
    with pytest.raises(ValueError, match="constant"):
        CompositionalPartialCorrelation().fit(constant)


def test_test_rejects_bad_parts():
    estimator = CompositionalPartialCorrelation().fit(_compositions(n_samples=40, n_parts=4))
    with pytest.raises(ValueError, match="must be different parts"):
        estimator.test(1, 1)
    with pytest.raises(ValueError, match="j=4 is out of range"):
        estimator.test(0, 4)
    with pytest.raises(TypeError, match="integer index or a feature name"):
        estimator.test(0, 1.0)
    with pytest.raises(ValueError, match="no feature names"):
        estimator.test("a", 1)


def test_input_is_not_modified():
    X = _compositions(n_samples=40, n_parts=4)
    copy = X.copy()
    CompositionalPartialCorrelation(pseudocount=1.0).fit(X).transform(X)
    np.testing.assert_array_equal(X, copy)


@pytest.mark.parametrize("normalising_set", [[2, 3, 4], [4, 5], [3]])
def test_normalising_by_a_set_among_the_controls_gives_the_same_values(normalising_set):
    # log(x_k / g(x_S)) for a normalising set S (a single part: alr): when S lies among the
    # controls, residual correlations equal rho_ij. (Not for clr, where S holds i and j.)
    X = _compositions(n_samples=200, n_parts=6, seed=8)
    rho = compositional_partial_corr(X)[0]
    log_X = np.log(X)
    coordinates = log_X - log_X[:, normalising_set].mean(axis=1, keepdims=True)
    for i, j in [(0, 1), (0, 5), (1, 5)]:
        if {i, j} & set(normalising_set):
            continue
        controls = [k for k in range(6) if k not in (i, j)]
        design = np.column_stack([np.ones(len(X)), coordinates[:, controls]])
        # the controls can be collinear (the set's coordinates sum to zero): least squares
        # through the pseudo-inverse still gives the residuals
        residuals = [
            target - design @ np.linalg.lstsq(design, target, rcond=None)[0]
            for target in (coordinates[:, i], coordinates[:, j])
        ]
        assert np.corrcoef(*residuals)[0, 1] == pytest.approx(rho[i, j], abs=1e-10)
