"""The shared generative core: schedules, score models and solvers against closed forms."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.integrate import solve_ivp
from scipy.stats import multivariate_normal
from sklearn.linear_model import Ridge
from sklearn.mixture import GaussianMixture

from skpapers.generative import (
    GaussianMixtureScoreModel,
    GaussianScoreModel,
    KernelScoreModel,
    RectifiedSchedule,
    RegressorScoreModel,
    VarianceExplodingSchedule,
    VariancePreservingSchedule,
)
from skpapers.generative._schedules import check_schedule, time_grid
from skpapers.generative._score_models import _time_features
from skpapers.generative._solvers import integrate

SCHEDULES = ["ve", "vp", "rectified"]


@pytest.fixture(scope="module")
def gaussian_data():
    rng = np.random.RandomState(0)
    A = rng.normal(size=(3, 3))
    cov = A @ A.T + 0.1 * np.eye(3)
    mean = np.array([0.5, -0.3, 0.2])
    return rng.multivariate_normal(mean, cov, size=3000), mean, cov


@pytest.mark.parametrize("schedule", SCHEDULES)
def test_schedule_derivatives_match_finite_differences(schedule):
    sched = check_schedule(schedule)
    t = np.linspace(0.05, 0.95, 19)
    h = 1e-6
    np.testing.assert_allclose(sched.d_alpha(t), (sched.alpha(t + h) - sched.alpha(t - h)) / (2 * h), rtol=1e-5,
                               atol=1e-8)
    np.testing.assert_allclose(sched.d_sigma(t), (sched.sigma(t + h) - sched.sigma(t - h)) / (2 * h), rtol=1e-5)
    # g^2 = d(s^2)/dt - 2 f s^2 and the ratio inverse
    ds2 = (sched.sigma(t + h) ** 2 - sched.sigma(t - h) ** 2) / (2 * h)
    np.testing.assert_allclose(sched.diffusion_squared(t), ds2 - 2 * sched.drift(t) * sched.sigma(t) ** 2,
                               rtol=1e-5)
    np.testing.assert_allclose(sched.time_from_sigma_ratio(sched.sigma_ratio(t)), t, rtol=1e-9)


def test_schedule_conventions():
    assert float(RectifiedSchedule().alpha(0.0)) == 1.0 and float(RectifiedSchedule().sigma(1.0)) == 1.0
    vp = VariancePreservingSchedule()
    np.testing.assert_allclose(vp.alpha(0.3) ** 2 + vp.sigma(0.3) ** 2, 1.0)
    ve = VarianceExplodingSchedule(0.002, 80.0)
    assert float(ve.sigma(0)) == pytest.approx(0.002) and float(ve.sigma(1)) == pytest.approx(80.0)
    with pytest.raises(ValueError, match="sigma_min"):
        VarianceExplodingSchedule(1.0, 0.5)
    with pytest.raises(ValueError, match="schedule must be one of"):
        check_schedule("cosine")
    grid = time_grid(ve, 17, t_min=0.0, spacing="edm")
    # Karras grid: sigma_i = (80^(1/7) + i/17 (0.002^(1/7) - 80^(1/7)))^7
    i = np.arange(18) / 17
    np.testing.assert_allclose(ve.sigma(grid), (80 ** (1 / 7) + i * (0.002 ** (1 / 7) - 80 ** (1 / 7))) ** 7,
                               rtol=1e-9)


@pytest.mark.parametrize("schedule", SCHEDULES)
def test_gaussian_denoiser_is_the_wiener_filter(gaussian_data, schedule):
    X, _, _ = gaussian_data
    model = GaussianScoreModel().fit(X, schedule)
    mu, cov = model.mean_, model.covariance_
    a, s = float(model.schedule_.alpha(0.4)), float(model.schedule_.sigma(0.4))
    x = np.random.RandomState(1).normal(size=(5, 3))
    marginal = a**2 * cov + s**2 * np.eye(3)
    expected = mu + (a * cov @ np.linalg.solve(marginal, (x - a * mu).T)).T
    np.testing.assert_allclose(model.denoise(x, 0.4), expected, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(model.log_density(x, 0.4), multivariate_normal(a * mu, marginal).logpdf(x),
                               rtol=1e-10)


@pytest.mark.parametrize(
    "make_model",
    [
        lambda: GaussianScoreModel(),
        lambda: GaussianMixtureScoreModel(n_components=3),
        lambda: KernelScoreModel(bandwidth=0.3),
        lambda: KernelScoreModel(bandwidth=0.0),
    ],
    ids=["gaussian", "gmm", "kernel", "delta"],
)
@pytest.mark.parametrize("schedule", SCHEDULES)
def test_score_is_the_gradient_of_the_log_density(gaussian_data, make_model, schedule):
    X = gaussian_data[0][:400]
    model = make_model().fit(X, schedule, random_state=0)
    x = np.random.RandomState(2).normal(size=(6, 3))
    t, h = 0.3, 1e-5
    grad = np.column_stack([
        (model.log_density(x + h * e, t) - model.log_density(x - h * e, t)) / (2 * h) for e in np.eye(3)
    ])
    np.testing.assert_allclose(model.score_function(x, t), grad, rtol=1e-5, atol=1e-6)
    # velocity = a' D + s' eps_hat, and the score is -eps_hat / s
    sched = model.schedule_
    D, eps = model.denoise(x, t), model.predict_noise(x, t)
    np.testing.assert_allclose(sched.alpha(t) * D + sched.sigma(t) * eps, x, atol=1e-10)
    np.testing.assert_allclose(model.velocity(x, t), sched.d_alpha(t) * D + sched.d_sigma(t) * eps)


def test_one_component_mixture_equals_the_gaussian(gaussian_data):
    X = gaussian_data[0]
    gmm = GaussianMixtureScoreModel(n_components=1, reg_covar=1e-12).fit(X, "vp", random_state=0)
    gauss = GaussianScoreModel(reg_covar=1e-12).fit(X, "vp")
    x = np.random.RandomState(3).normal(size=(10, 3))
    # EM's one-component fit is the sample moments up to its stopping tolerance
    np.testing.assert_allclose(gmm.score_function(x, 0.2), gauss.score_function(x, 0.2), rtol=1e-4, atol=1e-6)
    tied = GaussianMixtureScoreModel(gaussian_mixture=GaussianMixture(1, covariance_type="tied", random_state=0))
    np.testing.assert_allclose(tied.fit(X, "vp").denoise(x, 0.2), gauss.denoise(x, 0.2), rtol=1e-5, atol=1e-6)


def test_kernel_score_at_zero_bandwidth_memorizes():
    X = np.random.RandomState(0).normal(size=(50, 2))
    model = KernelScoreModel(bandwidth=0.0).fit(X, VarianceExplodingSchedule(1e-4, 50.0))
    x = X + 1e-5
    # at the smallest noise the denoiser returns the nearest training row
    np.testing.assert_allclose(model.denoise(x, 0.0), X, atol=1e-8)
    # chunked evaluation equals one block
    small = KernelScoreModel(bandwidth=0.2, chunk_size=60).fit(X, "ve")
    big = KernelScoreModel(bandwidth=0.2).fit(X, "ve")
    np.testing.assert_allclose(small.denoise(x, 0.3), big.denoise(x, 0.3), rtol=1e-12)
    np.testing.assert_allclose(small.log_density(x, 0.3), big.log_density(x, 0.3), rtol=1e-12)


class _OracleRegressor:
    """Predicts the exact training target of a Gaussian model from [x_t, phi(t)]."""

    def __init__(self, gaussian, target):
        self.gaussian, self.target = gaussian, target

    def get_params(self, deep=True):
        return {"gaussian": self.gaussian, "target": self.target}

    def set_params(self, **params):
        return self

    def fit(self, X, y):
        return self

    def predict(self, X):
        d = self.gaussian.n_features_in_
        x, t = X[:, :d], X[:, d]
        D, eps = self.gaussian.denoise(x, t), self.gaussian.predict_noise(x, t)
        sched = self.gaussian.schedule_
        if self.target == "x0":
            return D
        if self.target == "noise":
            return eps
        return sched.d_alpha(t)[:, None] * D + sched.d_sigma(t)[:, None] * eps


@pytest.mark.parametrize("target", ["noise", "velocity", "x0"])
@pytest.mark.parametrize("schedule", SCHEDULES)
def test_regressor_targets_convert_to_the_same_denoiser(gaussian_data, target, schedule):
    X = gaussian_data[0][:200]
    gauss = GaussianScoreModel().fit(X, schedule)
    model = RegressorScoreModel(_OracleRegressor(gauss, target), target=target, n_noise_draws=1)
    model.fit(X, schedule, random_state=0)
    assert np.isfinite(model.train_loss_) and model.train_loss_ > 0  # a draw, not its posterior mean
    x = np.random.RandomState(4).normal(size=(7, 3))
    for t in (0.1, 0.5, 0.9):
        np.testing.assert_allclose(model.denoise(x, t), gauss.denoise(x, t), rtol=1e-8, atol=1e-10)
        np.testing.assert_allclose(model.velocity(x, t), gauss.velocity(x, t), rtol=1e-8, atol=1e-10)


def test_regressor_training_rows_and_time_features():
    X = np.random.RandomState(0).normal(size=(40, 2))
    model = RegressorScoreModel(Ridge(), n_noise_draws=3, time_sampler="logit_normal").fit(X, "vp", random_state=0)
    assert model.estimator_.coef_.shape == (2, 2 + 7)
    phi = _time_features(np.array([[0.25]]))
    np.testing.assert_allclose(phi[0, :4], [0.25, np.sin(np.pi / 4), np.sin(np.pi / 2), np.sin(3 * np.pi / 4)])
    # a single-output regressor is wrapped, one model per feature
    from sklearn.ensemble import HistGradientBoostingRegressor
    from sklearn.multioutput import MultiOutputRegressor
    from sklearn.tree import DecisionTreeRegressor

    single = RegressorScoreModel(HistGradientBoostingRegressor(max_iter=5), n_noise_draws=2).fit(X, "vp", random_state=0)
    assert isinstance(single.estimator_, MultiOutputRegressor) and len(single.estimator_.estimators_) == 2
    assert single.denoise(X[:3], 0.5).shape == (3, 2)
    tree = RegressorScoreModel(DecisionTreeRegressor(max_depth=3), n_noise_draws=2).fit(X, "vp", random_state=0)
    assert not isinstance(tree.estimator_, MultiOutputRegressor)
    with pytest.raises(ValueError, match="target"):
        RegressorScoreModel(Ridge(), target="score").fit(X, "vp")
    with pytest.raises(ValueError, match="n_noise_draws"):
        RegressorScoreModel(Ridge(), n_noise_draws=0).fit(X, "vp")


@pytest.mark.parametrize("schedule", SCHEDULES)
def test_pf_ode_solution_equals_solve_ivp(gaussian_data, schedule):
    X = gaussian_data[0]
    model = GaussianScoreModel().fit(X, schedule)
    x1 = np.random.RandomState(5).normal(size=(4, 3)) * float(model.schedule_.sigma(1.0))
    for t_to in (0.5, 0.1, 1e-3):
        exact = model.pf_ode_solution(x1, 1.0, t_to)
        sol = solve_ivp(lambda t, y: model.velocity(y.reshape(4, 3), t).ravel(), (1.0, t_to), x1.ravel(),
                        method="DOP853", rtol=1e-11, atol=1e-11)
        np.testing.assert_allclose(sol.y[:, -1].reshape(4, 3), exact, atol=1e-8)


@pytest.mark.parametrize("schedule", SCHEDULES)
def test_fixed_step_solvers_converge_to_the_exact_flow(gaussian_data, schedule):
    X = gaussian_data[0]
    model = GaussianScoreModel().fit(X, schedule)
    x1 = np.random.RandomState(6).normal(size=(200, 3)) * float(model.schedule_.sigma(1.0))
    exact = model.pf_ode_solution(x1, 1.0, 1e-3)
    errors = {}
    for solver, n in (("euler", 50), ("euler", 200), ("heun", 50), ("heun", 200)):
        out, n_eval = integrate(model, x1, time_grid(model.schedule_, n, spacing="edm"), solver=solver)
        errors[solver, n] = np.abs(out - exact).max()
        assert n_eval == (2 * n if solver == "heun" else n)
    assert errors["euler", 200] < errors["euler", 50]
    assert errors["heun", 200] < errors["heun", 50] < errors["euler", 50]
    assert errors["heun", 200] < 1e-2
    out, _ = integrate(model, x1, [1.0, 1e-3], solver="rk45")
    np.testing.assert_allclose(out, exact, atol=1e-3)


@pytest.mark.parametrize("schedule", SCHEDULES)
def test_reverse_sde_samples_the_gaussian(schedule):
    rng = np.random.RandomState(0)
    cov = np.array([[1.0, 0.6], [0.6, 0.8]])
    X = rng.multivariate_normal([0, 0], cov, size=4000)
    model = GaussianScoreModel().fit(X, schedule)
    start = rng.normal(size=(4000, 2)) * float(model.schedule_.sigma(1.0))
    out, _ = integrate(model, start, time_grid(model.schedule_, 200, spacing="edm"), solver="euler_maruyama",
                       random_state=0)
    rel = np.linalg.norm(np.cov(out.T) - model.covariance_) / np.linalg.norm(model.covariance_)
    # 4000 draws: the sampling error of a covariance is about 3%
    assert rel < 0.08


def test_solver_hooks_are_called_and_can_replace_the_state(gaussian_data):
    model = GaussianScoreModel().fit(gaussian_data[0], "ve")
    grid = time_grid(model.schedule_, 10)
    x1 = np.random.RandomState(0).normal(size=(5, 3)) * 50
    calls = []

    def callback(step, X, t, t_next):
        calls.append((step, t, t_next))
        return np.repeat(X[:1], len(X), axis=0)  # resample everything onto particle 0

    out, _ = integrate(model, x1, grid, solver="euler", callback=callback)
    assert [c[0] for c in calls] == list(range(10))
    np.testing.assert_allclose(out, np.repeat(out[:1], 5, axis=0))
    base, _ = integrate(model, x1, grid, solver="heun")
    zero, _ = integrate(model, x1, grid, solver="heun", guidance=lambda X, t: np.zeros_like(X))
    np.testing.assert_array_equal(base, zero)
    pushed, _ = integrate(model, x1, grid, solver="heun", guidance=lambda X, t: np.full_like(X, 0.5))
    assert np.all(pushed > base)
    with pytest.raises(ValueError, match="solver must be one of"):
        integrate(model, x1, grid, solver="rk4")


def test_score_models_reject_bad_input():
    X = np.random.RandomState(0).normal(size=(20, 2))
    with pytest.raises(ValueError, match="NaN"):
        GaussianScoreModel().fit(np.where(X > 1, np.nan, X), "ve")
    with pytest.raises(ValueError, match="covariance"):
        GaussianScoreModel(covariance="tied").fit(X, "ve")
    with pytest.raises(ValueError, match="rank"):
        GaussianScoreModel(rank=3).fit(X, "ve")
    with pytest.raises(ValueError, match="bandwidth"):
        KernelScoreModel(bandwidth=-1.0).fit(X, "ve")
    with pytest.raises(AttributeError, match="not fitted"):
        GaussianScoreModel().denoise(X, 0.5)
    model = GaussianScoreModel().fit(X, "ve")
    with pytest.raises(ValueError, match="shape"):
        model.denoise(X[:, :1], 0.5)
    with pytest.raises(ValueError, match=r"t must lie in \[0, 1\]"):
        model.denoise(X, 1.5)


def test_singular_covariance_is_floored():
    X = np.column_stack([np.random.RandomState(0).normal(size=5), np.ones(5), np.zeros(5)])
    model = GaussianScoreModel(reg_covar=1e-4).fit(X, "vp")
    assert model.eigenvalues_.min() == pytest.approx(1e-4)
    assert np.all(np.isfinite(model.score_function(X, 1e-3)))
    low = GaussianScoreModel(rank=1).fit(np.random.RandomState(1).normal(size=(100, 3)), "ve")
    assert np.sum(low.eigenvalues_ > 1e-3) == 1


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 2**16), t=st.floats(0.01, 0.99))
def test_closed_form_scores_do_not_depend_on_row_order(seed, t):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(30, 2))
    x = rng.normal(size=(4, 2))
    perm = rng.permutation(30)
    for make in (GaussianScoreModel, lambda: KernelScoreModel(bandwidth=0.2)):
        a = make().fit(X, "vp").score_function(x, t)
        b = make().fit(X[perm], "vp").score_function(x, t)
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12)
