"""FeynmanKacCorrector: tempered particle noise, score-model experts and the closed-form score_samples."""

import numpy as np
import pytest
from scipy.stats import multivariate_normal
from sklearn.utils._param_validation import InvalidParameterError

from skpapers.generative import (
    DiffusionGenerator,
    FeynmanKacCorrector,
    GaussianMixtureScoreModel,
    GaussianScoreModel,
    KernelScoreModel,
)
from skpapers.generative._solvers import integrate


def _weighted_variance(S, log_w):
    w = np.exp(log_w)
    mean = w @ S
    return w @ (S - mean) ** 2


@pytest.fixture(scope="module")
def normal_data():
    return np.random.RandomState(0).normal(size=(5000, 2))


def test_core_noise_scale_keeps_the_marginals():
    # the reverse SDE with noise nu = r g and score coefficient (g^2 + nu^2) / 2 keeps the marginals for any r:
    # a Gaussian score model of variance 4 must be sampled with variance 4 (+ sigma_min^2). Euler's error grows
    # as r -> 0 (the ODE limit; measured 2.4% at r = 0.71, 400 steps); keeping the coefficient g^2 with
    # nu = 0.71 g would give variance 2 instead
    model = GaussianScoreModel().set_moments([1.0], [[4.0]])
    grid = np.linspace(1.0, 1e-3, 401)
    start = float(model.schedule_.sigma(1.0)) * np.random.RandomState(0).standard_normal((20000, 1))
    for r in (np.sqrt(0.5), 1.0):
        X, _ = integrate(model, start, grid, solver="euler_maruyama", noise_scale=r, random_state=1)
        assert X.mean() == pytest.approx(1.0, abs=0.05)
        assert X.var() == pytest.approx(4.0, rel=0.04)


def test_tempered_noise_without_weights_matches_its_closed_form_and_weights_fix_it(normal_data):
    # unweighted tempered move for one Gaussian expert of variance lam: dv/du = (beta + 1) v / u - 1 / beta with
    # u = lam + s^2, so v = u / beta^2 + C u^(beta + 1), C fixed by the start variance s_max^2 / beta
    beta = 0.5
    kwargs = dict(beta=beta, noise="tempered", standardize=False, random_state=0)
    plain = FeynmanKacCorrector(weighting=False, **kwargs).fit(normal_data)
    lam = np.linalg.eigvalsh(plain.estimators_[0].model_.covariance_)
    grid = plain.estimators_[0]._time_grid()
    s0, s1 = (float(plain.schedule_.sigma(t)) for t in (grid[0], grid[-1]))
    u0, u1 = lam + s0**2, lam + s1**2
    C = (s0**2 / beta - u0 / beta**2) / u0 ** (beta + 1)
    closed = u1 / beta**2 + C * u1 ** (beta + 1)
    target = u1 / beta
    S = plain.sample(20000)
    got = np.sort(np.linalg.eigvalsh(np.cov(S.T)))
    # 20000 particles: a variance's standard error is 1%; the 200-step Euler error is below 1% here
    np.testing.assert_allclose(got, closed, rtol=0.04)
    assert np.all(closed / target > 1.9)  # the unweighted move is twice too wide at beta = 0.5
    # with weights (finite-variance here: the proposal is wider than the target) the target N(mu, Sigma / beta)
    fkc = FeynmanKacCorrector(**kwargs).fit(normal_data)
    variances = [_weighted_variance(*fkc.sample_weighted(20000, random_state=seed)[:2]).mean() for seed in (0, 1)]
    assert np.mean(variances) == pytest.approx(target.mean(), rel=0.03)


def test_tempered_noise_at_beta_2_is_degenerate(normal_data):
    # the spec's warning, measured: unweighted tempered particles end at Sigma / beta^2, half the target variance,
    # and importance weights from a proposal of half the target variance have infinite variance. The weights
    # move the estimate most of the way but, with 20000 particles and a healthy per-step ESS, stay biased low
    # (measured 0.79-0.99 of the target over seeds; 0.83-0.89 at 100000 particles). If this ever hits the
    # target, the user guide's account of the tempered variant must change with it.
    kwargs = dict(beta=2.0, noise="tempered", standardize=False, random_state=0)
    fkc = FeynmanKacCorrector(**kwargs).fit(normal_data)
    target = np.diag(fkc.estimators_[0].model_.covariance_).mean() / 2
    S, log_w, diag = fkc.sample_weighted(20000, random_state=0)
    ratio = _weighted_variance(S, log_w).mean() / target
    plain = FeynmanKacCorrector(weighting=False, **kwargs).fit(normal_data).sample(20000)
    assert plain.var(axis=0).mean() / target == pytest.approx(0.5, abs=0.03)
    assert 0.6 < ratio < 0.97
    assert diag["ess"].min() > 0.3 * 20000 and diag["n_resamples"] >= 5


def test_tempered_equals_target_score_when_the_exponents_sum_to_one(normal_data):
    # geometric exponents (1 - beta, beta) sum to 1: nu^2 = g^2, the same move bit for bit
    y = (normal_data[:, 0] > 0).astype(int)
    common = dict(target="geometric", beta=0.5, n_particles=500, random_state=0)
    a = FeynmanKacCorrector(noise="tempered", **common).fit(normal_data, y).sample(50)
    b = FeynmanKacCorrector(noise="target_score", **common).fit(normal_data, y).sample(50)
    np.testing.assert_array_equal(a, b)
    c = FeynmanKacCorrector(noise="tempered", **{**common, "beta": 2.0}).fit(normal_data, y).sample(50)
    assert not np.allclose(a, c)


def test_score_model_experts_are_wrapped_and_not_fitted_in_place(normal_data):
    model = GaussianScoreModel()
    by_model = FeynmanKacCorrector([model], n_particles=400, random_state=0).fit(normal_data[:500])
    assert not hasattr(model, "schedule_")  # the given score model stays unfitted
    default = FeynmanKacCorrector(n_particles=400, random_state=0).fit(normal_data[:500])
    np.testing.assert_array_equal(by_model.sample(20), default.sample(20))
    # one score model for a product target is copied per class
    y = np.repeat([0, 1], 100)
    product = FeynmanKacCorrector([KernelScoreModel(bandwidth=0.5)], target="product", n_particles=100,
                                  random_state=0).fit(normal_data[:200], y)
    assert len(product.estimators_) == 2
    assert product.estimators_[0].model_ is not product.estimators_[1].model_
    assert product.sample(5).shape == (5, 2)
    assert not hasattr(product, "score_samples")


def test_gaussian_mixture_expert_reaches_the_annealed_gaussian(normal_data):
    # a one-component mixture fitted by sklearn's GaussianMixture is a Gaussian: q^2 has half its covariance
    est = FeynmanKacCorrector([GaussianMixtureScoreModel(n_components=1)], beta=2.0, standardize=False,
                              random_state=0).fit(normal_data)
    cov = est.estimators_[0].model_.mixture_.covariances_[0]
    S, log_w, _ = est.sample_weighted(20000)
    assert _weighted_variance(S, log_w).mean() == pytest.approx(np.diag(cov).mean() / 2, rel=0.04)
    assert not hasattr(est, "score_samples")


def test_prefit_score_models_and_their_validation():
    rng = np.random.RandomState(5)
    X0, X1 = rng.normal(size=(3000, 2)) + [-1, 0], rng.normal(size=(3000, 2)) + [1, 0]
    X, y = np.vstack([X0, X1]), np.repeat([0, 1], 3000)
    experts = [GaussianScoreModel().fit(Z, "vp") for Z in (X0, X1)]
    est = FeynmanKacCorrector(experts, target="product", prefit=True, random_state=0).fit(X, y)
    assert est.estimators_[0] is experts[0]
    np.testing.assert_array_equal(est.mean_, 0.0)  # bare score models: data units
    precision = sum(np.linalg.inv(m.covariance_) for m in experts)
    mean = np.linalg.solve(precision, sum(np.linalg.inv(m.covariance_) @ m.mean_ for m in experts))
    S = est.sample(20000)
    np.testing.assert_allclose(S.mean(axis=0), mean, atol=0.05)
    np.testing.assert_allclose(S.var(axis=0), np.diag(np.linalg.inv(precision)), rtol=0.06)

    with pytest.raises(ValueError, match="not fitted"):
        FeynmanKacCorrector([experts[0], GaussianScoreModel()], target="product", prefit=True).fit(X, y)
    with pytest.raises(ValueError, match="features"):
        wide = GaussianScoreModel().fit(np.hstack([X1, X1]), "vp")
        FeynmanKacCorrector([experts[0], wide], target="product", prefit=True).fit(X, y)
    with pytest.raises(ValueError, match="schedule"):
        FeynmanKacCorrector([experts[0], GaussianScoreModel().fit(X1, "ve")], target="product", prefit=True).fit(X, y)
    with pytest.raises(ValueError, match="standardization"):
        FeynmanKacCorrector([experts[0], DiffusionGenerator(schedule="vp").fit(X1)], target="product",
                            prefit=True).fit(X, y)
    with pytest.raises(TypeError, match="score models"):
        FeynmanKacCorrector([object()]).fit(X)
    with pytest.raises(InvalidParameterError):
        FeynmanKacCorrector(noise="langevin").fit(X)


def _oracle_logpdf(est, X):
    # the target written out independently: each Gaussian expert noised to t_min, precisions summed, scipy's
    # density in standardized units, and the Jacobian of the shared scaler
    t = est.estimators_[0]._time_grid()[-1]
    a, s = float(est.schedule_.alpha(t)), float(est.schedule_.sigma(t))
    d = X.shape[1]
    precisions, shifts = [], []
    for gamma, gen in zip(est.exponents_, est.estimators_):
        P = np.linalg.inv(a**2 * gen.model_.covariance_ + s**2 * np.eye(d))
        precisions.append(gamma * P)
        shifts.append(gamma * P @ (a * gen.model_.mean_))
    cov = np.linalg.inv(sum(precisions))
    mean = cov @ sum(shifts)
    Z = (X - est.mean_) / est.scale_
    return multivariate_normal(mean, cov).logpdf(Z) - np.log(est.scale_).sum()


@pytest.mark.parametrize("target", ["anneal", "product", "geometric"])
def test_score_samples_is_the_closed_form_gaussian_target(target):
    rng = np.random.RandomState(7)
    X = np.vstack([rng.multivariate_normal([0, 0], [[1, 0.5], [0.5, 1]], 400),
                   rng.multivariate_normal([1, 2], [[0.5, 0], [0, 0.3]], 400)]) * [3.0, 0.5] + [10, -2]
    y = np.repeat(["a", "b"], 400)
    est = FeynmanKacCorrector(target=target, beta=0.7, random_state=0).fit(X, None if target == "anneal" else y)
    np.testing.assert_allclose(est.score_samples(X[::7]), _oracle_logpdf(est, X[::7]), rtol=0, atol=1e-10)
    assert est.score(X) == pytest.approx(np.mean(_oracle_logpdf(est, X)), abs=1e-10)


def test_score_samples_availability_and_normalization():
    X = np.random.RandomState(8).normal(size=(500, 1)) * 2 + 1
    assert not hasattr(FeynmanKacCorrector(), "score_samples")  # unfitted
    est = FeynmanKacCorrector(beta=3.0, random_state=0).fit(X)
    grid = np.linspace(-8, 10, 20001)[:, None]
    assert np.trapezoid(np.exp(est.score_samples(grid)), grid[:, 0]) == pytest.approx(1.0, abs=1e-8)
    kernel = FeynmanKacCorrector([KernelScoreModel(bandwidth=0.3)], random_state=0).fit(X)
    assert not hasattr(kernel, "score_samples") and not hasattr(kernel, "score")
    with pytest.raises(ValueError, match="features"):
        est.score_samples(np.zeros((3, 2)))
