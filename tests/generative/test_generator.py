"""DiffusionGenerator: exact Gaussian sampling, densities, teleportation and bad input."""

import numpy as np
import pytest
from scipy.stats import multivariate_normal
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import Ridge
from sklearn.neural_network import MLPRegressor

from skpapers.generative import DiffusionGenerator, RegressorScoreModel

MEAN = np.array([10.0, -3.0])
COV = np.array([[4.0, 1.5], [1.5, 1.0]])


@pytest.fixture(scope="module")
def X():
    return np.random.RandomState(0).multivariate_normal(MEAN, COV, size=3000)


def _rel_cov_error(samples, cov):
    return np.linalg.norm(np.cov(samples.T) - cov) / np.linalg.norm(cov)


def test_gaussian_generator_samples_exactly_in_original_units(X):
    gen = DiffusionGenerator(random_state=0).fit(X)
    samples = gen.sample(20000)
    emp_cov = np.cov(X.T, bias=True)
    assert _rel_cov_error(samples, emp_cov) < 0.03
    np.testing.assert_allclose(samples.mean(axis=0), X.mean(axis=0), atol=0.05)
    # same seed, same samples; the estimator's seed is the default
    np.testing.assert_array_equal(gen.sample(5), gen.sample(5))
    np.testing.assert_array_equal(gen.sample(5, random_state=1), gen.sample(5, random_state=1))
    assert not np.array_equal(gen.sample(5, random_state=1), gen.sample(5, random_state=2))


def test_score_samples_is_the_t_min_marginal_density(X):
    gen = DiffusionGenerator(t_min=1e-3).fit(X)
    s = float(gen.schedule_.sigma(1e-3))
    cov = np.cov(X.T, bias=True) + s**2 * np.diag(gen.scale_**2)
    expected = multivariate_normal(X.mean(axis=0), cov).logpdf(X[:10])
    np.testing.assert_allclose(gen.score_samples(X[:10]), expected, rtol=1e-6)
    assert gen.score(X[:10]) == pytest.approx(expected.mean(), rel=1e-6)


@pytest.mark.parametrize("schedule", ["ve", "vp", "rectified"])
@pytest.mark.parametrize("teleport", [None, 0.5])
def test_numerical_samplers_match_the_exact_gaussian(X, schedule, teleport):
    gen = DiffusionGenerator(solver="heun", schedule=schedule, n_steps=40, time_spacing="edm", teleport=teleport,
                             random_state=0).fit(X)
    exact = DiffusionGenerator(schedule=schedule, random_state=0).fit(X)
    # same start noise, so the numerical path can be compared draw by draw with the exact jump
    # 40 Heun steps: a few hundredths of a standard deviation
    np.testing.assert_allclose(gen.sample(500) / gen.scale_, exact.sample(500) / gen.scale_, atol=0.05)
    Z, n_eval = gen._sample(10)
    assert n_eval == 2 * (40 - int(round((teleport or 0) * 40)))


def test_teleport_saves_steps_with_a_kernel_score(X):
    gen = DiffusionGenerator(score_model="kernel", n_steps=20, teleport=0.25, random_state=0).fit(X)
    _, n_eval = gen._sample(10)
    assert n_eval == 2 * 15
    assert gen.gaussian_cov_.shape == (2, 2)
    np.testing.assert_allclose(gen.gaussian_mean_, 0.0, atol=1e-12)  # standardized units


def test_closed_form_models_have_densities_regressors_do_not(X):
    gmm = DiffusionGenerator(score_model="gmm", n_steps=10, random_state=0).fit(X)
    assert np.all(np.isfinite(gmm.score_samples(X[:5])))
    reg = DiffusionGenerator(score_model=Ridge(), n_steps=5, random_state=0).fit(X[:200])
    assert isinstance(reg.model_, RegressorScoreModel)
    assert not hasattr(reg, "score_samples")
    assert reg.sample(3).shape == (3, 2)


def test_constant_column_and_dataframe_input():
    pd = pytest.importorskip("pandas")
    rng = np.random.RandomState(0)
    df = pd.DataFrame({"a": rng.normal(size=50), "b": np.full(50, 7.0)})
    gen = DiffusionGenerator(random_state=0).fit(df)
    assert gen.scale_[1] == 1.0
    np.testing.assert_allclose(gen.sample(10)[:, 1], 7.0, atol=0.05)
    assert list(gen.feature_names_in_) == ["a", "b"]


def test_bad_input(X):
    with pytest.raises(ValueError, match="NaN|infinity"):
        DiffusionGenerator().fit(np.where(X > 12, np.inf, X))
    with pytest.raises(ValueError, match="teleport"):
        DiffusionGenerator(teleport=1.0).fit(X)
    with pytest.raises(ValueError, match="n_steps"):
        DiffusionGenerator(n_steps=0).fit(X)
    with pytest.raises(ValueError, match="schedule"):
        DiffusionGenerator(schedule="cosine").fit(X)
    with pytest.raises(ValueError, match="solver='exact'"):
        DiffusionGenerator(score_model="kernel", solver="exact").fit(X)
    with pytest.raises(TypeError, match="score_model"):
        DiffusionGenerator(score_model=object()).fit(X)
    with pytest.raises(NotFittedError):
        DiffusionGenerator().sample(3)
    gen = DiffusionGenerator().fit(X)
    for bad in (0, -1, 2.5, True):
        with pytest.raises(ValueError, match="n_samples"):
            gen.sample(bad)
    with pytest.raises(ValueError, match="features"):
        gen.score_samples(X[:, :1])


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")  # a short training run
def test_mlp_score_model_end_to_end():
    # a learned score on Gaussian data approaches the exact sampler's covariance
    rng = np.random.RandomState(0)
    X = rng.multivariate_normal([0.0, 0.0], [[1.0, 0.8], [0.8, 1.0]], size=500)
    mlp = MLPRegressor(hidden_layer_sizes=(32, 32), max_iter=80, batch_size=256, random_state=0)
    gen = DiffusionGenerator(score_model=RegressorScoreModel(mlp, target="velocity", n_noise_draws=4),
                             schedule="rectified", solver="heun", n_steps=20, random_state=0)
    samples = gen.fit(X).sample(3000)
    assert _rel_cov_error(samples, np.cov(X.T)) < 0.2
    assert abs(np.corrcoef(samples.T)[0, 1] - 0.8) < 0.1
