import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from scipy.optimize import approx_fprime
from sklearn.linear_model import LogisticRegression
from sklearn.utils._param_validation import InvalidParameterError

# Aliases: pytest would otherwise try to collect the Test*-named classes.
from skpapers.linear_model import TestableHalfspaceClassifier as HalfspaceClassifier
from skpapers.linear_model import TesterRejectedError as RejectedError
from skpapers.linear_model import TesterRejectionWarning as RejectionWarning
from skpapers.linear_model import halfspace_band_test
from skpapers.utils._optim import BandRampLoss, UnitSphere, proximal_gradient


def _massart_labels(X, rng):
    """The reproduction's Massart noise: flip rate 0.067-0.25, depending on x_1 and x_2."""
    clean = np.where(X[:, 0] > 0, 1, -1)
    eta = np.where(np.abs(X[:, 0]) < 0.5, 0.1, 0.25) * (1 + 0.5 * (X[:, 1] > 0)) / 1.5
    return np.where(rng.random(X.shape[0]) < eta, -clean, clean), eta


def _angle(coef):
    return np.arccos(np.clip(coef.ravel()[0], -1, 1)) / np.pi


def _fit(X, y, **params):
    params.setdefault("on_reject", "ignore")
    return HalfspaceClassifier(**params).fit(X, y)


# --- the optimisation pieces -------------------------------------------------


@pytest.mark.parametrize("shape", ["linear", "smoothstep"])
@pytest.mark.parametrize("sigma", [0.5, 3.0])  # few / most rows in the band (two gradient code paths)
def test_band_ramp_loss_gradient_matches_finite_differences(shape, sigma):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 4))
    y = np.where(rng.random(300) < 0.5, -1.0, 1.0)
    # At a random w no point sits within the finite-difference step of a
    # kink of the linear ramp, so it is differentiable there.
    loss = BandRampLoss(X, y, sigma=sigma, sample_weight=rng.random(300), shape=shape)
    for _ in range(3):
        w = rng.normal(size=4) * 2.0
        value, grad = loss.value_and_gradient(w)
        numeric = approx_fprime(w, loss.value, 1e-7)
        np.testing.assert_allclose(grad, numeric, rtol=1e-4, atol=1e-6)
        # direction-only: no radial component, value unchanged by scaling
        assert abs(grad @ w) < 1e-10
        assert loss.value(3.7 * w) == pytest.approx(value)


def test_band_ramp_loss_domain_and_sphere_projection():
    loss = BandRampLoss(np.ones((3, 2)), np.ones(3), sigma=0.2)
    assert loss.value_and_gradient(np.zeros(2))[0] == np.inf
    with pytest.raises(ValueError, match="shape"):
        BandRampLoss(np.ones((3, 2)), np.ones(3), sigma=0.2, shape="cubic")
    sphere = UnitSphere()
    np.testing.assert_allclose(sphere.prox(np.array([3.0, 4.0]), 0.1), [0.6, 0.8])
    assert sphere.value(np.array([3.0, 4.0])) == 0.0


def test_projected_descent_stays_on_sphere_and_finds_clean_halfspace():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(4000, 6))
    w_star = np.array([1.0, -2.0, 0.5, 0.0, 0.0, 1.0]) / np.sqrt(6.25)
    y = np.sign(X @ w_star)
    result = proximal_gradient(
        BandRampLoss(X, y, 0.2), UnitSphere(), np.r_[1.0, np.zeros(5)], step=0.05, max_iter=3000, tol=1e-8
    )
    assert np.linalg.norm(result.x) == pytest.approx(1.0)
    assert result.x @ w_star > 0.999


# --- the tester against closed forms -------------------------------------------


def test_mean_threshold_matches_chi_squared_closed_form():
    # Under the null ||mean|| = sqrt(chi2_d / n): the Monte Carlo threshold is
    # an empirical quantile of exactly that law.
    rng = np.random.default_rng(2)
    n, d = 2000, 6
    X = rng.normal(size=(n, d))
    result = halfspace_band_test(
        X, np.sign(X[:, 0]), np.eye(d)[0], test_level=0.7, n_calibration=4000, random_state=0
    )
    alpha = 0.7 / 7
    expected = np.sqrt(stats.chi2.ppf(1 - alpha, d) / n)
    assert result.threshold["mean"] == pytest.approx(expected, rel=0.03)
    # the band-mass statistic is a Pearson chi-squared with 3 degrees of freedom
    assert result.threshold["band_mass"] == pytest.approx(stats.chi2.ppf(1 - alpha, 3), rel=0.08)


def test_band_error_pvalue_is_the_exact_binomial_tail():
    rng = np.random.default_rng(3)
    n, d = 4000, 4
    X = rng.normal(size=(n, d))
    y = np.sign(X[:, 0])
    flip = rng.random(n) < 0.3
    y[flip] = -y[flip]
    result = halfspace_band_test(X, y, np.eye(d)[0], massart_eta=0.25, random_state=0)
    in_band = np.abs(X[:, 0]) <= 0.1
    errors = np.count_nonzero(y[in_band] != np.sign(X[in_band, 0]))
    assert result.statistic["band_error"] == pytest.approx(errors / in_band.sum())
    assert result.pvalue["band_error"] == pytest.approx(stats.binom.sf(errors - 1, in_band.sum(), 0.25))


def test_gradient_statistic_is_chi_squared_at_a_population_stationary_point():
    # w* = e_1 with noise symmetric in x_1 is an exact population stationary
    # point; with n_learn=None Q should follow chi2_{d-1} (mean d - 1).
    rng = np.random.default_rng(4)
    d, q = 6, []
    for _ in range(150):
        X = rng.normal(size=(3000, d))
        y, _ = _massart_labels(X, rng)
        result = halfspace_band_test(X, y, np.eye(d)[0], n_calibration=1, random_state=0)
        q.append(result.statistic["gradient"])
    assert np.mean(q) == pytest.approx(d - 1, rel=0.15)
    assert stats.kstest(q, stats.chi2(d - 1).cdf).pvalue > 0.01


def test_monte_carlo_pvalue_and_threshold_at_the_edges():
    from skpapers.linear_model._tester_learner import _monte_carlo

    null = np.arange(1.0, 10.0)  # B = 9, alpha (B + 1) = 2: threshold is the 2nd largest draw
    assert _monte_carlo(8.0, null, 0.2) == (pytest.approx(0.3), 8.0)  # passes: 0.3 > 0.2
    assert _monte_carlo(8.5, null, 0.2)[0] == pytest.approx(0.2)  # fails: 8.5 > 8
    assert _monte_carlo(100.0, null, 0.05) == (pytest.approx(0.1), np.inf)  # B too small to reject


def test_monte_carlo_threshold_is_consistent_with_pvalue():
    rng = np.random.default_rng(5)
    X = rng.normal(size=(500, 3)) * 1.1
    result = halfspace_band_test(X, np.sign(X[:, 0]), np.eye(3)[0], random_state=0)
    alpha = 0.05 / 7
    for name in ("mean", "covariance", "fourth_moment", "band_mass", "band_covariance"):
        passed = result.pvalue[name] > alpha
        assert passed == (result.statistic[name] <= result.threshold[name]), name
        assert passed == (name not in result.reasons)


# --- the learner against LogisticRegression and the best halfspace -----------


def test_error_close_to_optimum_and_no_worse_than_logistic_regression():
    rng = np.random.default_rng(6)
    X = rng.normal(size=(20000, 10))
    y, _ = _massart_labels(X, rng)
    X_new = rng.normal(size=(50000, 10))
    y_new, _ = _massart_labels(X_new, rng)
    clf = _fit(X, y, random_state=0)
    opt = np.mean(y_new != np.where(X_new[:, 0] > 0, 1, -1))
    ours = 1 - clf.score(X_new, y_new)
    logistic = 1 - LogisticRegression(fit_intercept=False).fit(X, y).score(X_new, y_new)
    assert _angle(clf.coef_) < 0.01
    assert ours <= opt + 0.01
    assert ours <= logistic + 0.002
    assert np.linalg.norm(clf.coef_) == pytest.approx(1.0)
    np.testing.assert_array_equal(clf.intercept_, [0.0])


# --- completeness and soundness --------------------------------------------------


def test_accepts_gaussian_data_with_massart_noise():
    accepted = []
    for seed in range(8):
        rng = np.random.default_rng(seed)
        X = rng.normal(size=(6000, 5))
        y, _ = _massart_labels(X, rng)
        accepted.append(_fit(X, y, random_state=seed).test_passed_)
    # nominal family-wise level 0.05: 8/8 expected, one miss tolerated
    assert sum(accepted) >= 7


def test_accepts_gaussian_data_with_adversarial_flips_in_agnostic_mode():
    # Every label in a slab away from the boundary is flipped, more of them
    # where x_2 > 0: not Massart-bounded (rate 1 there), but the marginal is Gaussian.
    accepted, excess = [], []
    for seed in range(5):
        rng = np.random.default_rng(seed)
        X = rng.normal(size=(8000, 6))
        clean = np.where(X[:, 0] > 0, 1, -1)
        flip = ((X[:, 0] > 0.6) & (X[:, 0] < 1.0) & (X[:, 1] > 0)) | (X[:, 0] < -1.5)
        y = np.where(flip, -clean, clean)
        clf = _fit(X, y, noise="agnostic", random_state=seed)
        accepted.append(clf.test_passed_)
        excess.append((1 - clf.score(X, y)) - flip.mean())
    assert sum(accepted) >= 4
    assert np.mean(excess) < 0.01


@pytest.mark.parametrize(
    "name, make_X, expected_reason",
    [
        ("uniform", lambda rng, n, d: rng.uniform(-np.sqrt(3), np.sqrt(3), size=(n, d)), "band_mass"),
        ("mis-scaled", lambda rng, n, d: 1.3 * rng.normal(size=(n, d)), "covariance"),
        ("not centred", lambda rng, n, d: rng.normal(size=(n, d)) + 0.2, "mean"),
        ("heavy tails", lambda rng, n, d: rng.standard_t(5, size=(n, d)) / np.sqrt(5 / 3), "fourth_moment"),
    ],
)
def test_rejects_non_gaussian_and_mis_scaled_marginals(name, make_X, expected_reason):
    for seed in range(3):
        rng = np.random.default_rng(seed)
        X = make_X(rng, 10000, 8)
        y, _ = _massart_labels(X, rng)
        clf = _fit(X, y, random_state=seed)
        assert not clf.test_passed_, name
        assert not clf.test_results_[expected_reason]["passed"], (name, clf.test_results_)
        assert "reason" in clf.test_results_[expected_reason]


def test_rejects_corruption_planted_in_the_band():
    # 4% of the rows replaced by points on the boundary, far out along x_2,
    # all labelled +1: they pull the learner and distort the band's
    # conditional covariance, while the global moments barely move.
    rng = np.random.default_rng(7)
    n, d = 10000, 8
    X = rng.normal(size=(n, d))
    y, _ = _massart_labels(X, rng)
    bad = rng.choice(n, size=n // 25, replace=False)
    X[bad, 0] = rng.uniform(-0.05, 0.05, size=bad.size)
    X[bad, 1] = 3.0
    y[bad] = 1
    clf = _fit(X, y, random_state=0)
    assert not clf.test_passed_
    assert not clf.test_results_["band_covariance"]["passed"]


def test_band_error_rejects_more_noise_than_massart_eta():
    rng = np.random.default_rng(8)
    X = rng.normal(size=(10000, 5))
    clean = np.where(X[:, 0] > 0, 1, -1)
    y = np.where(rng.random(10000) < 0.3, -clean, clean)
    assert not _fit(X, y, massart_eta=0.1, random_state=0).test_results_["band_error"]["passed"]
    assert _fit(X, y, massart_eta=0.49, random_state=0).test_results_["band_error"]["passed"]
    assert "band_error" not in _fit(X, y, noise="agnostic", random_state=0).test_results_


# --- on_reject --------------------------------------------------------------------


@pytest.fixture
def uniform_data():
    rng = np.random.default_rng(9)
    X = rng.uniform(-np.sqrt(3), np.sqrt(3), size=(6000, 5))
    return X, np.where(X[:, 0] > 0, "yes", "no")


def test_on_reject_warn_keeps_the_fit(uniform_data):
    X, y = uniform_data
    with pytest.warns(RejectionWarning, match="band_mass"):
        clf = HalfspaceClassifier(random_state=0).fit(X, y)
    assert not clf.test_passed_
    assert clf.score(X, y) > 0.95
    assert set(clf.predict(X)) == {"yes", "no"}


def test_on_reject_raise(uniform_data):
    X, y = uniform_data
    with pytest.raises(RejectedError, match="standardised"):
        HalfspaceClassifier(on_reject="raise", random_state=0).fit(X, y)


def test_on_reject_ignore_is_silent(uniform_data):
    X, y = uniform_data
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        clf = HalfspaceClassifier(on_reject="ignore", random_state=0).fit(X, y)
    assert clf.test_passed_ is False


# --- API, determinism and bad input ----------------------------------------------


def test_predict_decision_function_and_classes():
    rng = np.random.default_rng(10)
    X = rng.normal(size=(2000, 4))
    y = np.where(X[:, 1] > 0, "b", "a")
    clf = _fit(X, y, random_state=0)
    np.testing.assert_array_equal(clf.classes_, ["a", "b"])
    scores = clf.decision_function(X)
    np.testing.assert_allclose(scores, X @ clf.coef_[0])
    np.testing.assert_array_equal(clf.predict(X), np.where(scores > 0, "b", "a"))
    assert clf.coef_[0, 1] > 0.99
    assert clf.sigma_ == 0.2 and clf.n_iter_ >= 1
    assert not hasattr(clf, "predict_proba")
    assert set(clf.test_results_) == {
        "mean", "covariance", "fourth_moment", "band_mass", "band_covariance", "gradient", "band_error"
    }
    for entry in clf.test_results_.values():
        assert {"statistic", "threshold", "pvalue", "passed"} <= set(entry)


def test_same_seed_same_result_and_input_untouched():
    rng = np.random.default_rng(11)
    X = rng.normal(size=(3000, 5))
    y, _ = _massart_labels(X, rng)
    X_copy, y_copy = X.copy(), y.copy()
    first = _fit(X, y, random_state=3, n_restarts=3)
    second = _fit(X, y, random_state=3, n_restarts=3)
    np.testing.assert_array_equal(first.coef_, second.coef_)
    assert first.test_results_ == second.test_results_
    np.testing.assert_array_equal(X, X_copy)
    np.testing.assert_array_equal(y, y_copy)


def test_one_feature_works():
    rng = np.random.default_rng(12)
    X = rng.normal(size=(2000, 1))
    clf = _fit(X, np.where(X[:, 0] < 0, 1, 0), random_state=0)
    np.testing.assert_allclose(clf.coef_, [[-1.0]])
    assert clf.test_passed_


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_nan_and_inf_are_refused(bad):
    X = np.random.default_rng(0).normal(size=(100, 3))
    X[5, 1] = bad
    with pytest.raises(ValueError, match="NaN|infinity"):
        HalfspaceClassifier().fit(X, np.arange(100) % 2)
    with pytest.raises(ValueError, match="NaN|infinity"):
        halfspace_band_test(X, np.arange(100) % 2, np.ones(3))


def test_label_problems_are_refused():
    X = np.random.default_rng(0).normal(size=(100, 3))
    with pytest.raises(ValueError, match="2 classes"):
        HalfspaceClassifier().fit(X, np.zeros(100))
    with pytest.raises(ValueError, match="Only binary classification"):
        HalfspaceClassifier().fit(X, np.arange(100) % 3)
    with pytest.raises(ValueError, match="Unknown label type"):
        HalfspaceClassifier().fit(X, np.linspace(0, 1, 100))
    with pytest.raises(ValueError, match="two classes"):
        halfspace_band_test(X, np.arange(100) % 3, np.ones(3))
    with pytest.raises(ValueError, match="one label per row"):
        halfspace_band_test(X, np.ones(99), np.ones(3))


def test_too_few_samples_for_the_test_are_refused():
    X = np.random.default_rng(0).normal(size=(30, 10))
    y = np.arange(30) % 2
    with pytest.raises(ValueError, match="test_size"):
        HalfspaceClassifier(test_size=0.5).fit(X, y)
    with pytest.raises(ValueError, match="no rows to learn"):
        HalfspaceClassifier(test_size=0.99).fit(X[:, :2], y)
    with pytest.raises(ValueError, match="2 \\* n_features"):
        halfspace_band_test(X[:15], y[:15], np.ones(10))


def test_bad_direction_and_parameters_are_refused():
    X = np.random.default_rng(0).normal(size=(100, 3))
    y = np.sign(X[:, 0])
    with pytest.raises(ValueError, match="n_features=3"):
        halfspace_band_test(X, y, np.ones(4))
    with pytest.raises(ValueError, match="nonzero"):
        halfspace_band_test(X, y, np.zeros(3))
    with pytest.raises(ValueError, match="sigma"):
        halfspace_band_test(X, y, np.ones(3), sigma=-1.0)
    with pytest.raises(ValueError, match="noise"):
        halfspace_band_test(X, y, np.ones(3), noise="gaussian")
    with pytest.raises(ValueError, match="massart_eta"):
        halfspace_band_test(X, y, np.ones(3), massart_eta=0.5)
    with pytest.raises(InvalidParameterError, match="sigma"):
        HalfspaceClassifier(sigma=0).fit(X, y)
    with pytest.raises(InvalidParameterError, match="on_reject"):
        HalfspaceClassifier(on_reject="shout").fit(X, y)
    with pytest.raises(InvalidParameterError, match="massart_eta"):
        HalfspaceClassifier(massart_eta=0.6).fit(X, y)


def test_constant_feature_fits_but_fails_the_covariance_test():
    rng = np.random.default_rng(13)
    X = rng.normal(size=(4000, 4))
    X[:, 3] = 0.0
    clf = _fit(X, np.where(X[:, 0] > 0, 1, 0), random_state=0)
    assert clf.coef_[0, 0] > 0.99
    assert not clf.test_passed_
    assert not clf.test_results_["covariance"]["passed"]


def test_too_few_band_points_reject_with_a_reason():
    rng = np.random.default_rng(14)
    X = rng.normal(size=(400, 5))
    clf = _fit(X, np.where(X[:, 0] > 0, 1, 0), sigma=1e-3, random_state=0)
    assert not clf.test_passed_
    for name in ("band_covariance", "gradient", "band_error"):
        assert not clf.test_results_[name]["passed"]
        assert "band" in clf.test_results_[name]["reason"]


# --- invariances (property tests) -------------------------------------------------


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2**16), n_features=st.integers(2, 6))
def test_tester_is_rotation_and_row_order_invariant(seed, n_features):
    # Under x -> Qx, w -> Qw every statistic is unchanged, and the Monte Carlo
    # draws are the same for the same seed: the whole result must match.
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(400, n_features))
    w = rng.normal(size=n_features)
    y = np.sign(X @ w + 0.5 * rng.normal(size=400))
    rotation = np.linalg.qr(rng.normal(size=(n_features, n_features)))[0]
    order = rng.permutation(400)
    reference = halfspace_band_test(X, y, w, random_state=0)
    rotated = halfspace_band_test(X @ rotation.T, y, rotation @ w, random_state=0)
    shuffled = halfspace_band_test(X[order], y[order], w, random_state=0)
    for other in (rotated, shuffled):
        assert other.passed == reference.passed
        assert set(other.reasons) == set(reference.reasons)
        for name, value in reference.statistic.items():
            assert other.statistic[name] == pytest.approx(value, rel=1e-7, abs=1e-10), name
            assert other.pvalue[name] == pytest.approx(reference.pvalue[name], rel=1e-9), name


@settings(max_examples=5, deadline=None)
@given(seed=st.integers(0, 2**16))
def test_learner_is_rotation_equivariant_and_label_swap_flips_w(seed):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(1000, 4))
    y, _ = _massart_labels(X, rng)
    rotation = np.linalg.qr(rng.normal(size=(4, 4)))[0]
    clf = _fit(X, y, random_state=1)
    rotated = _fit(X @ rotation.T, y, random_state=1)
    swapped = _fit(X, -y, random_state=1)
    # Equal up to the solver's stopping rule: rounding differences can end the
    # descent one step apart on the piecewise-linear loss.
    np.testing.assert_allclose(rotated.coef_[0], rotation @ clf.coef_[0], atol=1e-4)
    np.testing.assert_allclose(swapped.coef_, -clf.coef_, atol=1e-4)
