"""NIW few-shot heads: every closed form against quadrature or Monte Carlo, limits, bad input."""

import numpy as np
import pytest
from scipy import integrate, special, stats
from sklearn.exceptions import NotFittedError
from sklearn.utils._param_validation import InvalidParameterError

from skpapers.few_shot import NIWEpisodeClassifier, NIWMetaPrior
from skpapers.few_shot._niw import _niw_constant, _posterior
from skpapers.utils._optim import NIWEpisodeBound, adam

# ---------------------------------------------------------------------------
# Closed forms
# ---------------------------------------------------------------------------


def _niw_draws(m0, l0, Lambda0, n0, n_draws, seed):
    rng = np.random.RandomState(seed)
    Sigma = stats.invwishart(df=n0, scale=Lambda0).rvs(size=n_draws, random_state=rng)
    chol = np.linalg.cholesky(Sigma / l0)
    mu = m0 + np.einsum("sij,sj->si", chol, rng.standard_normal((n_draws, m0.size)))
    return mu, Sigma


@pytest.fixture(scope="module")
def niw():
    p, n0, l0 = 3, 7.0, 2.0
    rng = np.random.RandomState(0)
    B = rng.normal(size=(p, p))
    Lambda0 = B @ B.T + p * np.eye(p)
    m0 = rng.normal(size=p)
    mu, Sigma = _niw_draws(m0, l0, Lambda0, n0, 200_000, seed=1)
    return dict(p=p, n0=n0, l0=l0, Lambda0=Lambda0, m0=m0, mu=mu, Sigma=Sigma)


def test_niw_expectations_monte_carlo(niw):
    p, n0, l0, Lambda0, m0 = niw["p"], niw["n0"], niw["l0"], niw["Lambda0"], niw["m0"]
    Sigma_inv = np.linalg.inv(niw["Sigma"])
    expected_inv = n0 * np.linalg.inv(Lambda0)
    np.testing.assert_allclose(Sigma_inv.mean(axis=0), expected_inv, rtol=0.02, atol=0.01 * np.abs(expected_inv).max())
    m = np.array([0.5, -1.0, 2.0])
    r = m - niw["mu"]
    quad = np.einsum("si,sij,sj->s", r, Sigma_inv, r).mean()
    closed = n0 * (m - m0) @ np.linalg.solve(Lambda0, m - m0) + p / l0
    assert quad == pytest.approx(closed, rel=0.02)
    logdet = np.linalg.slogdet(niw["Sigma"])[1].mean()
    j = np.arange(1, p + 1)
    closed_logdet = np.linalg.slogdet(Lambda0)[1] - p * np.log(2) - special.digamma((n0 - j + 1) / 2).sum()
    assert logdet == pytest.approx(closed_logdet, abs=0.02)


def _objective_exact(m, V, m_bar, a, loss_at_m_bar, m0, S, n0, l0):
    """E_q[quadratic loss] + E_{q(phi)} KL(N(m, diag V) || N(mu, Sigma)) with diagonal Lambda_0 = n0 S."""
    p = m.size
    j = np.arange(1, p + 1)
    expected_loss = loss_at_m_bar + 0.5 * np.sum(a * ((m - m_bar) ** 2 + V))
    Lambda0 = n0 * S
    e_logdet = np.sum(np.log(Lambda0)) - p * np.log(2) - special.digamma((n0 - j + 1) / 2).sum()
    e_quad = n0 * np.sum((m - m0) ** 2 / Lambda0) + p / l0
    kl = 0.5 * (np.sum(n0 * V / Lambda0) + e_quad - p + e_logdet - np.sum(np.log(V)))
    return expected_loss + kl


def test_episode_bound_is_the_minimised_local_objective(niw):
    # The closed-form (m*, V*) minimise the local objective and its value is the bound.
    rng = np.random.RandomState(3)
    p, n0, l0 = 4, 6.0, 1.0
    m0, S = rng.normal(size=p), rng.uniform(0.2, 2.0, size=p)
    m_bar, a = rng.normal(size=p), rng.uniform(0.0, 5.0, size=p)
    mean, var = _posterior(m_bar[None], a[None], m0, S)
    best = _objective_exact(mean[0], var[0], m_bar, a, 1.3, m0, S, n0, l0)
    bound = NIWEpisodeBound(m_bar[None, None], a[None, None], offset=1.3).value(np.concatenate([m0, np.log(S)]))
    assert best == pytest.approx(bound + _niw_constant(p, n0, l0), rel=1e-12)
    for _ in range(20):
        dm, dv = 0.05 * rng.normal(size=p), np.exp(0.05 * rng.normal(size=p))
        assert _objective_exact(mean[0] + dm, var[0] * dv, m_bar, a, 1.3, m0, S, n0, l0) > best


def test_episode_bound_kl_monte_carlo():
    # The KL part of the objective, averaged over (mu, Sigma) drawn from the NIW, matches the closed form.
    p, n0, l0 = 2, 5.0, 1.5
    S = np.array([0.7, 1.8])
    m0 = np.array([0.3, -0.4])
    mu, Sigma = _niw_draws(m0, l0, np.diag(n0 * S), n0, 200_000, seed=2)
    m, V = np.array([1.0, 0.2]), np.array([0.3, 0.6])
    Sigma_inv = np.linalg.inv(Sigma)
    r = mu - m
    kl = 0.5 * (
        np.einsum("sii,i->s", Sigma_inv, V)
        + np.einsum("si,sij,sj->s", r, Sigma_inv, r)
        - p
        + np.linalg.slogdet(Sigma)[1]
        - np.sum(np.log(V))
    )
    closed = _objective_exact(m, V, m, np.zeros(p), 0.0, m0, S, n0, l0)
    assert kl.mean() == pytest.approx(closed, rel=0.01)


@pytest.mark.parametrize("a", [0.0, 1e-9, 0.7, 40.0])
def test_posterior_and_bound_against_quadrature(a):
    # One coordinate: exp(-a (theta - m_bar)^2 / 2) N(theta; m0, s) is the unnormalised posterior;
    # its normaliser gives the bound (Gibbs' variational principle), its moments the posterior.
    m_bar, m0, s = 1.7, -0.4, 0.8
    def density(t):
        return np.exp(-0.5 * a * (t - m_bar) ** 2) * stats.norm.pdf(t, m0, np.sqrt(s))
    lo, hi = -12.0, 12.0
    z = integrate.quad(density, lo, hi, points=[m0, m_bar], epsabs=1e-13)[0]
    mean = integrate.quad(lambda t: t * density(t), lo, hi, points=[m0, m_bar], epsabs=1e-13)[0] / z
    var = integrate.quad(lambda t: (t - mean) ** 2 * density(t), lo, hi, points=[m0, m_bar], epsabs=1e-13)[0] / z
    post_mean, post_var = _posterior(np.array([[m_bar]]), np.array([[a]]), np.array([m0]), np.array([s]))
    assert post_mean[0, 0] == pytest.approx(mean, rel=1e-7, abs=1e-9)
    assert post_var[0, 0] == pytest.approx(var, rel=1e-7)
    bound = NIWEpisodeBound(np.array([[[m_bar]]]), np.array([[[a]]])).value(np.array([m0, np.log(s)]))
    assert bound == pytest.approx(-np.log(z), rel=1e-7, abs=1e-10)


def test_episode_bound_gradient_finite_differences():
    rng = np.random.RandomState(0)
    M_bar = rng.normal(size=(3, 4, 5))
    A = rng.exponential(size=(3, 4, 5))
    A[0, 0, 0] = 0.0
    datafit = NIWEpisodeBound(M_bar, A, offset=2.0)
    w = np.concatenate([rng.normal(size=5), rng.normal(scale=0.5, size=5)])
    _, grad = datafit.value_and_gradient(w)
    eps = 1e-6
    numeric = np.array(
        [(datafit.value(w + eps * e) - datafit.value(w - eps * e)) / (2 * eps) for e in np.eye(w.size)]
    )
    np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-8)


def test_adam_minimises_a_fixed_quadratic():
    class Quadratic:
        def value_and_gradient(self, w):
            return 0.5 * float(np.sum((w - 3.0) ** 2)), w - 3.0

    w0 = np.zeros(3)
    result = adam(lambda t, w: Quadratic(), w0, n_steps=2000, learning_rate=0.05)
    np.testing.assert_allclose(result.x, 3.0, atol=1e-3)
    assert np.all(w0 == 0.0)


# ---------------------------------------------------------------------------
# The episode classifier
# ---------------------------------------------------------------------------


def _support(seed=0, n_classes=3, n_shot=2, d=4):
    rng = np.random.RandomState(seed)
    means = rng.normal(scale=2.0, size=(n_classes, d))
    y = np.repeat(np.arange(n_classes), n_shot)
    return means[y] + rng.normal(size=(y.size, d)), y, means


def _summed_ce(W, X, y):
    scores = X @ W.T
    return float(np.sum(special.logsumexp(scores, axis=1) - scores[np.arange(y.size), y]))


def test_flat_prior_limit_is_gradient_descent_and_exact_curvature():
    X, y, _ = _support()
    clf = NIWEpisodeClassifier(default_scale=1e10, inner_steps=7, inner_lr=0.3).fit(X, y)
    # plain numpy gradient descent on the mean cross-entropy from W = 0
    W = np.zeros((3, X.shape[1]))
    Y = np.eye(3)[y]
    for _ in range(7):
        scores = X @ W.T
        P = np.exp(scores - special.logsumexp(scores, axis=1, keepdims=True))
        W -= 0.3 * (P - Y).T @ X / y.size
    np.testing.assert_allclose(clf.coef_, W, rtol=1e-7, atol=1e-9)
    # 1 / V is the diagonal of the summed cross-entropy's Hessian at that point (finite differences).
    eps = 1e-4
    hessian_diag = np.empty_like(W)
    for c in range(W.shape[0]):
        for j in range(W.shape[1]):
            E = np.zeros_like(W)
            E[c, j] = eps
            hessian_diag[c, j] = (_summed_ce(W + E, X, y) - 2 * _summed_ce(W, X, y) + _summed_ce(W - E, X, y)) / eps**2
    np.testing.assert_allclose(1.0 / clf.coef_var_, hessian_diag, rtol=1e-4)


def test_tight_prior_limit_and_no_steps_give_the_prior_mean():
    X, y, _ = _support()
    tight = NIWEpisodeClassifier(default_scale=1e-10).fit(X, y)
    np.testing.assert_allclose(tight.coef_, 0.0, atol=1e-8)
    np.testing.assert_allclose(tight.predict_proba(X), 1.0 / 3.0, atol=1e-8)
    still = NIWEpisodeClassifier(inner_steps=0).fit(X, y)
    # from m_bar = m0 the posterior mean stays at m0 whatever the curvature
    np.testing.assert_allclose(still.coef_, 0.0, atol=1e-12)


def test_sampled_predictive_matches_explicit_weight_draws():
    X, y, _ = _support(seed=1)
    clf = NIWEpisodeClassifier(predictive="sample", n_samples=4000, random_state=0).fit(X, y)
    rng = np.random.RandomState(5)
    draws = clf.coef_ + np.sqrt(clf.coef_var_) * rng.standard_normal((4000, *clf.coef_.shape))
    scores = np.einsum("nj,scj->snc", X, draws)
    explicit = np.exp(scores - special.logsumexp(scores, axis=2, keepdims=True)).mean(axis=0)
    np.testing.assert_allclose(clf.predict_proba(X), explicit, atol=0.02)
    plug_in = clf.set_params(predictive="mean").predict_proba(X)
    # averaging over the posterior moves probabilities toward uniform
    assert explicit.max(axis=1).mean() < plug_in.max(axis=1).mean()


def test_learned_prior_is_reused_with_new_classes_and_other_n_way():
    rng = np.random.RandomState(0)
    means = np.zeros((30, 6))
    means[:, :2] = rng.normal(scale=2.0, size=(30, 2))
    y = np.repeat(np.arange(30), 12)
    X = means[y] + rng.normal(size=(y.size, 6))
    prior = NIWMetaPrior(n_way=5, n_query=5, n_episodes=150, fit_intercept=True, random_state=0).fit(X, y)
    assert prior.mean_.shape == prior.scale_.shape == (7,)
    assert prior.dof_ == 9.0 and prior.kappa_ == 1.0
    X_new = np.zeros((3, 6))
    X_new[:, :2] = [[4.0, 0.0], [0.0, 4.0], [-4.0, -4.0]]  # new classes, apart on the informative columns
    clf = NIWEpisodeClassifier(prior=prior).fit(X_new, ["x", "y", "z"])
    assert clf.coef_.shape == (3, 6) and clf.intercept_.shape == (3,)
    assert np.all(clf.intercept_var_ > 0)
    assert clf.predict(X_new).tolist() == ["x", "y", "z"]
    again = NIWMetaPrior(n_way=5, n_query=5, n_episodes=150, fit_intercept=True, random_state=0).fit(X, y)
    np.testing.assert_array_equal(prior.scale_, again.scale_)


def test_default_prior_equals_an_explicit_isotropic_prior():
    X, y, _ = _support(seed=2)
    prior = NIWMetaPrior(n_way=3, n_query=0, n_episodes=5).fit(np.vstack([X, X]), np.r_[y, y + 3])
    prior.mean_, prior.scale_ = np.zeros(4), np.full(4, 2.5)
    explicit = NIWEpisodeClassifier(prior=prior).fit(X, y)
    default = NIWEpisodeClassifier(default_scale=2.5).fit(X, y)
    np.testing.assert_allclose(explicit.coef_, default.coef_)
    np.testing.assert_allclose(explicit.coef_var_, default.coef_var_)


def test_prior_learns_larger_scale_on_informative_columns_and_its_bound_decreases():
    rng = np.random.RandomState(1)
    means = np.zeros((40, 10))
    means[:, :3] = rng.normal(scale=1.5, size=(40, 3))
    y = np.repeat(np.arange(40), 16)
    X = means[y] + rng.normal(size=(y.size, 10))
    X_copy = X.copy()
    prior = NIWMetaPrior(n_episodes=400, random_state=0).fit(X, y)
    np.testing.assert_array_equal(X, X_copy)
    assert prior.scale_[:3].min() > 3 * prior.scale_[3:].max()
    curve = prior.loss_curve_
    assert curve.shape == (400,)
    assert curve[-100:].mean() < curve[:100].mean()


def test_normalize_makes_the_head_scale_invariant_per_row():
    X, y, _ = _support(seed=3)
    rng = np.random.RandomState(0)
    prior = NIWMetaPrior(n_way=3, n_query=0, n_shot=2, n_episodes=30, normalize=True, random_state=0)
    prior.fit(np.vstack([X, X + 0.1]), np.r_[y, y + 3])
    clf = NIWEpisodeClassifier(prior=prior).fit(X, y)
    Xq = rng.normal(size=(10, 4))
    np.testing.assert_allclose(clf.predict_proba(Xq), clf.predict_proba(Xq * rng.uniform(0.5, 3.0, size=(10, 1))))


# ---------------------------------------------------------------------------
# Bad input
# ---------------------------------------------------------------------------


def test_zero_shot_classes_are_rejected():
    with pytest.raises(InvalidParameterError, match="n_shot"):
        NIWMetaPrior(n_shot=0).fit(np.zeros((10, 2)), np.arange(10) % 2)
    X, y, _ = _support()
    with pytest.raises(ValueError, match="at least 2 classes"):
        NIWEpisodeClassifier().fit(X, np.zeros_like(y))


def test_prior_needs_enough_classes_with_enough_rows():
    X, y, _ = _support(n_classes=6, n_shot=3)
    y = y.copy()
    y[y == 5] = 4  # classes 0-3 keep 3 rows, class 4 gets 6
    with pytest.raises(ValueError, match="n_way=5 distinct classes with at least n_shot \\+ n_query = 4"):
        NIWMetaPrior(n_way=5, n_shot=1, n_query=3).fit(X, y)


def test_feature_mismatch_between_prior_and_episode():
    X, y, _ = _support()
    prior = NIWMetaPrior(n_way=3, n_query=1, n_episodes=5, random_state=0).fit(X, y)
    with pytest.raises(ValueError, match="episode features must match the prior's"):
        NIWEpisodeClassifier(prior=prior).fit(X[:, :3], y)
    clf = NIWEpisodeClassifier(prior=prior).fit(X, y)
    with pytest.raises(ValueError, match="features"):
        clf.predict(X[:, :3])


def test_prior_type_and_fitted_state():
    X, y, _ = _support()
    with pytest.raises(NotFittedError):
        NIWEpisodeClassifier(prior=NIWMetaPrior()).fit(X, y)
    from sklearn.neighbors import NearestCentroid

    with pytest.raises(TypeError, match="prior must be a fitted NIWMetaPrior"):
        NIWEpisodeClassifier(prior=NearestCentroid().fit(X, y)).fit(X, y)
    with pytest.raises(InvalidParameterError, match="predictive"):
        NIWEpisodeClassifier(predictive="mode").fit(X, y)


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_non_finite_embeddings(bad):
    X, y, _ = _support()
    X = X.copy()
    X[1, 2] = bad
    with pytest.raises(ValueError, match="Input X contains"):
        NIWEpisodeClassifier().fit(X, y)
    with pytest.raises(ValueError, match="Input X contains"):
        NIWMetaPrior(n_way=3, n_query=1).fit(X, y)
    clf = NIWEpisodeClassifier().fit(np.nan_to_num(X, posinf=0.0), y)
    with pytest.raises(ValueError, match="Input X contains"):
        clf.predict(X)


def test_constant_columns_and_more_features_than_rows():
    # n < p and a constant zero column: the prior keeps the posterior proper (V = S there).
    rng = np.random.RandomState(0)
    X = rng.normal(size=(4, 50))
    X[:, 7] = 0.0
    clf = NIWEpisodeClassifier(default_scale=2.0).fit(X, [0, 1, 2, 3])
    assert np.all(np.isfinite(clf.coef_)) and np.all(clf.coef_var_ > 0)
    np.testing.assert_allclose(clf.coef_var_[:, 7], 2.0)
    assert clf.predict(X).tolist() == [0, 1, 2, 3]


def test_frozen_prior_survives_clone_in_cross_validation():
    from sklearn.frozen import FrozenEstimator
    from sklearn.model_selection import StratifiedKFold, cross_val_score

    X, y, _ = _support(n_classes=3, n_shot=10, seed=4)
    prior = NIWMetaPrior(n_way=3, n_query=4, n_episodes=20, random_state=0).fit(X, y)
    with pytest.raises(NotFittedError):
        cross_val_score(NIWEpisodeClassifier(prior=prior), X, y, cv=2, error_score="raise")
    frozen = cross_val_score(NIWEpisodeClassifier(prior=FrozenEstimator(prior)), X, y, cv=2)
    direct = [
        NIWEpisodeClassifier(prior=prior).fit(X[train], y[train]).score(X[test], y[test])
        for train, test in StratifiedKFold(2).split(X, y)
    ]
    np.testing.assert_allclose(frozen, direct)


def test_support_row_order_and_label_names_do_not_matter():
    X, y, _ = _support(seed=5, n_shot=3)
    rng = np.random.RandomState(0)
    order = rng.permutation(y.size)
    names = np.array(["c", "a", "b"])  # sorted classes_ become a, b, c: slots are permuted too
    base = NIWEpisodeClassifier(default_scale=0.7).fit(X, y)
    shuffled = NIWEpisodeClassifier(default_scale=0.7).fit(X[order], names[y][order])
    slot = np.searchsorted(shuffled.classes_, names)  # slot of original class k in the new fit
    np.testing.assert_allclose(shuffled.coef_[slot], base.coef_, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(shuffled.coef_var_[slot], base.coef_var_, rtol=1e-10)
    Xq = rng.normal(size=(6, 4))
    np.testing.assert_array_equal(shuffled.predict(Xq), names[base.predict(Xq)])
