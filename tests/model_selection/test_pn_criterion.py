"""The p-n criterion against closed forms, the explicit tensor formula and Monte Carlo of the KL risk."""

import math
import warnings

import numpy as np
import pytest
from scipy.special import digamma
from sklearn.preprocessing import FunctionTransformer

from skpapers.model_selection import (
    ExponentialFamily,
    MultinomialFamily,
    MultivariateNormalFamily,
    mle_risk_expansion,
    pn_criterion,
    projection_risk_from_cumulants,
    select_model_pn,
)
from skpapers.model_selection._pn_criterion import _required_n


def _cumulants(points, weights):
    """G, K3, K4 of weighted points, by brute force (the reference for the tensor-free code)."""
    Y = points - weights @ points
    G = np.einsum("m,mi,mj->ij", weights, Y, Y)
    K3 = np.einsum("m,mi,mj,mk->ijk", weights, Y, Y, Y)
    K4 = (
        np.einsum("m,mi,mj,mk,ml->ijkl", weights, Y, Y, Y, Y)
        - np.einsum("ij,kl->ijkl", G, G)
        - np.einsum("ik,jl->ijkl", G, G)
        - np.einsum("il,jk->ijkl", G, G)
    )
    return G, K3, K4


def _exact_normal_risk(n):
    # E KL(N(mu, s2) || N(xbar, s2_hat)) with s2_hat the divisor-n variance: n s2_hat / s2 ~ chi2(n-1).
    return 0.5 * (digamma((n - 1) / 2) + math.log(2 / n)) + (n + 1) / (2 * (n - 3)) - 0.5


def _normal_population_cumulants():
    nodes, weights = np.polynomial.hermite_e.hermegauss(8)
    weights = weights / weights.sum()
    return _cumulants(np.stack([nodes, nodes**2], axis=1), weights)


# ----------------------------------------------------------------------------- closed forms


def test_normal_correct_model_coefficients_are_one_and_61_over_12():
    G, K3, K4 = _normal_population_cumulants()
    result = projection_risk_from_cumulants(G, K3, K4, G, K3, n=20)
    assert result.c1 == pytest.approx(1.0, abs=1e-12)
    assert result.c2 == pytest.approx(61 / 12, abs=1e-10)
    # Spec A: the expansion at n = 20 / 50 / 200.
    for n, expected in ((20, 0.062708), (50, 0.022033), (200, 0.0051271)):
        assert projection_risk_from_cumulants(G, K3, K4, G, K3, n=n).risk == pytest.approx(expected, abs=5e-7)


def test_exact_normal_risk_formula_matches_monte_carlo_and_the_expansion():
    n, reps = 20, 40_000
    rng = np.random.default_rng(1)
    X = rng.normal(size=(reps, n))
    mean, var = X.mean(axis=1), X.var(axis=1)
    kl = 0.5 * (np.log(var) + (1 + mean**2) / var - 1)
    standard_error = kl.std() / math.sqrt(reps)
    assert abs(kl.mean() - _exact_normal_risk(n)) < 4 * standard_error
    # Spec A: exact risks; the second-order expansion is within O(n^-3) of them.
    G, K3, K4 = _normal_population_cumulants()
    for n, exact in ((20, 0.065223), (50, 0.022178), (200, 0.0051292)):
        assert _exact_normal_risk(n) == pytest.approx(exact, abs=5e-7)
        expansion = projection_risk_from_cumulants(G, K3, K4, G, K3, n=n).risk
        first = 1 / n
        assert abs(expansion - exact) < abs(first - exact)  # the second order helps
        assert abs(expansion - exact) < 25 / n**3


def test_normal_plug_in_estimates_converge_to_the_population_values():
    X = np.random.default_rng(0).normal(3.0, 2.0, size=200_000)
    result = mle_risk_expansion(X, "normal", n=50)
    assert result.p == 2 and result.n == 50 and result.n_samples == X.shape[0]
    assert result.c1 == pytest.approx(1.0, abs=0.01)
    assert result.c2 == pytest.approx(61 / 12, rel=0.03)
    assert result.risk == pytest.approx(result.c1 / 50 + result.c2 / 2500, rel=1e-12)


@pytest.mark.parametrize("pi", [(0.1, 0.2, 0.3, 0.4), (0.5, 0.5), (0.05, 0.15, 0.2, 0.25, 0.35)])
def test_multinomial_closed_form_is_exact_on_matching_proportions(pi):
    counts = np.round(np.asarray(pi) * 200).astype(int)
    X = np.repeat(np.arange(len(pi)), counts)
    result = mle_risk_expansion(X, MultinomialFamily(categories=range(len(pi))), n=400)
    K = len(pi)
    assert result.p == K - 1
    assert result.c1 == pytest.approx((K - 1) / 2, abs=1e-12)
    assert result.c2 == pytest.approx((5 * np.sum(1 / np.asarray(pi)) - 6 * K + 1) / 12, abs=1e-10)


def test_bernoulli_is_the_two_cell_multinomial():
    X = np.r_[np.ones(30), np.zeros(70)]
    bernoulli = mle_risk_expansion(X, "bernoulli")
    multinomial = mle_risk_expansion(X.astype(int), "multinomial")
    assert bernoulli.p == multinomial.p == 1
    assert bernoulli.c1 == pytest.approx(multinomial.c1)
    assert bernoulli.c2 == pytest.approx((5 * (1 / 0.3 + 1 / 0.7) - 11) / 12)


def test_one_hot_rows_equal_labels():
    labels = np.random.default_rng(0).integers(0, 3, size=90)
    one_hot = np.eye(3)[labels]
    a = mle_risk_expansion(labels, "multinomial")
    b = mle_risk_expansion(one_hot, "multinomial")
    assert (a.c1, a.c2) == pytest.approx((b.c1, b.c2))


def test_multivariate_normal_c1_is_the_mardia_kurtosis_form():
    # Skewed, heavy-ish data: the model is wrong and c1 differs from p/2.
    rng = np.random.default_rng(3)
    X = rng.gamma(2.0, size=(4000, 3)) @ np.array([[1.0, 0.3, 0.0], [0.0, 1.0, 0.5], [0.0, 0.0, 2.0]])
    d = X.shape[1]
    Z = X - X.mean(axis=0)
    S_inv = np.linalg.inv(Z.T @ Z / Z.shape[0])
    beta = np.mean(np.einsum("ij,jk,ik->i", Z, S_inv, Z) ** 2)
    result = mle_risk_expansion(X, "multivariate_normal")
    assert result.p == 9
    assert result.c1 == pytest.approx((d + (beta - d) / 2) / 2, rel=1e-10)
    assert result.c1 > 9 / 2 + 0.5


# ----------------------------------------------------------------------------- tensor formula


@pytest.mark.parametrize("seed", [0, 1])
def test_tensor_free_evaluation_equals_the_explicit_tensor_formula(seed):
    rng = np.random.default_rng(seed)
    X = rng.gamma(3.0, size=(1500, 2))
    X[:, 1] += 0.5 * X[:, 0]
    family = MultivariateNormalFamily()
    T = family.sufficient_statistics(X)
    params = family.fit_moments(T.mean(axis=0))
    G, K3, K4 = _cumulants(*family.model_sample(params))
    W = T - T.mean(axis=0)
    Sigma = W.T @ W / W.shape[0]
    k3 = np.einsum("mi,mj,mk->ijk", W, W, W) / W.shape[0]
    reference = projection_risk_from_cumulants(G, K3, K4, Sigma, k3, n=100)
    ours = mle_risk_expansion(X, "multivariate_normal", n=100)
    assert ours.c1 == pytest.approx(reference.c1, rel=1e-10)
    assert ours.c2 == pytest.approx(reference.c2, rel=1e-8)
    # The model G from the Isserlis formula equals the quadrature one.
    np.testing.assert_allclose(family.fisher_information(params), G, rtol=1e-10, atol=1e-10)


def test_tensor_free_evaluation_with_the_data_pair_path():
    # p**3 > n_samples switches the third-moment term to model-point x data-row pairs.
    rng = np.random.default_rng(5)
    labels = rng.choice(6, size=100, p=[0.3, 0.25, 0.2, 0.1, 0.1, 0.05])
    family = MultinomialFamily()
    T = family.sufficient_statistics(labels)
    params = family.fit_moments(T.mean(axis=0))
    G, K3, K4 = _cumulants(*family.model_sample(params))
    reference = projection_risk_from_cumulants(G, K3, K4, G, K3, n=100)
    ours = mle_risk_expansion(labels, family)
    assert ours.c2 == pytest.approx(reference.c2, rel=1e-10)
    assert ours.c2 == pytest.approx((5 * np.sum(1 / params) - 6 * 6 + 1) / 12, rel=1e-10)


# ----------------------------------------------------------------------------- Monte Carlo of the risk


def test_multinomial_expansion_matches_monte_carlo_kl_risk():
    pi = np.array([0.1, 0.2, 0.3, 0.4])
    n, reps = 400, 20_000
    counts = np.random.default_rng(0).multinomial(n, pi, size=reps)
    assert np.all(counts > 0)
    kl = np.sum(pi * np.log(pi / (counts / n)), axis=1)
    standard_error = kl.std() / math.sqrt(reps)
    X = np.repeat(np.arange(4), (pi * 1000).astype(int))
    expansion = mle_risk_expansion(X, "multinomial", n=n).risk
    assert expansion == pytest.approx(0.003792, abs=5e-7)  # spec C
    assert abs(kl.mean() - expansion) < 4 * standard_error + 1e-5


def test_misspecified_poisson_matches_monte_carlo_kl_risk():
    # Negative binomial with mean 4 and variance 12 under a Poisson model: c1 = v / (2 m) = 1.5.
    rng = np.random.default_rng(2)
    population = rng.negative_binomial(2, 1 / 3, size=400_000)
    result = mle_risk_expansion(population, "poisson", n=100)
    assert result.c1 == pytest.approx(1.5, abs=0.02)
    assert result.c2 == pytest.approx(0.4375, abs=0.03)  # spec B
    n, reps = 100, 20_000
    means = rng.negative_binomial(2, 1 / 3, size=(reps, n)).mean(axis=1)
    kl = 4 * np.log(4 / means) - 4 + means  # KL(Poisson(4) || Poisson(xbar))
    standard_error = kl.std() / math.sqrt(reps)
    assert abs(kl.mean() - (1.5 / n + 0.4375 / n**2)) < 4 * standard_error + 2e-5
    assert abs(kl.mean() - result.risk) < 4 * standard_error + 3e-4


def test_correct_poisson_closed_form():
    X = np.random.default_rng(0).poisson(2.0, size=300_000)
    result = mle_risk_expansion(X, "poisson")
    assert result.c1 == pytest.approx(0.5, abs=0.01)
    assert result.c2 == pytest.approx(5 / (12 * X.mean()), rel=0.1)


@pytest.mark.parametrize("rate", [2.0, 1e4])
def test_correct_poisson_model_cumulants_give_the_closed_form(rate):
    # The model support around a large rate is truncated on both sides and contracted through its
    # third-moment tensor; a sample whose mean is the rate and whose central moments up to 3 match
    # the Poisson's (variance = third cumulant = rate) has c1 = 1/2 and c2 = 5 / (12 rate).
    from scipy import stats

    support = np.arange(max(0, int(rate - 12 * rate**0.5 - 30)), int(rate + 12 * rate**0.5 + 30))
    weights = stats.poisson.pmf(support, rate)
    weights /= weights.sum()
    G, K3, K4 = _cumulants(support.reshape(-1, 1).astype(float), weights)
    reference = projection_risk_from_cumulants(G, K3, K4, G, K3, n=10)
    assert reference.c1 == pytest.approx(0.5, rel=1e-9)
    assert reference.c2 == pytest.approx(5 / (12 * rate), rel=1e-6)
    builtin = mle_risk_expansion(np.random.default_rng(0).poisson(rate, size=50_000), "poisson")
    assert builtin.c1 == pytest.approx(0.5, abs=0.02)
    assert builtin.c2 == pytest.approx(5 / (12 * rate), rel=0.25)


# ----------------------------------------------------------------------------- criterion


def test_criterion_threshold_decision_and_required_sample_size():
    X = np.random.default_rng(0).normal(size=(300, 3))
    result = pn_criterion(X, "multivariate_normal", max_risk=0.01)
    assert result.threshold == 0.01
    assert result.accepted == (result.risk <= 0.01)
    m = result.n_required
    assert result.c1 / m + result.c2 / m**2 <= 0.01 < result.c1 / (m - 1) + result.c2 / (m - 1) ** 2
    assert result.bayes_error_bound == pytest.approx(0.5 - math.sqrt(result.risk / 8))
    at_required = pn_criterion(X, "multivariate_normal", max_risk=0.01, n=m)
    assert at_required.accepted and at_required.c1 == result.c1


def test_bayes_error_tolerance_converts_to_eight_eps_squared():
    X = np.random.default_rng(0).normal(size=500)
    by_tol = pn_criterion(X, "normal", bayes_error_tol=0.05)
    assert by_tol.threshold == pytest.approx(8 * 0.05**2)
    assert by_tol.accepted == pn_criterion(X, "normal", max_risk=0.02).accepted


@pytest.mark.parametrize("kwargs", [{}, {"max_risk": 0.01, "bayes_error_tol": 0.01}])
def test_threshold_must_be_given_once(kwargs):
    with pytest.raises(ValueError, match="exactly one of max_risk"):
        pn_criterion(np.arange(10.0), "normal", **kwargs)


def test_negative_c2_that_keeps_the_risk_below_threshold_warns():
    with pytest.warns(RuntimeWarning, match="every n"):
        assert _required_n(1.0, -1000.0, 2, 0.01) == 3
    assert _required_n(1.0, 0.0, 2, 0.01) == 100


def test_heavy_tails_warn_that_the_expansion_is_unreliable():
    X = np.random.default_rng(0).standard_t(2.5, size=400)
    with pytest.warns(RuntimeWarning, match="second-order term dominates"):
        mle_risk_expansion(X, "normal", n=8)
    # Normal data at the same n: c2 / n = 61 / 96 < c1 = 1, no warning.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        mle_risk_expansion(np.random.default_rng(0).normal(size=400), "normal", n=8)


def test_empty_cell_and_zero_poisson_sample_give_infinite_risk():
    result = pn_criterion([0, 1, 1, 0, 2], MultinomialFamily(categories=range(4)), max_risk=0.1)
    assert math.isinf(result.risk) and not result.accepted and result.n_required is None
    result = pn_criterion(np.zeros(20), "poisson", max_risk=0.1)
    assert math.isinf(result.risk) and not result.accepted


# ----------------------------------------------------------------------------- model selection


def _histogram(K):
    return (f"K={K}", lambda x: np.minimum((x * K).astype(int), K - 1), MultinomialFamily(categories=range(K)))


def test_histogram_selection_reproduces_the_spec_example():
    x = np.random.default_rng(0).beta(2, 5, size=500)
    selection = select_model_pn([_histogram(K) for K in (2, 4, 6, 8)], x, max_risk=0.005)
    assert selection.best_name == "K=4" and selection.best_index == 1
    risks = [result.risk for result in selection.results]
    np.testing.assert_allclose(risks[:3], [0.00102, 0.00323, 0.00600], atol=1e-5)
    assert math.isinf(risks[3])
    assert selection.names == ["K=2", "K=4", "K=6", "K=8"]


def test_selection_over_feature_sets_with_a_transformer():
    X = np.random.default_rng(0).normal(size=(400, 4))
    candidates = [
        (f"{k} features", FunctionTransformer(lambda Z, k=k: Z[:, :k]), "multivariate_normal") for k in (1, 2, 4)
    ]
    selection = select_model_pn(candidates, X, max_risk=0.01)
    assert [r.p for r in selection.results] == [2, 5, 14]
    assert selection.best_name == "2 features"
    none = select_model_pn(candidates, X, max_risk=1e-5)
    assert none.best_index is None and none.best_name is None


def test_selection_accepts_bare_families_and_rejects_bad_candidates():
    X = np.random.default_rng(0).poisson(3.0, size=200)
    selection = select_model_pn(["poisson"], X, max_risk=0.01)
    assert selection.best_index == 0
    with pytest.raises(ValueError, match="triple"):
        select_model_pn([("a", None)], X, max_risk=0.01)
    with pytest.raises(ValueError, match="at least one"):
        select_model_pn([], X, max_risk=0.01)
    with pytest.raises(TypeError, match="transform"):
        select_model_pn([("a", 3, "poisson")], X, max_risk=0.01)


# ----------------------------------------------------------------------------- protocol and properties


class _PoissonByProtocol(ExponentialFamily):
    name = "poisson by protocol"

    def sufficient_statistics(self, X):
        return np.asarray(X, dtype=float).reshape(-1, 1)

    def fit_moments(self, Tbar):
        return float(Tbar[0])

    def model_sample(self, params, n_mc=None, random_state=None):
        from scipy import stats

        k = np.arange(200.0)
        weights = stats.poisson.pmf(k, params)
        return k.reshape(-1, 1), weights / weights.sum()


def test_user_family_through_the_protocol_matches_the_builtin():
    X = np.random.default_rng(0).negative_binomial(3, 0.5, size=500)
    ours = mle_risk_expansion(X, _PoissonByProtocol())
    builtin = mle_risk_expansion(X, "poisson")
    assert ours.family == "poisson by protocol"
    assert (ours.c1, ours.c2) == pytest.approx((builtin.c1, builtin.c2), rel=1e-9)


def test_affine_invariance_and_row_permutation():
    rng = np.random.default_rng(0)
    X = rng.exponential(size=(800, 2))
    base = mle_risk_expansion(X, "multivariate_normal")
    A = np.array([[2.0, 1.0], [0.5, -3.0]])
    moved = mle_risk_expansion(X @ A.T + [10.0, -4.0], "multivariate_normal")
    shuffled = mle_risk_expansion(X[rng.permutation(800)], "multivariate_normal")
    for other in (moved, shuffled):
        assert (other.c1, other.c2) == pytest.approx((base.c1, base.c2), rel=1e-7)


def test_monte_carlo_integration_is_seeded_and_keeps_c1_exact():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(1500, 6))  # 5**6 nodes exceed the quadrature budget: Monte Carlo is used
    a = mle_risk_expansion(X, "multivariate_normal", random_state=0)
    b = mle_risk_expansion(X, "multivariate_normal", random_state=0)
    c = mle_risk_expansion(X, "multivariate_normal", random_state=1)
    assert a == b and a.c2 != c.c2
    assert a.c1 == c.c1 == pytest.approx(a.p / 2, rel=0.05)
    # Small d: n_mc forces Monte Carlo; its c2 is unbiased for the exact quadrature value.
    Y = rng.normal(size=(3000, 2))
    exact = mle_risk_expansion(Y, "multivariate_normal")
    draws = [mle_risk_expansion(Y, "multivariate_normal", n_mc=2000, random_state=seed) for seed in range(12)]
    assert all(mc.c1 == exact.c1 for mc in draws)
    c2 = np.array([mc.c2 for mc in draws])
    assert abs(c2.mean() - exact.c2) < 4 * c2.std(ddof=1) / math.sqrt(c2.size)


def test_input_is_not_modified():
    X = np.random.default_rng(0).normal(size=(100, 2))
    copy = X.copy()
    pn_criterion(X, "multivariate_normal", max_risk=0.1)
    np.testing.assert_array_equal(X, copy)


# ----------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "X, family, match",
    [
        (np.array([1.0, np.nan, 2.0]), "normal", "NaN|infinity"),
        (np.array([1.0, np.inf, 2.0]), "poisson", "NaN|infinity"),
        (np.ones((10, 2)), "multivariate_normal", "singular"),
        (np.random.default_rng(0).normal(size=(3, 4)), "multivariate_normal", "singular"),
        (np.c_[np.arange(10.0), 2 * np.arange(10.0)], "multivariate_normal", "singular"),
        (np.random.default_rng(0).normal(size=(10, 2)), "normal", "univariate"),
        (np.array([1, 2, -1]), "poisson", "non-negative integer"),
        (np.array([1.5, 2.0]), "poisson", "non-negative integer"),
        (np.array([0, 1, 2]), "bernoulli", "binary"),
        (np.array([[1, 1], [0, 1]]), "multinomial", "one-hot"),
        (np.array([3, 3, 3]), "multinomial", "at least 2 distinct"),
        (np.array([1.0]), "normal", "at least 2 observations"),
    ],
)
def test_bad_input_raises_a_clear_error(X, family, match):
    with pytest.raises(ValueError, match=match):
        mle_risk_expansion(X, family)


def test_labels_outside_categories_and_bad_parameters():
    with pytest.raises(ValueError, match="outside categories"):
        mle_risk_expansion([0, 1, 5], MultinomialFamily(categories=range(3)))
    with pytest.raises(ValueError, match="family"):
        mle_risk_expansion(np.arange(5.0), "gamma")
    with pytest.raises(ValueError, match="family"):
        mle_risk_expansion(np.arange(5.0), object())
    with pytest.raises(ValueError, match="'n'"):
        mle_risk_expansion(np.arange(5.0), "normal", n=0)
    with pytest.raises(ValueError, match="n_mc"):
        mle_risk_expansion(np.arange(5.0), "normal", n_mc=1)
    with pytest.raises(ValueError, match="max_risk"):
        pn_criterion(np.arange(5.0), "normal", max_risk=-1.0)
    with pytest.raises(ValueError, match="bayes_error_tol"):
        pn_criterion(np.arange(5.0), "normal", bayes_error_tol=0.7)


def test_projection_risk_from_cumulants_checks_shapes():
    G, K3, K4 = _normal_population_cumulants()
    with pytest.raises(ValueError, match="K3 must have shape"):
        projection_risk_from_cumulants(G, K3[:1], K4, G, K3, n=10)
    with pytest.raises(ValueError, match="square"):
        projection_risk_from_cumulants(G[:1], K3, K4, G, K3, n=10)
    with pytest.raises(ValueError, match="positive definite"):
        projection_risk_from_cumulants(np.zeros((2, 2)), K3, K4, G, K3, n=10)
    with pytest.raises(ValueError, match="NaN"):
        projection_risk_from_cumulants(G, K3, K4, G * np.nan, K3, n=10)


def test_no_warning_on_well_behaved_data():
    X = np.random.default_rng(0).normal(size=(500, 2))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        pn_criterion(X, "multivariate_normal", max_risk=0.05)
