"""FeynmanKacCorrector: closed-form Gaussian targets, the uncorrected baseline, SMC details and bad input."""

import numpy as np
import pytest
from sklearn.utils._param_validation import InvalidParameterError

from skpapers.generative import DiffusionGenerator, FeynmanKacCorrector, VariancePreservingSchedule
from skpapers.generative._feynman_kac import systematic_resample


def _weighted_moments(S, log_w):
    w = np.exp(log_w)
    mean = w @ S
    return mean, w @ (S - mean) ** 2


def _gaussian_target(models, exponents):
    # the product of Gaussians, written out independently of the estimator: summed precisions
    precisions = [np.linalg.inv(m.covariance_) for m in models]
    P = sum(g * Pk for g, Pk in zip(exponents, precisions))
    cov = np.linalg.inv(P)
    return cov @ sum(g * Pk @ m.mean_ for g, Pk, m in zip(exponents, precisions, models)), np.diag(cov)


@pytest.fixture(scope="module")
def normal_data():
    return np.random.RandomState(0).normal(size=(5000, 2))


def test_annealed_variance_at_beta_2_within_3_percent(normal_data):
    # N(mu, S)^2 is N(mu, S / 2): the oracle is the fitted Gaussian expert's covariance halved
    est = FeynmanKacCorrector([DiffusionGenerator(n_steps=400)], beta=2.0, standardize=False, random_state=0)
    est.fit(normal_data)
    target = np.diag(est.estimators_[0].model_.covariance_).mean() / 2
    variances = []
    for seed in range(3):
        S, log_w, diag = est.sample_weighted(20000, random_state=seed)
        variances.append(_weighted_moments(S, log_w)[1].mean())
        assert diag["ess"].shape == (400,) and diag["n_resamples"] > 0
    assert np.mean(variances) == pytest.approx(target, rel=0.03)
    # without weights the mixed-score SDE is the spec's 0.34, far from 0.5
    baseline = FeynmanKacCorrector([DiffusionGenerator(n_steps=400)], beta=2.0, weighting=False,
                                   standardize=False, random_state=0).fit(normal_data)
    S, log_w, diag = baseline.sample_weighted(10000)
    np.testing.assert_allclose(np.exp(log_w), 1 / 10000)
    assert diag["n_resamples"] == 0
    assert S.var(axis=0).mean() == pytest.approx(0.34, abs=0.02)


def test_product_of_two_gaussians_matches_precision_weighted_moments():
    rng = np.random.RandomState(1)
    X = np.vstack([rng.normal(size=(4000, 2)) + [-1, 0], 0.7 * rng.normal(size=(4000, 2)) + [1, 1]])
    y = np.repeat(["a", "b"], 4000)
    est = FeynmanKacCorrector(target="product", standardize=False, random_state=0).fit(X, y)
    assert list(est.classes_) == ["a", "b"]
    np.testing.assert_array_equal(est.exponents_, [1.0, 1.0])
    mean, var = _gaussian_target([e.model_ for e in est.estimators_], est.exponents_)
    S, log_w, _ = est.sample_weighted(20000)
    got_mean, got_var = _weighted_moments(S, log_w)
    np.testing.assert_allclose(got_mean, mean, atol=0.03)
    np.testing.assert_allclose(got_var, var, rtol=0.06)


def test_geometric_average_unequal_covariances_and_standardized_units():
    # q0 = N(0, I), q1 = N((2, 0), I / 4), beta = 0.5 -> N((1.6, 0), 0.4 I) (spec); in shifted, scaled units
    rng = np.random.RandomState(2)
    shift, scale = np.array([5.0, -3.0]), np.array([2.0, 0.5])
    X0, X1 = rng.normal(size=(5000, 2)), 0.5 * rng.normal(size=(5000, 2)) + [2, 0]
    experts = [DiffusionGenerator(standardize=False, n_steps=200).fit(Z * scale + shift) for Z in (X0, X1)]
    est = FeynmanKacCorrector(experts, target="geometric", beta=0.5, prefit=True, standardize=False,
                              random_state=0).fit(np.vstack([X0, X1]) * scale + shift, np.repeat([0, 1], 5000))
    np.testing.assert_allclose(est.exponents_, [0.5, 0.5])
    mean, var = _gaussian_target([e.model_ for e in est.estimators_], est.exponents_)
    np.testing.assert_allclose(mean, np.array([1.6, 0.0]) * scale + shift, atol=0.05)
    S = est.sample(20000)
    np.testing.assert_allclose(S.mean(axis=0), mean, atol=0.03 * scale.max())
    np.testing.assert_allclose(S.var(axis=0), var, rtol=0.06)
    plain = FeynmanKacCorrector(experts, target="geometric", beta=0.5, prefit=True, weighting=False,
                                random_state=0).fit(np.vstack([X0, X1]), np.repeat([0, 1], 5000))
    # plain mixing (spec: mean 1.33) misses the target mean by far more than the FKC error
    assert abs((plain.sample(20000)[:, 0].mean() - shift[0]) / scale[0] - 1.6) > 0.2


def test_fit_standardizes_once_and_samples_in_data_units():
    X = np.random.RandomState(3).normal(size=(3000, 2)) * [3.0, 0.1] + [10.0, -1.0]
    X_copy = X.copy()
    est = FeynmanKacCorrector(beta=2.0, random_state=0).fit(X)
    np.testing.assert_array_equal(X, X_copy)
    np.testing.assert_allclose(est.mean_, X.mean(axis=0))
    assert all(not e.standardize for e in est.estimators_)
    S = est.sample(8000)
    np.testing.assert_allclose((S.mean(axis=0) - X.mean(axis=0)) / X.std(axis=0), 0.0, atol=0.05)
    np.testing.assert_allclose(S.var(axis=0) / X.var(axis=0), 0.5, atol=0.05)


def test_sampling_api_shapes_and_reproducibility(normal_data):
    est = FeynmanKacCorrector(n_particles=300, random_state=0).fit(normal_data[:500])
    assert est.sample(7).shape == (7, 2)
    S, log_w, diag = est.sample_weighted(7)
    assert S.shape == (300, 2) and log_w.shape == (300,)
    assert np.exp(log_w).sum() == pytest.approx(1.0)
    np.testing.assert_array_equal(est.sample(5, random_state=1), est.sample(5, random_state=1))
    assert est.sample(1).shape == (1, 2)
    clipped = FeynmanKacCorrector(max_log_weight_step=0.01, ess_threshold=1.0, random_state=0).fit(normal_data[:500])
    _, log_w, diag = clipped.sample_weighted(200)
    # tiny clipped increments never let the ESS fall far below N
    assert diag["ess"].min() > 0.9 * 200


def test_systematic_resampling_counts_are_floor_or_ceil():
    rng = np.random.RandomState(0)
    w = rng.dirichlet(np.ones(10))
    for _ in range(20):
        counts = np.bincount(systematic_resample(w, 1000, rng), minlength=10)
        assert counts.sum() == 1000
        assert np.all(counts >= np.floor(1000 * w)) and np.all(counts <= np.ceil(1000 * w))


def test_degenerate_weights_warn():
    # a large beta without intermediate resampling leaves one particle with all the weight
    X = np.random.RandomState(4).normal(size=(500, 2))
    est = FeynmanKacCorrector(beta=10.0, ess_threshold=0.0, random_state=0).fit(X)
    with pytest.warns(RuntimeWarning, match="effective sample size"):
        est.sample(500)


def test_bad_input(normal_data):
    X = normal_data[:200]
    y = np.repeat([0, 1], 100)
    with pytest.raises(ValueError, match="NaN|infinity"):
        FeynmanKacCorrector().fit(np.where(np.eye(200, 2) > 0, np.nan, X))
    for params in ({"beta": 0.0}, {"beta": -1.0}, {"n_particles": 1}, {"ess_threshold": 1.5}, {"target": "sum"}):
        with pytest.raises(InvalidParameterError):
            FeynmanKacCorrector(**params).fit(X)
    est = FeynmanKacCorrector(random_state=0).fit(X)
    for n in (0, -3, 2.5, True):
        with pytest.raises(ValueError, match="n_samples"):
            est.sample(n)
    with pytest.raises(ValueError, match="needs class labels"):
        FeynmanKacCorrector(target="product").fit(X)
    with pytest.raises(ValueError, match="at least 2 classes"):
        FeynmanKacCorrector(target="geometric").fit(X, np.zeros(200))
    with pytest.raises(ValueError, match="target_class"):
        FeynmanKacCorrector(target="geometric", target_class=7).fit(X, y)
    with pytest.raises(ValueError, match="positive sum"):
        FeynmanKacCorrector(exponents=[-1.0]).fit(X)
    with pytest.raises(ValueError, match="exponents must be 2"):
        FeynmanKacCorrector(target="product", exponents=[1.0]).fit(X, y)
    with pytest.raises(TypeError, match="DiffusionGenerator"):
        FeynmanKacCorrector(estimators=["gaussian"]).fit(X)
    # q0^(-1) q1^2 with a broad q1 has negative precision: improper target
    narrow, wide = (DiffusionGenerator(standardize=False).fit(Z) for Z in (X, 3 * X))
    with pytest.raises(ValueError, match="improper"):
        FeynmanKacCorrector([narrow, wide], target="geometric", beta=2.0, prefit=True).fit(X, y)
    # experts on different feature counts, standardizations or schedules
    a = DiffusionGenerator().fit(X)
    b = DiffusionGenerator().fit(np.hstack([X, X]))
    with pytest.raises(ValueError, match="features"):
        FeynmanKacCorrector([a, b], target="product", prefit=True).fit(X, y)
    c = DiffusionGenerator().fit(X + 5)
    with pytest.raises(ValueError, match="standardization"):
        FeynmanKacCorrector([a, c], target="product", prefit=True).fit(X, y)
    with pytest.raises(ValueError, match="schedule"):
        FeynmanKacCorrector([DiffusionGenerator(), DiffusionGenerator(schedule=VariancePreservingSchedule())],
                            target="product").fit(X, y)
    with pytest.raises(ValueError, match="needs 2 estimators"):
        FeynmanKacCorrector([DiffusionGenerator()] * 3, target="geometric").fit(X, y)
