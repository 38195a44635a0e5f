"""LinearCalibrationCorrection and TweedieCorrection: closed forms, peers' formulas, bad input."""

import pickle
import warnings

import numpy as np
import pytest
from scipy.stats import gaussian_kde
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LinearRegression, Ridge
from sklearn.model_selection import cross_val_score
from sklearn.utils._param_validation import InvalidParameterError

from skpapers.causal import LinearCalibrationCorrection, TweedieCorrection

CORRECTORS = [LinearCalibrationCorrection, TweedieCorrection]


def _shrink_noise(n, seed=0):
    # the authors' test fixture: p = 0.15 + 0.62 y + N(0, 0.12^2), y ~ N(0.2, 1.1^2)
    rng = np.random.default_rng(seed)
    y = rng.normal(0.2, 1.1, n)
    return y, 0.15 + 0.62 * y + rng.normal(0.0, 0.12, n)


def _posterior_mean(n, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.normal(0.3, 1.0, n)
    x = y + rng.normal(0.0, np.sqrt(0.5), n)
    return y, x, 0.3 + (x - 0.3) * 2.0 / 3.0


# --------------------------------------------------------------------------- oracles


def test_lcc_is_the_inverse_of_the_least_squares_line_of_predictions_on_truth():
    y, p = _shrink_noise(500)
    lcc = LinearCalibrationCorrection().fit(p[:, None], y)
    slope, intercept = np.polyfit(y, p, 1)
    assert lcc.slope_ == pytest.approx(slope, rel=1e-12)
    assert lcc.intercept_ == pytest.approx(intercept, rel=1e-12)
    np.testing.assert_allclose(lcc.predict(p[:, None]), (p - intercept) / slope, rtol=1e-12)
    assert lcc.r2_ == pytest.approx(np.corrcoef(y, p)[0, 1] ** 2, rel=1e-12)
    residual = p - (intercept + slope * y)
    assert lcc.residual_std_ == pytest.approx(np.sqrt(residual @ residual / (len(y) - 2)), rel=1e-12)
    assert lcc.calibration_range_ == (p.min(), p.max())


@pytest.mark.parametrize("bandwidth", ["scott", "silverman", 0.3])
def test_tweedie_matches_scipy_kde_score_by_central_difference(bandwidth):
    # the authors' formula: p - sigma^2 (log kde(p + d) - log kde(p - d)) / 2d, scipy's gaussian_kde
    y, p = _shrink_noise(800)
    tweedie = TweedieCorrection(bandwidth=bandwidth).fit(p[:, None], y)
    kde = gaussian_kde(p, bw_method=bandwidth)
    assert tweedie.kde_bandwidth_ == pytest.approx(np.sqrt(kde.covariance[0, 0]), rel=1e-12)
    sigma = np.std(p - y)
    assert tweedie.noise_scale_ == pytest.approx(sigma, rel=1e-12)
    grid = np.linspace(p.min(), p.max(), 200)
    delta = max(1e-3 * np.std(p), 1e-8)
    score = (kde.logpdf(grid + delta) - kde.logpdf(grid - delta)) / (2 * delta)
    np.testing.assert_allclose(tweedie.predict(grid[:, None]), grid - sigma**2 * score, atol=1e-5)


def test_tweedie_score_is_stable_far_in_the_tails():
    # a plain sum of kernels underflows to 0/0 here; log-sum-exp keeps the score finite
    y, p = _shrink_noise(300)
    tweedie = TweedieCorrection().fit(p[:, None], y)
    far = np.array([[p.max() + 40 * tweedie.kde_bandwidth_]])
    with pytest.warns(UserWarning, match="outside the calibration range"):
        corrected = tweedie.predict(far)
    # beyond every centre the score is that of the outermost kernel: -(p - p_max) / bw^2
    expected = far[0, 0] + tweedie.noise_scale_**2 * (far[0, 0] - p.max()) / tweedie.kde_bandwidth_**2
    assert np.isfinite(corrected[0])
    assert corrected[0] == pytest.approx(expected, rel=1e-6)


def test_posterior_mean_shrinkage_is_fully_removed():
    # closed form: with p = E[y | x], Gaussian prior and noise, Tweedie maps p back to x and LCC too
    y, x, p = _posterior_mean(4000)
    y_test, x_test, p_test = _posterior_mean(20_000, seed=1)
    inside = np.abs(x_test - 0.3) < 2.0  # away from the KDE's sparse tails
    assert np.polyfit(y_test, p_test, 1)[0] == pytest.approx(2 / 3, abs=0.01)
    lcc = LinearCalibrationCorrection().fit(p[:, None], y).predict(p_test[:, None])
    assert np.polyfit(y_test, lcc, 1)[0] == pytest.approx(1.0, abs=0.02)
    # per unit, the corrected prediction is the unshrunken observation x
    assert np.sqrt(np.mean((lcc - x_test)[inside] ** 2)) < 0.03
    with pytest.warns(UserWarning, match="outside the calibration range"):
        tweedie = TweedieCorrection().fit(p[:, None], y).predict(p_test[:, None])
    assert np.polyfit(y_test, tweedie, 1)[0] == pytest.approx(1.0, abs=0.02)
    # The KDE of Gaussian p is Gaussian with variance var(p) (1 + f^2), f = m^(-1/5) (Scott), so the
    # smoothed map is 0.3 + (x - 0.3) (2/3) (1 + (1/3) / ((2/3) (1 + f^2))), slope 0.985 on x.
    f2 = 4000 ** (-2 / 5)
    slope_on_x = np.polyfit(x_test[inside], tweedie[inside], 1)[0]
    assert slope_on_x == pytest.approx((2 / 3) * (1 + 0.5 / (1 + f2)), abs=0.01)
    # around that line the KDE score's sampling noise (m = 4000) leaves a per-unit spread of ~0.06
    assert np.sqrt(np.mean((tweedie - x_test)[inside] ** 2)) < 0.08


def test_shrink_plus_noise_limits():
    # LCC: slope 1; Tweedie: 0.62 (1 + sigma^2 / var p) = 0.8645 for Gaussian p (KDE: slightly less)
    y, p = _shrink_noise(4000)
    y_test, p_test = _shrink_noise(20_000, seed=1)
    lcc = LinearCalibrationCorrection().fit(p[:, None], y)
    tweedie = TweedieCorrection().fit(p[:, None], y)
    analytic = 0.62 * (1 + (0.38**2 * 1.21 + 0.12**2) / (0.62**2 * 1.21 + 0.12**2))
    assert analytic == pytest.approx(0.8645, abs=1e-4)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # a few fresh tail points extrapolate
        assert np.polyfit(y_test, lcc.predict(p_test[:, None]), 1)[0] == pytest.approx(1.0, abs=0.01)
        assert np.polyfit(y_test, tweedie.predict(p_test[:, None]), 1)[0] == pytest.approx(analytic, abs=0.015)


def test_tweedie_zero_noise_is_identity_and_noise_scale_overrides():
    y, p = _shrink_noise(200)
    identity = TweedieCorrection(noise_scale=0.0).fit(p[:, None], y)
    np.testing.assert_array_equal(identity.predict(p[:, None]), p)
    exact = TweedieCorrection().fit(p[:, None], p)  # perfect predictions: sigma = 0
    assert exact.noise_scale_ == 0.0
    np.testing.assert_array_equal(exact.predict(p[:, None]), p)
    fixed = TweedieCorrection(noise_scale=0.5).fit(p[:, None], y)
    kde = gaussian_kde(p)
    delta = 1e-4
    score = (kde.logpdf(p + delta) - kde.logpdf(p - delta)) / (2 * delta)
    np.testing.assert_allclose(fixed.predict(p[:, None]), p - 0.25 * score, atol=1e-5)


def test_tweedie_density_fit_target_uses_the_predictions_being_corrected():
    y, p = _shrink_noise(500)
    _, p_new = _shrink_noise(300, seed=3)
    p_new = p_new + 0.5  # a shifted downstream population
    tweedie = TweedieCorrection(density_fit="target").fit(p[:, None], y)
    kde = gaussian_kde(p_new)
    delta = 1e-4
    score = (kde.logpdf(p_new + delta) - kde.logpdf(p_new - delta)) / (2 * delta)
    np.testing.assert_allclose(
        tweedie.predict(p_new[:, None]), p_new - tweedie.noise_scale_**2 * score, atol=1e-5
    )
    with pytest.raises(ValueError, match="at least 2 distinct"):
        tweedie.predict(np.ones((3, 1)))


# --------------------------------------------------------------------------- upstream estimator


def _upstream_data(seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(600, 5))
    y = X @ np.array([1.0, -0.5, 0.3, 0.0, 0.8]) + rng.normal(size=600)
    return X, y


@pytest.mark.parametrize("Corrector", CORRECTORS)
def test_upstream_estimator_is_used_frozen_and_equals_passing_its_predictions(Corrector):
    X, y = _upstream_data()
    upstream = Ridge(alpha=50.0).fit(X[:300], y[:300])
    coef = upstream.coef_.copy()
    corrector = Corrector(upstream).fit(X[300:], y[300:])
    assert corrector.estimator_ is upstream
    np.testing.assert_array_equal(upstream.coef_, coef)  # never refit
    assert corrector.n_features_in_ == 5
    direct = Corrector().fit(upstream.predict(X[300:])[:, None], y[300:])
    np.testing.assert_allclose(corrector.predict(X[:50]), direct.predict(upstream.predict(X[:50])[:, None]))
    with pytest.raises(ValueError, match="features"):
        corrector.predict(X[:, :3])


@pytest.mark.parametrize("Corrector", CORRECTORS)
def test_unfitted_upstream_is_refused_and_frozen_upstream_survives_cloning(Corrector):
    X, y = _upstream_data()
    with pytest.raises(ValueError, match="already-fitted"):
        Corrector(Ridge()).fit(X, y)
    frozen = FrozenEstimator(Ridge(alpha=50.0).fit(X[:300], y[:300]))
    scores = cross_val_score(Corrector(frozen), X[300:], y[300:], cv=3)
    assert np.all(np.isfinite(scores))
    # the corrected map predicts y better than the shrunken one
    assert Corrector(frozen).fit(X[300:], y[300:]).score(X[:300], y[:300]) > 0


def test_upstream_feature_names_are_recorded():
    pd = pytest.importorskip("pandas")
    X, y = _upstream_data()
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(5)])
    upstream = LinearRegression().fit(frame[:300], y[:300])
    lcc = LinearCalibrationCorrection(upstream).fit(frame[300:], y[300:])
    assert list(lcc.feature_names_in_) == list(frame.columns)


# --------------------------------------------------------------------------- estimate_ate


@pytest.mark.parametrize("Corrector", CORRECTORS)
def test_estimate_ate_is_the_difference_of_arm_means(Corrector):
    y, p = _shrink_noise(1000)
    corrector = Corrector().fit(p[:, None], y)
    rng = np.random.default_rng(1)
    t = rng.integers(0, 2, 1000)
    e = rng.uniform(0.2, 0.8, 1000)
    corrected = corrector.predict(p[:, None])
    plain = corrector.estimate_ate(p[:, None], t)
    assert plain.ate == pytest.approx(corrected[t == 1].mean() - corrected[t == 0].mean(), rel=1e-12)
    assert plain.naive_ate == pytest.approx(p[t == 1].mean() - p[t == 0].mean(), rel=1e-12)
    assert (plain.n_treated, plain.n_control) == (int(t.sum()), int((1 - t).sum()))
    weighted = corrector.estimate_ate(p[:, None], t.astype(bool), propensity=e)
    w1, w0 = t / e, (1 - t) / (1 - e)
    hajek = np.sum(w1 * corrected) / w1.sum() - np.sum(w0 * corrected) / w0.sum()
    assert weighted.ate == pytest.approx(hajek, rel=1e-12)


def test_lcc_ate_is_the_naive_ate_divided_by_the_slope():
    y, p = _shrink_noise(1000)
    lcc = LinearCalibrationCorrection().fit(p[:, None], y)
    t = np.arange(1000) % 2
    result = lcc.estimate_ate(p[:, None], t)
    assert result.ate == pytest.approx(result.naive_ate / lcc.slope_, rel=1e-10)


@pytest.mark.parametrize("Corrector", CORRECTORS)
def test_estimate_ate_bad_input(Corrector):
    y, p = _shrink_noise(200)
    corrector = Corrector().fit(p[:, None], y)
    X = p[:, None]
    t = np.arange(200) % 2
    with pytest.raises(ValueError, match="treatment must be binary"):
        corrector.estimate_ate(X, np.arange(200) % 3)
    with pytest.raises(TypeError, match="treatment must be numeric"):
        corrector.estimate_ate(X, np.where(t == 1, "a", "b"))
    with pytest.raises(ValueError, match="Both arms"):
        corrector.estimate_ate(X, np.ones(200))
    with pytest.raises(ValueError, match="inconsistent"):
        corrector.estimate_ate(X, t[:100])
    with pytest.raises(ValueError, match="propensity must lie strictly"):
        corrector.estimate_ate(X, t, propensity=np.where(t == 1, 1.0, 0.5))
    with pytest.raises(ValueError, match="NaN"):
        corrector.estimate_ate(X, np.where(t == 1, np.nan, 0.0))
    with pytest.raises(NotFittedError):
        Corrector().estimate_ate(X, t)


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize("Corrector", CORRECTORS)
def test_bad_calibration_input(Corrector):
    y, p = _shrink_noise(200)
    with pytest.raises(ValueError, match="y contains NaN"):
        Corrector().fit(p[:, None], np.where(np.arange(200) == 3, np.nan, y))
    with pytest.raises(ValueError, match="NaN"):
        Corrector().fit(np.where(np.arange(200) == 3, np.nan, p)[:, None], y)
    with pytest.raises(ValueError, match="infinity"):
        Corrector().fit(np.where(np.arange(200) == 3, np.inf, p)[:, None], y)
    with pytest.raises(ValueError, match="one column|column of upstream predictions"):
        Corrector().fit(np.c_[p, y], y)
    with pytest.raises(ValueError, match="inconsistent"):
        Corrector().fit(p[:, None], y[:100])
    with pytest.raises(ValueError, match="requires y"):
        Corrector().fit(p[:, None], None)
    fitted = Corrector().fit(p[:, None], y)
    with pytest.raises(ValueError, match="columns|features"):
        fitted.predict(np.c_[p, p])
    with pytest.raises(NotFittedError):
        Corrector().predict(p[:, None])


def test_fewer_units_than_parameters():
    # LCC: two coefficients and a residual need 3 units; Tweedie's density needs 2
    with pytest.raises(ValueError, match="minimum of 3"):
        LinearCalibrationCorrection().fit([[0.0], [1.0]], [0.0, 1.0])
    with pytest.raises(ValueError, match="minimum of 2"):
        TweedieCorrection().fit([[0.0]], [0.0])


def test_lcc_degenerate_calibration():
    y, p = _shrink_noise(200)
    with pytest.raises(ValueError, match="y is constant"):
        LinearCalibrationCorrection().fit(p[:, None], np.full(200, 3.0))
    with pytest.raises(ValueError, match="predictions are constant"):
        LinearCalibrationCorrection().fit(np.full((200, 1), 3.0), y)
    with pytest.raises(ValueError, match="calibration slope"):
        LinearCalibrationCorrection().fit(-p[:, None], y)
    rng = np.random.default_rng(0)
    with pytest.warns(UserWarning, match="slope is small"):
        lcc = LinearCalibrationCorrection().fit((0.1 * y + rng.normal(0, 0.05, 200))[:, None], y)
    assert 0 < lcc.slope_ < 0.2


def test_tweedie_degenerate_calibration():
    y, p = _shrink_noise(200)
    with pytest.raises(ValueError, match="constant"):
        TweedieCorrection().fit(np.full((200, 1), 3.0), y)
    with pytest.warns(UserWarning, match="Only 50 calibration units"):
        TweedieCorrection().fit(p[:50, None], y[:50])


@pytest.mark.parametrize(
    "params", [{"bandwidth": "normal"}, {"bandwidth": -1.0}, {"noise_scale": -0.1}, {"density_fit": "test"}]
)
def test_tweedie_parameter_validation(params):
    y, p = _shrink_noise(200)
    with pytest.raises(InvalidParameterError):
        TweedieCorrection(**params).fit(p[:, None], y)


def test_estimator_parameter_validation():
    y, p = _shrink_noise(200)
    with pytest.raises(InvalidParameterError, match="estimator"):
        LinearCalibrationCorrection(estimator="ridge").fit(p[:, None], y)


# --------------------------------------------------------------------------- invariants
# (the common checks that fit on several columns, run here on one)


@pytest.mark.parametrize("Corrector", CORRECTORS)
def test_invariants_on_one_column(Corrector):
    y, p = _shrink_noise(300)
    X = p[:, None]
    X_copy, y_copy = X.copy(), y.copy()
    corrector = Corrector().fit(X, y)
    np.testing.assert_array_equal(X, X_copy)  # inputs untouched
    np.testing.assert_array_equal(y, y_copy)
    expected = corrector.predict(X)
    # idempotent refit, clone, pickle
    np.testing.assert_allclose(Corrector().fit(X, y).fit(X, y).predict(X), expected, rtol=1e-12)
    np.testing.assert_allclose(clone(corrector).fit(X, y).predict(X), expected, rtol=1e-12)
    np.testing.assert_allclose(pickle.loads(pickle.dumps(corrector)).predict(X), expected, rtol=1e-12)
    # row order and subsets of the rows predicted (the calibration fit is order-free too)
    order = np.random.default_rng(0).permutation(300)
    np.testing.assert_allclose(corrector.predict(X[order]), expected[order], rtol=1e-12)
    np.testing.assert_allclose(Corrector().fit(X[order], y[order]).predict(X), expected, rtol=1e-10)
    np.testing.assert_allclose(corrector.predict(X[:17]), expected[:17], rtol=1e-12)
    # dtypes and plain lists
    np.testing.assert_allclose(Corrector().fit(X.astype(np.float32), y).predict(X), expected, rtol=1e-5)
    np.testing.assert_allclose(Corrector().fit(X.tolist(), y.tolist()).predict(X), expected, rtol=1e-12)
    # a column y is accepted with the usual conversion warning
    with pytest.warns(Warning, match="column-vector y"):
        Corrector().fit(X, y[:, None])


def test_common_checks_stand_in_reduces_to_the_estimator_on_one_column():
    # The checks run a subclass whose upstream is the least-squares fit of y on X. On one column
    # that fit is affine in p, and LCC is invariant to affine maps of p: the same corrections.
    from skpapers.causal._debias import _LinearCalibrationCorrectionForChecks

    y, p = _shrink_noise(300)
    stand_in = _LinearCalibrationCorrectionForChecks().fit(p[:, None], y)
    np.testing.assert_allclose(
        stand_in.predict(p[:, None]), LinearCalibrationCorrection().fit(p[:, None], y).predict(p[:, None]), rtol=1e-10
    )
