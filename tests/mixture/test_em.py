"""The EM core on problems with a known answer: Gaussian mixtures and the gating regression."""

import warnings

import numpy as np
import pytest
from scipy import stats
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.mixture import GaussianMixture

from skpapers.mixture._em import SoftmaxGating, fit_mixture_em, softmax_proba


class GaussianExpert:
    """1-D Gaussian components: the plain mixture when the gating is constant."""

    def __init__(self, y, means0):
        self.y = y
        self.means0 = np.asarray(means0, dtype=float)

    def initial_params(self, rng, perturb):
        means = self.means0 + (rng.normal(scale=0.5, size=self.means0.size) if perturb else 0.0)
        return means, np.full(self.means0.size, self.y.var())

    def log_likelihood(self, params):
        means, variances = params
        return stats.norm.logpdf(self.y[:, None], means, np.sqrt(variances))

    def m_step(self, params, resp, weights, gate_proba):
        wr = weights[:, None] * resp
        mass = wr.sum(axis=0)
        means = (wr * self.y[:, None]).sum(axis=0) / mass
        variances = (wr * (self.y[:, None] - means) ** 2).sum(axis=0) / mass
        return means, np.maximum(variances, 1e-10)


def _two_gaussians(n=2000, seed=0):
    rng = np.random.default_rng(seed)
    z = rng.uniform(size=n) < 0.3
    return np.where(z, rng.normal(3.0, 0.7, n), rng.normal(-1.0, 1.2, n))


def test_constant_gating_is_the_plain_gaussian_mixture():
    y = _two_gaussians()
    expert = GaussianExpert(y, [-2.0, 2.0])
    result = fit_mixture_em(
        expert, np.empty((y.size, 0)), 2, gating_alpha=0.0, max_iter=2000, tol=1e-13, random_state=np.random.RandomState(0)
    )
    gmm = GaussianMixture(2, tol=1e-12, max_iter=5000, reg_covar=0, means_init=[[-2.0], [2.0]]).fit(y[:, None])
    means, variances = result.params
    np.testing.assert_allclose(means, gmm.means_.ravel(), rtol=1e-5)
    np.testing.assert_allclose(variances, gmm.covariances_.ravel(), rtol=1e-5)
    weights = softmax_proba(np.empty((1, 0)), result.gating_coef, result.gating_intercept)[0]
    np.testing.assert_allclose(weights, gmm.weights_, rtol=1e-5)
    assert result.log_likelihood == pytest.approx(gmm.score(y[:, None]), abs=1e-8)
    assert result.converged


def test_em_objective_never_decreases_and_restarts_keep_the_best():
    y = _two_gaussians(n=600, seed=1)
    x_gate = np.random.default_rng(1).normal(size=(y.size, 2))
    expert = GaussianExpert(y, [0.0, 0.5])
    single = fit_mixture_em(expert, x_gate, 2, n_init=1, random_state=np.random.RandomState(0))
    assert np.all(np.diff(single.trace) >= -1e-10)
    several = fit_mixture_em(expert, x_gate, 2, n_init=4, random_state=np.random.RandomState(0))
    assert several.objective >= single.objective - 1e-12


def test_gating_step_is_penalised_multinomial_logistic_regression():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 3))
    labels = np.argmax(X @ rng.normal(size=(3, 3)) + rng.gumbel(size=(300, 3)), axis=1)
    alpha = 0.01
    gating = SoftmaxGating(X, 3, alpha, np.ones(300)).fit(np.eye(3)[labels], "test")
    # sklearn minimises C * sum(cross-entropy) + ||W||^2 / 2; ours mean(cross-entropy) + alpha ||W||^2 / 2.
    reference = LogisticRegression(C=1.0 / (alpha * 300), tol=1e-12, max_iter=10_000).fit(X, labels)
    np.testing.assert_allclose(np.exp(gating.log_proba()), reference.predict_proba(X), atol=1e-6)


def test_empty_component_is_reseeded_with_a_warning_not_nan():
    y = _two_gaussians(seed=2)
    # The third component starts so far away that it gets no responsibility at all.
    expert = GaussianExpert(y, [-1.0, 3.0, 1e4])
    with pytest.warns(UserWarning, match="re-seeded"):
        result = fit_mixture_em(expert, np.empty((y.size, 0)), 3, random_state=np.random.RandomState(0))
    means, variances = result.params
    assert np.all(np.isfinite(means)) and np.all(np.isfinite(variances))
    assert np.isfinite(result.log_likelihood)
    assert means[2] < 100  # moved onto the data


def test_not_converging_warns():
    y = _two_gaussians(seed=3)
    with pytest.warns(ConvergenceWarning, match="did not converge"):
        result = fit_mixture_em(GaussianExpert(y, [0.0, 0.1]), np.empty((y.size, 0)), 2, max_iter=2)
    assert not result.converged and result.n_iter == 2


def test_seeded_fits_are_identical():
    y = _two_gaussians(n=400, seed=4)
    x_gate = np.random.default_rng(4).normal(size=(y.size, 1))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        a = fit_mixture_em(GaussianExpert(y, [0, 1]), x_gate, 2, n_init=2, max_iter=20, random_state=np.random.RandomState(7))
        b = fit_mixture_em(GaussianExpert(y, [0, 1]), x_gate, 2, n_init=2, max_iter=20, random_state=np.random.RandomState(7))
    np.testing.assert_array_equal(a.params[0], b.params[0])
    np.testing.assert_array_equal(a.gating_coef, b.gating_coef)
