import pickle
import warnings

import numpy as np
import pytest
from scipy import stats
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.linear_model import Ridge
from sklearn.neural_network import MLPRegressor
from sklearn.utils._param_validation import InvalidParameterError

from skpapers.generative import (
    RectifiedFlowGenerator,
    RegressorScoreModel,
    logit_normal_timesteps,
    shift_timesteps,
)
from skpapers.generative._rectified_flow import _draw_training_times

MEAN = np.array([1.0, -1.0, 2.0])
COV = np.array([[2.0, 0.6, 0.3], [0.6, 1.0, -0.4], [0.3, -0.4, 0.5]])


def _gaussian_data(n=5000, seed=0):
    return np.random.RandomState(seed).multivariate_normal(MEAN, COV, size=n)


def _true_velocity(X, t, mean, cov):
    """E[eps - x0 | x_t = X] for x0 ~ N(mean, cov), x_t = (1 - t) x0 + t eps (plain linear algebra)."""
    a, s = 1.0 - t, t
    marginal = a**2 * cov + s**2 * np.eye(len(mean))
    centred = np.linalg.solve(marginal, (X - a * mean).T).T
    x0_hat = mean + a * centred @ cov
    eps_hat = s * centred
    return eps_hat - x0_hat


def test_logit_normal_law():
    t = logit_normal_timesteps(20000, loc=0.5, scale=0.8, random_state=0)
    z = np.log(t / (1 - t))
    assert stats.kstest(z, stats.norm(0.5, 0.8).cdf).pvalue > 0.01
    # sigmoid saturation is clipped away from the endpoints
    t = logit_normal_timesteps(1000, loc=0.0, scale=100.0, random_state=0)
    assert t.min() >= 1e-5 and t.max() <= 1 - 1e-5


def test_shift_timesteps_properties():
    t = np.linspace(0, 1, 11)
    shifted = shift_timesteps(t, 3.0)
    assert shifted[0] == 0.0 and shifted[-1] == 1.0
    assert np.all(np.diff(shifted) > 0) and np.all(shifted[1:-1] > t[1:-1])
    np.testing.assert_allclose(shift_timesteps(shifted, 1 / 3.0), t, atol=1e-12)  # 1/k undoes k
    np.testing.assert_array_equal(shift_timesteps(t, 1.0), t)


def test_training_times_follow_the_sampler():
    rng = np.random.RandomState(0)
    t = _draw_training_times(20000, rng, "logit_normal", 0.0, 1.0, 1.0)
    assert stats.kstest(np.log(t / (1 - t)), "norm").pvalue > 0.01
    t = _draw_training_times(20000, rng, "uniform", 0.0, 1.0, 1.0)
    assert stats.kstest(t, "uniform").pvalue > 0.01
    # a shift of 3 moves the median of uniform times from 0.5 to 0.75
    t = _draw_training_times(20000, rng, "uniform", 0.0, 1.0, 3.0)
    assert abs(np.median(t) - 0.75) < 0.01


def test_closed_form_velocity_matches_independent_formula():
    X = _gaussian_data()
    gen = RectifiedFlowGenerator(score_model="gaussian", standardize=False).fit(X)
    mean, cov = X.mean(axis=0), np.cov(X.T, bias=True)
    Q = np.random.RandomState(1).normal(size=(50, 3)) * 2
    for t in (0.01, 0.3, 0.7, 0.99):
        np.testing.assert_allclose(gen.velocity(Q, t), _true_velocity(Q, t, mean, cov), atol=1e-8)
    # the conversions of the straight path: x0_hat = x - t v and score = -(x + (1 - t) v) / t
    t = 0.4
    v = gen.velocity(Q, t)
    np.testing.assert_allclose(gen.denoise(Q, t), Q - t * v, atol=1e-8)
    np.testing.assert_allclose(gen.score_function(Q, t), -(Q + (1 - t) * v) / t, atol=1e-8)


def test_velocity_in_original_units():
    X = _gaussian_data() * [10.0, 1.0, 0.1]
    gen = RectifiedFlowGenerator(score_model="gaussian").fit(X)
    # standardized coordinates: x0 ~ N(m, C) with m = 0, C = correlation; x = mean + scale * z
    Z = (X - gen.mean_) / gen.scale_
    Q = X[:20]
    Qz = (Q - gen.mean_) / gen.scale_
    expected = _true_velocity(Qz, 0.4, Z.mean(axis=0), np.cov(Z.T, bias=True)) * gen.scale_
    np.testing.assert_allclose(gen.velocity(Q, 0.4), expected, rtol=1e-7, atol=1e-8)


# measured 0.032 (Euler, 100 steps) and 0.009 (Heun, 20 steps) against the fitted covariance
@pytest.mark.parametrize("solver, n_steps, tol", [("euler", 100, 0.04), ("heun", 20, 0.015)])
def test_sampling_recovers_gaussian_covariance(solver, n_steps, tol):
    X = _gaussian_data()
    gen = RectifiedFlowGenerator(score_model="gaussian", solver=solver, n_steps=n_steps, random_state=0).fit(X)
    S = gen.sample(20000, random_state=1)
    # against the covariance the model fitted (the exact target of the flow), not the population one
    fitted = np.cov(X.T, bias=True)
    err = np.linalg.norm(np.cov(S.T) - fitted) / np.linalg.norm(fitted)
    assert err < tol
    np.testing.assert_allclose(S.mean(axis=0), X.mean(axis=0), atol=0.03)


def test_time_shift_moves_the_grid_towards_noise():
    X = _gaussian_data(500)
    gen = RectifiedFlowGenerator(score_model="gaussian", n_steps=10, time_shift=3.0).fit(X)
    grid = gen._time_grid()
    assert grid[0] == 1.0 and grid[-1] == gen.t_min
    assert np.all(np.diff(grid) < 0) and np.median(grid) > 0.6


def test_learned_velocity_approaches_closed_form():
    """An MLP trained by flow matching on Gaussian data: velocity error well below the velocity scale."""
    rng = np.random.RandomState(0)
    X = rng.multivariate_normal([0.0, 0.0], [[1.0, 0.7], [0.7, 1.0]], size=1000)
    mlp = MLPRegressor(hidden_layer_sizes=(32, 32), max_iter=60, batch_size=256, random_state=0)
    gen = RectifiedFlowGenerator(score_model=mlp, n_noise_draws=10, standardize=False, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # a short run on purpose
        gen.fit(X)
    closed = RectifiedFlowGenerator(score_model="gaussian", standardize=False).fit(X)
    for t in (0.3, 0.5, 0.8):
        Q = (1 - t) * X[:300] + t * rng.normal(size=(300, 2))
        v_true = closed.velocity(Q, t)
        rel = np.linalg.norm(gen.velocity(Q, t) - v_true) / np.linalg.norm(v_true)
        # measured 0.15-0.25 (a zero velocity scores 1.0)
        assert rel < 0.3, (t, rel)
    assert np.isfinite(gen.train_loss_)


def test_regressor_wrapped_with_velocity_target_and_pickles():
    X = _gaussian_data(300)
    gen = RectifiedFlowGenerator(score_model=Ridge(alpha=1e-3), n_noise_draws=2, random_state=0).fit(X)
    assert isinstance(gen.model_, RegressorScoreModel) and gen.model_.target == "velocity"
    clone = pickle.loads(pickle.dumps(gen))
    np.testing.assert_allclose(clone.sample(5, random_state=0), gen.sample(5, random_state=0))
    # a learned flow has a density through the change of variables
    assert np.all(np.isfinite(gen.score_samples(X[:5]))) and np.allclose(
        clone.score_samples(X[:5]), gen.score_samples(X[:5]))


def test_score_samples_closed_form():
    X = _gaussian_data(2000)
    gen = RectifiedFlowGenerator(score_model="gaussian").fit(X)
    ref = stats.multivariate_normal(X.mean(axis=0), np.cov(X.T, bias=True)).logpdf(X[:10])
    np.testing.assert_allclose(gen.score_samples(X[:10]), ref, atol=0.02)


def test_bad_input():
    X = _gaussian_data(100)
    with pytest.raises(NotFittedError):
        RectifiedFlowGenerator(score_model="gaussian").sample(3)
    bad = X.copy()
    bad[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        RectifiedFlowGenerator(score_model="gaussian").fit(bad)
    gen = RectifiedFlowGenerator(score_model="gaussian").fit(X)
    for n in (0, -1, 2.5, True):
        with pytest.raises(ValueError, match="n_samples"):
            gen.sample(n)
    with pytest.raises(ValueError, match="features"):
        gen.velocity(X[:, :2], 0.5)
    with pytest.raises(ValueError, match="t must"):
        gen.velocity(X, 1.5)
    for params in ({"logit_std": 0.0}, {"time_shift": -1.0}, {"time_sampler": "beta"}, {"solver": "exact"}):
        with pytest.raises(InvalidParameterError):
            RectifiedFlowGenerator(score_model="gaussian", **params).fit(X)
    with pytest.raises(TypeError, match="score_model"):
        RectifiedFlowGenerator(score_model=object()).fit(X)
    with pytest.raises(ValueError, match="n_samples"):
        logit_normal_timesteps(0)
    with pytest.raises(ValueError, match="scale"):
        logit_normal_timesteps(3, scale=-1.0)
    with pytest.raises(TypeError, match="loc"):
        logit_normal_timesteps(3, loc="a")
    with pytest.raises(ValueError, match="shift"):
        shift_timesteps(0.5, 0.0)
    with pytest.raises(ValueError, match="t must"):
        shift_timesteps([0.5, 2.0], 2.0)


def test_constant_column_and_input_not_modified():
    X = _gaussian_data(200)
    X[:, 1] = 3.0
    X_copy = X.copy()
    gen = RectifiedFlowGenerator(score_model="gaussian", solver="heun", n_steps=10, random_state=0).fit(X)
    np.testing.assert_array_equal(X, X_copy)
    assert gen.scale_[1] == 1.0
    # the constant column keeps the eigenvalue floor (1e-6) plus the t_min noise and the
    # 10-step discretisation error: it collapses from spread 1 to a few hundredths
    S = gen.sample(1000)
    assert np.std(S[:, 1]) < 0.05 and abs(np.mean(S[:, 1]) - 3.0) < 0.01


def test_regressor_score_model_accepts_a_time_sampler_callable():
    calls = []

    def sampler(n, rng):
        calls.append(n)
        return np.full(n, 0.25)

    X = _gaussian_data(50)
    model = RegressorScoreModel(Ridge(), target="velocity", n_noise_draws=3, time_sampler=sampler)
    model.fit(X, "rectified", random_state=0)
    assert calls == [150]
    with pytest.raises(ValueError, match="time_sampler"):
        RegressorScoreModel(Ridge(), time_sampler="beta").fit(X, "rectified")


# ---------------------------------------------------------------------------------------------
# classifier-free guidance

SHIFTS = np.array([[3.0, 0.0, 0.0], [0.0, 3.0, 0.0], [0.0, 0.0, 3.0]])


def _labelled_data(n=1500, seed=0):
    rng = np.random.RandomState(seed)
    y = rng.randint(3, size=n)
    return _gaussian_data(n, seed) + SHIFTS[y], y


@pytest.mark.parametrize("power", [0.0, 2.0])
def test_cfg_velocity_is_the_closed_form_combination(power):
    """Gaussian class models: v = v_unc + w(t) (v_cond - v_unc), each velocity by plain linear algebra."""
    X, y = _labelled_data()
    w = 2.5
    gen = RectifiedFlowGenerator(score_model="gaussian", guidance_scale=w, guidance_power=power).fit(X, y)
    Z = (X - gen.mean_) / gen.scale_
    Q = X[:40]
    Qz = Z[:40]
    for t in (0.05, 0.4, 0.9):
        v_unc = _true_velocity(Qz, t, Z.mean(axis=0), np.cov(Z.T, bias=True))
        v_cond = _true_velocity(Qz, t, Z[y == 1].mean(axis=0), np.cov(Z[y == 1].T, bias=True))
        w_t = 1 + (w - 1) * (1 - np.cos(np.pi * t**power)) / 2
        expected = (v_unc + w_t * (v_cond - v_unc)) * gen.scale_
        np.testing.assert_allclose(gen.velocity(Q, t, y=1), expected, rtol=0, atol=1e-10)
    # per-row classes and per-row times
    labels = y[:40]
    times = np.linspace(0.1, 0.9, 40)
    v = gen.velocity(Q, times, y=labels)
    for k in range(3):
        rows = labels == k
        np.testing.assert_allclose(v[rows], gen.velocity(Q[rows], times[rows], y=k), rtol=0, atol=1e-12)
    # the unconditional velocity without y
    np.testing.assert_allclose(
        gen.velocity(Q, 0.4), _true_velocity(Qz, 0.4, Z.mean(axis=0), np.cov(Z.T, bias=True)) * gen.scale_,
        rtol=0, atol=1e-10)


def test_guidance_schedule_endpoints():
    from skpapers.generative._rectified_flow import _guidance_gain

    t = np.array([0.0, 0.25, 0.5, 1.0])
    np.testing.assert_allclose(_guidance_gain(t, 3.0, 0.0), 2.0)  # p = 0: constant w
    # p = 1: w(t) - 1 = (w - 1)(1 - cos(pi t)) / 2, from 0 at the data to w - 1 at the noise
    np.testing.assert_allclose(_guidance_gain(t, 3.0, 1.0), [0.0, 1 - np.cos(np.pi / 4), 1.0, 2.0], atol=1e-15)
    assert np.all(_guidance_gain(t, 1.0, 1.5) == 0.0)


@pytest.mark.parametrize("solver", ["heun", "euler_maruyama"])
def test_scale_one_samples_the_class_model_and_scale_zero_the_unconditional_one(solver):
    X, y = _labelled_data(900)
    params = dict(score_model="gaussian", solver=solver, n_steps=15, standardize=False, random_state=0)
    gen = RectifiedFlowGenerator(**params).fit(X, y)
    for k in range(3):
        alone = RectifiedFlowGenerator(**params).fit(X[y == k])
        np.testing.assert_allclose(gen.sample(50, random_state=3, y=k), alone.sample(50, random_state=3),
                                   rtol=0, atol=1e-10)
    # w = 0 integrates v_cond + (0 - 1)(v_cond - v_unc) = v_unc; the SDE converts the term through the score
    unconditional = RectifiedFlowGenerator(**params).fit(X)
    gen.set_params(guidance_scale=0.0)
    np.testing.assert_allclose(gen.sample(50, random_state=3, y=y[:50]), unconditional.sample(50, random_state=3),
                               rtol=0, atol=1e-9)
    np.testing.assert_allclose(gen.sample(50, random_state=3), unconditional.sample(50, random_state=3),
                               rtol=0, atol=1e-12)


def test_guidance_sharpens_classes():
    """Samples of class k are classified as k more often as w grows (CFG's trade of diversity for fidelity)."""
    from sklearn.discriminant_analysis import QuadraticDiscriminantAnalysis

    X, y = _labelled_data(3000)
    X = X[:, :2]  # two coordinates: the classes overlap, so accuracy starts well below 1
    clf = QuadraticDiscriminantAnalysis().fit(X, y)
    gen = RectifiedFlowGenerator(score_model="gaussian", solver="heun", n_steps=20, random_state=0).fit(X, y)
    labels = np.arange(3000) % 3
    accuracy, spread = [], []
    for w in (0.0, 1.0, 2.0, 4.0):
        S = gen.set_params(guidance_scale=w).sample(3000, random_state=1, y=labels)
        accuracy.append(clf.score(S, labels))
        spread.append(np.mean([S[labels == k].std(axis=0).mean() for k in range(3)]))
    X_fresh, y_fresh = _labelled_data(3000, seed=1)
    real = clf.score(X_fresh[:, :2], y_fresh)  # accuracy on fresh real rows (measured 0.87)
    assert abs(accuracy[0] - 1 / 3) < 0.05  # w = 0: unconditional samples, chance level
    assert abs(accuracy[1] - real) < 0.03  # w = 1: the class laws themselves
    assert accuracy[1] < accuracy[2] < accuracy[3]
    assert spread[1] > spread[2] > spread[3]  # guidance concentrates each class


def test_learned_label_conditioning():
    """A regressor trained with the one-hot label (and the null label) learns CFG from data."""
    from sklearn.ensemble import ExtraTreesRegressor

    rng = np.random.RandomState(0)
    y = np.repeat(["left", "right"], 300)
    X = rng.normal(size=(600, 2)) + np.where(y == "right", 1.5, -1.5)[:, None] * [1.0, 0.0]
    trees = ExtraTreesRegressor(n_estimators=20, min_samples_leaf=20, random_state=0)
    gen = RectifiedFlowGenerator(score_model=trees, n_noise_draws=10, label_dropout=0.2, n_steps=20,
                                 random_state=0).fit(X, y)
    assert list(gen.classes_) == ["left", "right"]
    assert gen.model_.n_conditions_ == 2
    labels = np.repeat(["left", "right"], 200)
    means = {}
    for w in (0.0, 1.0, 2.0):
        S = gen.set_params(guidance_scale=w).sample(400, random_state=1, y=labels)
        means[w] = (S[:200, 0].mean(), S[200:, 0].mean())
    # measured (0.17, -0.02), (-1.58, 1.59), (-2.35, 2.32)
    assert abs(means[0.0][0]) < 0.4 and abs(means[0.0][1]) < 0.4
    assert abs(means[1.0][0] + 1.5) < 0.3 and abs(means[1.0][1] - 1.5) < 0.3
    assert means[2.0][0] < means[1.0][0] - 0.3 and means[2.0][1] > means[1.0][1] + 0.3


class _RecordingRegressor(Ridge):
    """Ridge that keeps the inputs of its fit and of its last prediction."""

    def fit(self, X, y):
        self.fit_input_ = np.array(X)
        return super().fit(X, y)

    def predict(self, X):
        self.last_input_ = np.array(X)
        return super().predict(X)


def test_one_hot_labels_and_label_dropout_reach_the_regressor():
    X, y = _labelled_data(2000)
    gen = RectifiedFlowGenerator(score_model=_RecordingRegressor(), n_noise_draws=5, label_dropout=0.3,
                                 random_state=0).fit(X, y)
    est = gen.model_.estimator_
    labels = est.fit_input_[:, -3:]
    null = np.all(labels == 0, axis=1)
    # each noisy copy is dropped independently: a binomial(10000, 0.3) fraction, sd 0.0046
    assert abs(null.mean() - 0.3) < 0.02
    kept = ~null
    np.testing.assert_array_equal(labels[kept].argmax(axis=1), np.repeat(y, 5)[kept])
    assert np.all(labels[kept].sum(axis=1) == 1)
    gen.velocity(X[:4], 0.5, y=2)
    np.testing.assert_array_equal(est.last_input_[:, -3:], np.tile([0.0, 0.0, 1.0], (4, 1)))
    gen.velocity(X[:4], 0.5)
    np.testing.assert_array_equal(est.last_input_[:, -3:], 0.0)
    # fitted without y: no extra columns
    plain = RectifiedFlowGenerator(score_model=_RecordingRegressor(), n_noise_draws=1).fit(X)
    assert plain.model_.estimator_.fit_input_.shape[1] == 3 + 7


def test_refit_without_y_forgets_the_classes():
    X, y = _labelled_data(300)
    gen = RectifiedFlowGenerator(score_model="gaussian").fit(X, y)
    assert len(gen.class_models_) == 3 and list(gen.classes_) == [0, 1, 2]
    gen.fit(X)
    assert not hasattr(gen, "classes_") and not hasattr(gen, "class_models_")
    with pytest.raises(ValueError, match="without class labels"):
        gen.sample(3, y=0)


def test_cfg_bad_input():
    X, y = _labelled_data(300)
    for params in ({"guidance_scale": -0.5}, {"label_dropout": 1.0}, {"label_dropout": -0.1},
                   {"guidance_power": -1.0}):
        with pytest.raises(InvalidParameterError):
            RectifiedFlowGenerator(score_model="gaussian", **params).fit(X, y)
    with pytest.raises(ValueError, match="at least 2 classes"):
        RectifiedFlowGenerator(score_model="gaussian").fit(X, np.zeros(len(X)))
    with pytest.raises(ValueError, match="Unknown label type"):
        RectifiedFlowGenerator(score_model="gaussian").fit(X, np.linspace(0, 1, len(X)))
    with pytest.raises(ValueError, match="NaN"):
        RectifiedFlowGenerator(score_model="gaussian").fit(X, np.where(y == 0, np.nan, y))
    with pytest.raises(ValueError, match="inconsistent"):
        RectifiedFlowGenerator(score_model="gaussian").fit(X, y[:-1])
    gen = RectifiedFlowGenerator(score_model="gaussian", guidance_scale=2.0).fit(X, y)
    with pytest.raises(ValueError, match="not seen in fit"):
        gen.sample(3, y=7)
    with pytest.raises(ValueError, match="not seen in fit"):
        gen.velocity(X[:2], 0.5, y=["a", "b"])
    with pytest.raises(ValueError, match="3 labels"):
        gen.sample(3, y=[0, 1])
    with pytest.raises(ValueError, match="n_samples"):
        gen.sample(0, y=1)
    with pytest.raises(ValueError, match="teleport"):
        gen.set_params(teleport=0.3).sample(3, y=1)
    with pytest.raises(InvalidParameterError):  # set_params after fit is validated at sampling
        gen.set_params(teleport=None, guidance_scale=-1.0).sample(3, y=1)
    with pytest.raises(ValueError, match="without class labels"):
        RectifiedFlowGenerator(score_model="gaussian").fit(X).velocity(X[:2], 0.5, y=0)
    # a regressor never trained on the null label has no unconditional velocity to guide with
    gen = RectifiedFlowGenerator(score_model=Ridge(), n_noise_draws=1, label_dropout=0.0).fit(X, y)
    assert gen.sample(2, y=0).shape == (2, 3)  # w = 1 needs only the conditional velocity
    with pytest.raises(ValueError, match="label_dropout > 0"):
        gen.set_params(guidance_scale=2.0).sample(2, y=0)
    with pytest.raises(ValueError, match="label_dropout > 0"):
        gen.score_samples(X[:2])


def test_regressor_condition_view_checks():
    X = _gaussian_data(100)
    model = RegressorScoreModel(Ridge(), target="velocity", n_noise_draws=1)
    with pytest.raises(ValueError, match="condition must be a finite"):
        model.fit(X, "rectified", condition=np.ones((99, 2)))
    with pytest.raises(ValueError, match="condition_dropout"):
        model.fit(X, "rectified", condition=np.ones((100, 2)), condition_dropout=1.0)
    model.fit(X, "rectified", random_state=0, condition=np.eye(2)[np.arange(100) % 2], condition_dropout=0.5)
    with pytest.raises(ValueError, match="2 columns"):
        model.with_condition([1.0, 0.0, 0.0])
    with pytest.raises(ValueError, match="rows"):
        model.with_condition(np.eye(2)[[0, 1, 0]]).velocity(X[:2], 0.5)
    # the view shares the regressor and leaves the model itself unconditional
    view = model.with_condition([1.0, 0.0])
    assert view.estimator_ is model.estimator_
    np.testing.assert_allclose(model.velocity(X[:3], 0.5), model.with_condition(None).velocity(X[:3], 0.5))
    assert not np.allclose(view.velocity(X[:3], 0.5), model.velocity(X[:3], 0.5))


# ---------------------------------------------------------------------------------------------
# score_samples of a learned flow: instantaneous change of variables


class _ExactGaussianVelocity(Ridge):
    """A 'regressor' whose prediction is the exact velocity of x0 ~ N(mean, cov) at the time in column d."""

    def __init__(self, mean=None, cov=None):
        super().__init__()
        self.mean = mean
        self.cov = cov

    def fit(self, X, y):
        self.n_features_in_ = X.shape[1]
        return self

    def predict(self, X):
        d = len(self.mean)
        Q, t = X[:, :d], X[:, d]
        out = np.empty_like(Q)
        for time in np.unique(t):
            rows = t == time
            out[rows] = _true_velocity(Q[rows], time, np.asarray(self.mean), np.asarray(self.cov))
        return out


def _tmin_marginal(mean, cov, t_min):
    return stats.multivariate_normal((1 - t_min) * mean, (1 - t_min) ** 2 * cov + t_min**2 * np.eye(len(mean)))


def test_change_of_variables_density_matches_the_gaussian():
    X = _gaussian_data(500)
    Q = X[:100]
    ref = _tmin_marginal(MEAN, COV, 1e-3).logpdf(Q)
    errors = {}
    for solver, n_steps in (("euler", 50), ("euler", 100), ("heun", 50), ("heun", 100), ("rk45", 1)):
        gen = RectifiedFlowGenerator(score_model=_ExactGaussianVelocity(MEAN, COV), n_noise_draws=1,
                                     standardize=False, solver=solver, n_steps=n_steps).fit(X)
        errors[solver, n_steps] = np.max(np.abs(gen.score_samples(Q) - ref))
    # measured max errors 0.28, 0.14 (Euler 50, 100), 3.2e-3, 7.8e-4 (Heun 50, 100), 5.6e-6 (RK45):
    # first order for Euler, second for Heun, as the step count sets the tolerance
    assert errors["rk45", 1] < 1e-4
    assert errors["heun", 100] < 2e-3
    assert 3.0 < errors["heun", 50] / errors["heun", 100] < 5.0
    assert 1.7 < errors["euler", 50] / errors["euler", 100] < 2.3
    assert errors["euler", 100] < 0.3


def test_change_of_variables_in_original_units_agrees_with_the_closed_form():
    X = _gaussian_data(800) * [10.0, 1.0, 0.1]
    closed = RectifiedFlowGenerator(score_model="gaussian").fit(X)
    Z = (X - closed.mean_) / closed.scale_
    exact_velocity = _ExactGaussianVelocity(Z.mean(axis=0), np.cov(Z.T, bias=True))
    learned = RectifiedFlowGenerator(score_model=exact_velocity, n_noise_draws=1, solver="heun", n_steps=100).fit(X)
    Q = X[:50]
    np.testing.assert_allclose(learned.score_samples(Q), closed.score_samples(Q), rtol=0, atol=2e-3)
    assert learned.score(Q) == pytest.approx(closed.score(Q), abs=2e-3)
    # batches of rows give the same densities as one call
    from skpapers.generative import _rectified_flow

    full = learned.score_samples(Q)
    old = _rectified_flow._DENSITY_BATCH
    try:
        _rectified_flow._DENSITY_BATCH = 7 * 3 * 4  # four rows per batch
        np.testing.assert_allclose(learned.score_samples(Q), full, rtol=0, atol=1e-12)
    finally:
        _rectified_flow._DENSITY_BATCH = old


def test_class_with_too_few_rows_for_its_model_names_the_class():
    X = np.random.RandomState(0).normal(size=(20, 2))
    y = np.array([0] * 19 + [1])
    with pytest.raises(ValueError, match="class 1 of y"):
        RectifiedFlowGenerator(score_model="gmm").fit(X, y)
    # a Gaussian (eigenvalue floor) or a kernel density takes a single row
    gen = RectifiedFlowGenerator(score_model="gaussian", n_steps=5, random_state=0).fit(X, y)
    S = gen.sample(200, y=1)
    np.testing.assert_allclose(S.mean(axis=0), X[19], atol=0.05)
