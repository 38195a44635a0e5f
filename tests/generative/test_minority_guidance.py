import numpy as np
import pytest
from scipy.special import logsumexp
from sklearn.neighbors import KernelDensity
from sklearn.utils._param_validation import InvalidParameterError

from skpapers.generative import KernelScoreModel, MinorityGuidedGenerator, minority_score


def _two_clusters(seed=0, n_major=380, n_minor=20):
    rng = np.random.RandomState(seed)
    return np.vstack([rng.normal(size=(n_major, 2)), rng.normal(3.0, 0.3, size=(n_minor, 2))])


def _energy_distance(A, B):
    def mean_dist(P, Q):
        return np.mean(np.sqrt(((P[:, None, :] - Q[None, :, :]) ** 2).sum(-1)))

    return 2 * mean_dist(A, B) - mean_dist(A, A) - mean_dist(B, B)


def test_exact_gradient_matches_finite_differences_of_log_posterior():
    X = _two_clusters()
    gen = MinorityGuidedGenerator(KernelScoreModel(bandwidth=0.3), standardize=False, random_state=0).fit(X)
    h, sched = 0.3, gen.schedule_
    t = 0.2
    a, s = float(sched.alpha(t)), float(sched.sigma(t))
    v = a**2 * h**2 + s**2
    in_level = gen.levels_ == gen.target_level_

    def log_post(x):
        logits = -0.5 * ((x - a * X) ** 2).sum(1) / v
        return logsumexp(logits[in_level]) - logsumexp(logits)

    x = np.array([[1.0, 1.5]])
    grad = gen._exact_log_posterior_gradient(x, t)[0]
    eps = 1e-5
    fd = [(log_post(x[0] + eps * e) - log_post(x[0] - eps * e)) / (2 * eps) for e in np.eye(2)]
    np.testing.assert_allclose(grad, fd, rtol=1e-5, atol=1e-8)


def test_scale_one_targets_kernel_density_of_target_level():
    # the oracle: p(x) p(l | x) with the exact posterior is the KDE of the level's rows
    X = _two_clusters()
    h = 0.3
    gen = MinorityGuidedGenerator(KernelScoreModel(bandwidth=h), schedule="ve", n_steps=300, guidance_scale=1.0,
                                  standardize=False, random_state=0).fit(X)
    top = X[gen.levels_ == gen.target_level_]
    ours = gen.sample(600, random_state=1)
    oracle = KernelDensity(bandwidth=h).fit(top).sample(600, random_state=2)
    oracle_again = KernelDensity(bandwidth=h).fit(top).sample(600, random_state=3)
    everything = KernelDensity(bandwidth=h).fit(X).sample(600, random_state=4)
    floor = _energy_distance(oracle, oracle_again)
    assert _energy_distance(ours, oracle) < 3 * floor + 0.01
    assert _energy_distance(ours, everything) > 5 * _energy_distance(ours, oracle)


def test_scale_zero_is_the_unguided_sampler():
    X = _two_clusters()
    gen = MinorityGuidedGenerator(KernelScoreModel(bandwidth=0.3), n_steps=40, guidance_scale=0.0,
                                  random_state=0).fit(X)
    from skpapers.generative import DiffusionGenerator

    plain = DiffusionGenerator(KernelScoreModel(bandwidth=0.3), schedule="vp", solver="euler_maruyama", n_steps=40,
                               random_state=0).fit(X)
    np.testing.assert_allclose(gen.sample(50, random_state=3), plain.sample(50, random_state=3))
    np.testing.assert_allclose(gen.score_samples(X[:5]), plain.score_samples(X[:5]))


def test_guidance_lowers_density_and_levels_are_quantiles():
    X = _two_clusters()
    gen = MinorityGuidedGenerator(KernelScoreModel(bandwidth=0.2), n_steps=60, random_state=0).fit(X)
    counts = np.bincount(gen.levels_)
    assert gen.n_levels_ == 5 and np.all(np.abs(counts - 80) <= 1)
    assert np.all(np.diff(gen.level_thresholds_) > 0)
    assert np.all(gen.minority_scores_[gen.levels_ == 4] > gen.level_thresholds_[-1])
    means = []
    for w in (0.0, 1.0, 3.0):
        means.append(gen.set_params(guidance_scale=w).score_samples(gen.sample(400, random_state=1)).mean())
    assert means[0] > means[1] > means[2]


def test_logistic_classifier_steers_too():
    X = _two_clusters()
    gen = MinorityGuidedGenerator("gmm", classifier="logistic", n_steps=40, random_state=0).fit(X)
    assert hasattr(gen.classifier_, "coef_")
    plain = gen.set_params(guidance_scale=0.0).sample(300, random_state=1)
    guided = gen.set_params(guidance_scale=3.0).sample(300, random_state=1)
    assert gen.score_samples(guided).mean() < gen.score_samples(plain).mean()
    # binary levels take the one-vector branch of the gradient
    gen2 = MinorityGuidedGenerator("gaussian", n_levels=2, n_steps=20, random_state=0).fit(X)
    assert gen2.classifier_.coef_.shape[0] == 1
    assert np.all(np.isfinite(gen2.sample(20)))


def test_logistic_gradient_matches_finite_differences():
    X = _two_clusters()
    gen = MinorityGuidedGenerator("gaussian", n_levels=3, random_state=0).fit(X)
    from skpapers.generative._score_models import _time_features

    def log_post(x, t=0.3):
        f = np.hstack([x[None, :], _time_features(np.array([[t]]))])
        return np.log(gen.classifier_.predict_proba(f)[0, gen.target_level_])

    x = np.array([0.5, -0.2])
    grad = gen._logistic_log_posterior_gradient(x[None, :], 0.3)[0]
    fd = [(log_post(x + 1e-5 * e) - log_post(x - 1e-5 * e)) / 2e-5 for e in np.eye(2)]
    np.testing.assert_allclose(grad, fd, rtol=1e-4)


def test_minority_score_function_limits():
    X = _two_clusters()
    model = KernelScoreModel(bandwidth=0.2).fit(X, "vp")
    s = minority_score(model, X, minority_noise=1.0, n_draws=20, random_state=0)
    assert s.shape == (X.shape[0],) and np.all(s >= 0)
    # the tail of the bulk scores higher than its centre (the score is about density, and the
    # tight minority cluster is itself dense)
    order = np.argsort(np.linalg.norm(X[:380], axis=1))
    assert s[order[-20:]].mean() > 2 * s[order[:20]].mean()
    m = minority_score(model, X, metric="mahalanobis", random_state=0)
    assert np.all(np.isfinite(m))
    with pytest.raises(ValueError, match="minority_noise"):
        minority_score(model, X, minority_noise=0.0)
    with pytest.raises(ValueError, match="n_draws"):
        minority_score(model, X, n_draws=0)
    with pytest.raises(ValueError, match="metric"):
        minority_score(model, X, metric="cosine")
    with pytest.raises(ValueError, match="shape"):
        minority_score(model, X[:, :1])


def test_bad_input():
    X = _two_clusters()
    with pytest.raises(ValueError, match="NaN|infinity"):
        MinorityGuidedGenerator().fit(np.where(np.arange(X.size).reshape(X.shape) == 3, np.nan, X))
    for params, name in [({"guidance_scale": -1.0}, "guidance_scale"), ({"minority_noise": 0.0}, "minority_noise"),
                         ({"n_levels": 1}, "n_levels"), ({"n_score_draws": 0}, "n_score_draws"),
                         ({"metric": "cosine"}, "metric"), ({"classifier": "svm"}, "classifier")]:
        with pytest.raises(InvalidParameterError, match=name):
            MinorityGuidedGenerator(**params).fit(X)
    with pytest.raises(ValueError, match="target_level"):
        MinorityGuidedGenerator(target_level=5, n_steps=5).fit(X)
    with pytest.raises(ValueError, match="exact"):
        MinorityGuidedGenerator("gaussian", classifier="exact").fit(X)
    gen = MinorityGuidedGenerator(n_steps=5, random_state=0).fit(X)
    with pytest.raises(ValueError, match="n_samples"):
        gen.sample(0)
    with pytest.raises(InvalidParameterError, match="guidance_scale"):
        gen.set_params(guidance_scale=-0.5).sample(3)
    with pytest.raises(ValueError, match="features"):
        gen.minority_score(X[:, :1])


def test_ties_reduce_levels_with_warning():
    X = np.repeat(np.array([[0.0, 0.0], [1.0, 1.0]]), 20, axis=0)
    with pytest.warns(UserWarning, match="reduced"):
        gen = MinorityGuidedGenerator(n_levels=5, n_steps=5, n_score_draws=1, minority_noise=1e-3,
                                      random_state=0).fit(X)
    assert 1 <= gen.n_levels_ < 5


def test_large_guidance_warns_off_support():
    X = _two_clusters()
    gen = MinorityGuidedGenerator("gaussian", guidance_scale=200.0, n_steps=20, random_state=0).fit(X)
    with pytest.warns(UserWarning, match="bounding box"):
        gen.sample(50)


def _imbalanced(seed=0):
    rng = np.random.RandomState(seed)
    X = np.vstack([rng.normal(size=(120, 2)), rng.normal(2.0, 0.7, size=(30, 2))])
    return X, np.array([0] * 120 + [1] * 30)


def test_over_sampler_counts_and_class_generator():
    from skpapers.over_sampling import MinorityGuidanceOverSampler

    X, y = _imbalanced()
    template = MinorityGuidedGenerator(KernelScoreModel(bandwidth=0.3), n_steps=30)
    sampler = MinorityGuidanceOverSampler(template, guidance_scale=2.0, random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    np.testing.assert_array_equal(np.bincount(y_res), [120, 120])
    np.testing.assert_array_equal(X_res[:150], X)
    gen = sampler.generators_[1]
    assert gen.guidance_scale == 2.0 and gen.n_features_in_ == 2 and list(sampler.generators_) == [1]
    # the new rows are those of the class-1 generator, in the units of X
    assert np.linalg.norm(X_res[150:].mean(0) - X[y == 1].mean(0)) < 1.0
    # guidance moves the new rows to lower density under the class model than the unguided ones
    plain = MinorityGuidanceOverSampler(template, guidance_scale=0.0, random_state=0).fit_resample(X, y)[0]
    assert gen.score_samples(X_res[150:]).mean() < gen.score_samples(plain[150:]).mean()
    assert template.guidance_scale == 1.0  # the template is cloned, not modified


def test_over_sampler_bad_input():
    from scipy import sparse

    from skpapers.over_sampling import MinorityGuidanceOverSampler

    X, y = _imbalanced()
    sampler = MinorityGuidanceOverSampler(MinorityGuidedGenerator(n_steps=5), random_state=0)
    with pytest.raises(ValueError, match="at least 2 rows"):
        sampler.fit_resample(np.vstack([X[:120], X[-1:]]), np.r_[y[:120], 1])
    with pytest.raises(ValueError, match="NaN|infinity"):
        sampler.fit_resample(np.where(X > 2.5, np.inf, X), y)
    with pytest.raises(TypeError, match="[Ss]parse"):
        sampler.fit_resample(sparse.csr_matrix(X), y)
    with pytest.raises(InvalidParameterError, match="guidance_scale"):
        MinorityGuidanceOverSampler(guidance_scale=-1.0).fit_resample(X, y)
    with pytest.raises(InvalidParameterError, match="generator"):
        MinorityGuidanceOverSampler(generator="kde").fit_resample(X, y)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("n_levels", [2, 3])
@pytest.mark.parametrize("activation", ["relu", "tanh"])
def test_mlp_gradient_matches_finite_differences(n_levels, activation):
    from sklearn.neural_network import MLPClassifier

    from skpapers.generative._score_models import _time_features

    X = _two_clusters(n_major=150, n_minor=10)
    gen = MinorityGuidedGenerator("gaussian", classifier="mlp", n_levels=n_levels, random_state=0).fit(X)
    assert isinstance(gen.classifier_, MLPClassifier)
    gen.classifier_.set_params(activation=activation)  # the forward pass reads the activation from the estimator

    def log_post(x, t=0.3):
        f = np.hstack([x[None, :], _time_features(np.array([[t]]))])
        return np.log(gen.classifier_.predict_proba(f)[0, gen.target_level_])

    x = np.array([0.5, -0.2])
    grad = gen._logistic_log_posterior_gradient(x[None, :], 0.3)[0]
    fd = [(log_post(x + 1e-6 * e) - log_post(x - 1e-6 * e)) / 2e-6 for e in np.eye(2)]
    np.testing.assert_allclose(grad, fd, rtol=1e-4, atol=1e-7)
