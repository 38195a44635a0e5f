"""MultiplicativeDiffusionGenerator: GBM diffusion on positive data with the Dale-Langevin sampler."""

import warnings

import numpy as np
import pytest
from scipy.special import logsumexp
from scipy.stats import lognorm, multivariate_normal
from sklearn.neighbors import KernelDensity, KNeighborsRegressor

from skpapers.generative import MultiplicativeDiffusionGenerator

MEAN = np.array([0.5, -1.0])
COV = np.array([[0.3, 0.1], [0.1, 0.2]])


@pytest.fixture(scope="module")
def data():
    log_x = np.random.RandomState(0).multivariate_normal(MEAN, COV, size=3000)
    return np.exp(log_x)


@pytest.fixture(scope="module")
def fitted(data):
    return MultiplicativeDiffusionGenerator(random_state=0).fit(data)


def _log_moments(X):
    logX = np.log(X)
    return logX.mean(axis=0), np.cov(logX.T, bias=True)


def test_dale_samples_recover_lognormal_marginals(fitted, data):
    samples = fitted.sample(3000, random_state=1)
    assert np.all(samples > 0)
    # scipy's maximum-likelihood log-normal fit of each marginal, samples vs training data
    for j in range(2):
        s_ours, _, scale_ours = lognorm.fit(samples[:, j], floc=0)
        s_data, _, scale_data = lognorm.fit(data[:, j], floc=0)
        # shape s is the log-sd (sd ~ 0.45-0.55, se ~ 0.007), log scale is the log-mean (se ~ 0.01)
        assert s_ours == pytest.approx(s_data, abs=0.03)
        assert np.log(scale_ours) == pytest.approx(np.log(scale_data), abs=0.05)
    mean, cov = _log_moments(samples)
    np.testing.assert_allclose(mean, MEAN, atol=0.05)
    np.testing.assert_allclose(cov, COV, atol=0.03)


def test_ambient_sampler_crosses_zero_and_warns(data):
    gen = MultiplicativeDiffusionGenerator(sampler="ambient", n_steps=200, random_state=0).fit(data)
    with pytest.warns(UserWarning, match="non-positive"):
        samples = gen.sample(1000)
    assert np.mean(samples <= 0) > 0.05
    # no silent clipping: the non-positive values are returned as such
    assert np.all(np.isfinite(samples))


def test_ambient_agrees_with_dale_to_first_order(data):
    # GBM never reaches zero in continuous time: with small steps (sigma_max=3, 2000 steps) the ambient
    # Euler-Maruyama update rarely crosses it (measured 0.05% of rows vs 77% with 50 steps) and is log-normal
    fractions = {}
    for n_steps in (50, 2000):
        gen = MultiplicativeDiffusionGenerator(sampler="ambient", sigma_max=3.0, n_steps=n_steps, random_state=0)
        gen.fit(data)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            samples = gen.sample(2000, random_state=3)
        fractions[n_steps] = np.mean(np.any(samples <= 0, axis=1))
    assert fractions[50] > 0.5 and fractions[2000] < 0.01
    positive = samples[np.all(samples > 0, axis=1)]
    mean, cov = _log_moments(positive)
    np.testing.assert_allclose(mean, MEAN, atol=0.05)
    np.testing.assert_allclose(cov, COV, atol=0.03)


def test_score_samples_is_the_lognormal_density(fitted, data):
    # closed form: log X ~ N(mean, cov + sigma_min^2 diag(sd)^2), Jacobian -sum(log x)
    log_x = np.log(data)
    mean, cov = log_x.mean(axis=0), np.cov(log_x.T, bias=True)
    sd = log_x.std(axis=0)
    ref = multivariate_normal(mean, cov + 0.01**2 * np.diag(sd**2)).logpdf(log_x[:50]) - log_x[:50].sum(axis=1)
    np.testing.assert_allclose(fitted.score_samples(data[:50]), ref, rtol=1e-8)
    assert fitted.score(data[:50]) == pytest.approx(ref.mean())


@pytest.mark.parametrize("t", [0.0, 0.4])
def test_hyvarinen_score_closed_form(fitted, data, t):
    # h = x * grad_x log p(x) = grad_y log p_Y(y) - 1 for the Gaussian in log space at noise s(t)
    log_x = np.log(data)
    mean, cov, sd = log_x.mean(axis=0), np.cov(log_x.T, bias=True), log_x.std(axis=0)
    s = 0.01 * 1000.0**t
    marginal = cov + s**2 * np.diag(sd**2)
    X = data[:20]
    ref = -np.linalg.solve(marginal, (np.log(X) - mean).T).T - 1.0
    np.testing.assert_allclose(fitted.hyvarinen_score(X, t=t), ref, rtol=1e-8, atol=1e-10)


def test_kernel_score_model_is_log_space_kde(data):
    X = data[:300]
    gen = MultiplicativeDiffusionGenerator(score_model="kernel", random_state=0).fit(X)
    Z = (np.log(X) - gen.log_mean_) / gen.log_scale_
    query = data[300:320]
    Zq = (np.log(query) - gen.log_mean_) / gen.log_scale_
    jacobian = -np.sum(np.log(gen.log_scale_)) - np.log(query).sum(axis=1)
    # the Gaussian kernel mixture with bandwidth sigma_min, written out with logsumexp
    d2 = ((Zq[:, None, :] - Z[None]) ** 2).sum(axis=2)
    ref = logsumexp(-0.5 * d2 / 0.01**2, axis=1) - np.log(len(Z)) - np.log(2 * np.pi * 0.01**2) + jacobian
    ours = gen.score_samples(query)
    np.testing.assert_allclose(ours, ref, rtol=1e-8)
    # sklearn's KernelDensity agrees where its kernel sums do not underflow
    kde = KernelDensity(bandwidth=0.01).fit(Z).score_samples(Zq) + jacobian
    near = ref > -25
    assert near.sum() >= 5
    np.testing.assert_allclose(ours[near], kde[near], rtol=1e-6)
    # bandwidth-0 kernel score memorizes: samples land on training rows
    samples = gen.sample(50, random_state=0)
    nearest = np.min(np.abs(np.log(samples)[:, None, :] - np.log(X)[None]).max(axis=2), axis=1)
    assert np.all(samples > 0) and np.median(nearest) < 0.05


def test_constant_drift_uses_known_shift(data):
    # a constant GBM drift shifts every log marginal by a known m_t: the samples are unchanged in law
    gen = MultiplicativeDiffusionGenerator(drift=0.7, random_state=0).fit(data)
    mean, cov = _log_moments(gen.sample(3000, random_state=1))
    np.testing.assert_allclose(mean, MEAN, atol=0.05)
    np.testing.assert_allclose(cov, COV, atol=0.03)


def test_teleport_matches_full_sampler(data):
    gen = MultiplicativeDiffusionGenerator(score_model="gmm", n_steps=100, teleport=0.5, random_state=0).fit(data)
    samples = gen.sample(2000, random_state=0)
    mean, cov = _log_moments(samples)
    assert np.all(samples > 0)
    np.testing.assert_allclose(mean, MEAN, atol=0.06)
    np.testing.assert_allclose(cov, COV, atol=0.04)


def test_regressor_score_model_trains_by_mdsm(data):
    reg = KNeighborsRegressor(n_neighbors=50)
    gen = MultiplicativeDiffusionGenerator(score_model=reg, n_steps=40, n_noise_draws=3, random_state=0)
    gen.fit(data[:1000])
    assert gen.model_.n_noise_draws == 3 and gen.train_loss_ < 1.0
    samples = gen.sample(1000, random_state=0)
    assert np.all(samples > 0)
    mean, _ = _log_moments(samples)
    np.testing.assert_allclose(mean, MEAN, atol=0.15)


@pytest.mark.slow
def test_mlp_score_model_end_to_end(data):
    from sklearn.neural_network import MLPRegressor

    mlp = MLPRegressor(hidden_layer_sizes=(32, 32), max_iter=40, random_state=0)
    gen = MultiplicativeDiffusionGenerator(score_model=mlp, n_steps=40, n_noise_draws=3, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the short MLP run does not converge
        samples = gen.fit(data[:1000]).sample(1000, random_state=0)
    assert np.all(samples > 0)
    mean, cov = _log_moments(samples)
    np.testing.assert_allclose(mean, MEAN, atol=0.15)
    np.testing.assert_allclose(np.diag(cov), np.diag(COV), atol=0.1)


@pytest.mark.parametrize("bad", [0.0, -1.0, np.nan, np.inf])
def test_non_positive_or_non_finite_data_rejected(data, bad):
    X = data[:20].copy()
    X[3, 1] = bad
    match = "positive data are required" if np.isfinite(bad) else "NaN|infinity"
    with pytest.raises(ValueError, match=match):
        MultiplicativeDiffusionGenerator().fit(X)


def test_pseudocount_accepts_zeros_only(data):
    X = data[:200].copy()
    X[:5, 0] = 0.0
    gen = MultiplicativeDiffusionGenerator(pseudocount=1.0, n_steps=50, random_state=0).fit(X)
    assert np.all(gen.sample(100) > -1.0)
    X[0, 0] = -0.5
    with pytest.raises(ValueError, match="Negative values"):
        MultiplicativeDiffusionGenerator(pseudocount=1.0).fit(X)


def test_bad_calls(fitted, data):
    for n in (0, -2, 1.5, True):
        with pytest.raises(ValueError, match="n_samples"):
            fitted.sample(n)
    with pytest.raises(ValueError, match="expecting 2 features"):
        fitted.score_samples(data[:5, :1])
    with pytest.raises(ValueError, match="positive data"):
        fitted.hyvarinen_score(-data[:5])
    with pytest.raises(ValueError, match="sigma_min"):
        MultiplicativeDiffusionGenerator(sigma_min=5.0, sigma_max=1.0).fit(data)
    with pytest.raises(ValueError, match="sampler"):
        MultiplicativeDiffusionGenerator(sampler="euler").fit(data)
    with pytest.raises(TypeError, match="score_model"):
        MultiplicativeDiffusionGenerator(score_model=3).fit(data)


def test_degenerate_data(data):
    # a constant column has log-sd 0: scale 1, and its samples stay at the constant
    X = np.column_stack([data[:100, 0], np.full(100, 2.5)])
    X_copy = X.copy()
    samples = MultiplicativeDiffusionGenerator(n_steps=50, random_state=0).fit(X).sample(200)
    np.testing.assert_array_equal(X, X_copy)
    np.testing.assert_allclose(samples[:, 1], 2.5, rtol=0.05)
    # one row, and fewer rows than features
    assert MultiplicativeDiffusionGenerator(n_steps=10, random_state=0).fit(data[:1]).sample(3).shape == (3, 2)
    wide = np.exp(np.random.RandomState(0).normal(size=(3, 6)))
    assert np.all(MultiplicativeDiffusionGenerator(n_steps=10, random_state=0).fit(wide).sample(5) > 0)


def test_extreme_skew_warns_and_huge_values_stay_finite():
    rng = np.random.RandomState(0)
    X = np.exp(rng.normal(size=(500, 1)))
    X[0] = 1e-300
    with pytest.warns(UserWarning, match="skew"):
        MultiplicativeDiffusionGenerator(n_steps=10).fit(X)
    big = np.exp(rng.normal(600, 30, size=(200, 1)))
    samples = MultiplicativeDiffusionGenerator(n_steps=50, random_state=0).fit(big).sample(200)
    assert np.all(np.isfinite(samples)) and np.all(samples > 0)
