"""PooledGaussianNB against independent results: GaussianNB, NearestCentroid, LDA, closed forms."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV
from sklearn.naive_bayes import GaussianNB
from sklearn.neighbors import NearestCentroid
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils._param_validation import InvalidParameterError

from skpapers.naive_bayes import PooledGaussianNB


def _shifted_copies(n=40, d=5, shifts=((0, 0, 0, 0, 0), (1, 2, -1, 0, 3), (-2, 1, 1, 4, 0)), seed=0):
    """Classes that are translated copies of one cloud: identical per-class variances."""
    rng = np.random.RandomState(seed)
    Z = rng.standard_normal((n, d)) * rng.uniform(0.5, 3.0, size=d)
    X = np.vstack([Z + np.asarray(s, dtype=float) for s in shifts])
    y = np.repeat(np.arange(len(shifts)), n)
    return X, y


def _blobs(n=300, d=6, k=3, seed=0):
    rng = np.random.RandomState(seed)
    y = rng.randint(k, size=n)
    X = rng.standard_normal((n, d)) * rng.uniform(0.5, 2.0, size=d) + rng.standard_normal((k, d))[y] * 2
    return X, y


# --- oracles ------------------------------------------------------------------------------------


def test_equals_gaussian_nb_when_class_variances_coincide():
    # With identical per-class variances GaussianNB's quadratic rule is our linear
    # one; relative smoothing is GaussianNB's epsilon.
    X, y = _shifted_copies()
    ours = PooledGaussianNB(smoothing="relative").fit(X, y)
    peer = GaussianNB().fit(X, y)
    np.testing.assert_allclose(ours.epsilon_, peer.epsilon_, rtol=1e-12)
    np.testing.assert_allclose(ours.theta_, peer.theta_, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(np.broadcast_to(ours.var_, peer.var_.shape), peer.var_, rtol=1e-12)
    X_test = np.random.RandomState(1).standard_normal((200, 5)) * 3
    np.testing.assert_allclose(
        ours.predict_joint_log_proba(X_test), peer.predict_joint_log_proba(X_test), rtol=1e-10
    )
    np.testing.assert_allclose(ours.predict_proba(X_test), peer.predict_proba(X_test), atol=1e-12)
    np.testing.assert_array_equal(ours.predict(X_test), peer.predict(X_test))


def test_differs_from_gaussian_nb_when_class_variances_differ():
    # Class-specific variances make GaussianNB quadratic: the models must disagree.
    rng = np.random.RandomState(0)
    X = np.vstack([rng.standard_normal((200, 2)) * 0.3, rng.standard_normal((200, 2)) * 3.0])
    y = np.repeat([0, 1], 200)
    grid = np.random.RandomState(1).uniform(-6, 6, size=(500, 2))
    ours = PooledGaussianNB().fit(X, y).predict(grid)
    peer = GaussianNB().fit(X, y).predict(grid)
    assert np.mean(ours != peer) > 0.2


def test_equals_nearest_centroid_on_scaled_features_with_equal_priors():
    X, y = _blobs()
    clf = PooledGaussianNB(priors=[1 / 3] * 3, var_smoothing=0.0).fit(X, y)
    scale = np.sqrt(clf.var_)
    centroid = NearestCentroid().fit(X / scale, y)
    X_test = np.random.RandomState(2).standard_normal((500, 6)) * 3
    np.testing.assert_array_equal(clf.predict(X_test), centroid.predict(X_test / scale))
    np.testing.assert_allclose(centroid.centroids_ * scale, clf.theta_, rtol=1e-12, atol=1e-12)


def test_equals_lda_in_one_dimension():
    # With one feature the shared full covariance of LDA is our pooled variance.
    rng = np.random.RandomState(0)
    y = rng.randint(3, size=400)
    X = (rng.standard_normal(400) + np.array([-1.0, 0.5, 2.0])[y])[:, None]
    ours = PooledGaussianNB(var_smoothing=0.0).fit(X, y)
    lda = LinearDiscriminantAnalysis(solver="lsqr", store_covariance=True).fit(X, y)
    np.testing.assert_allclose(ours.var_, np.diag(lda.covariance_), rtol=1e-12)
    X_test = np.linspace(-5, 5, 101)[:, None]
    np.testing.assert_allclose(ours.predict_proba(X_test), lda.predict_proba(X_test), atol=1e-10)


def test_fitted_attributes_follow_the_paper_formulas():
    X, y = _blobs(seed=3)
    clf = PooledGaussianNB(var_smoothing=1e-9).fit(X, y)
    counts = np.bincount(y)
    var_per_class = np.array([X[y == k].var(axis=0) for k in range(3)])
    pooled = (counts / counts.sum()) @ var_per_class + 1e-9
    means = np.array([X[y == k].mean(axis=0) for k in range(3)])
    np.testing.assert_allclose(clf.class_count_, counts)
    np.testing.assert_allclose(clf.class_prior_, counts / counts.sum())
    np.testing.assert_allclose(clf.var_per_class_, var_per_class, rtol=1e-12)
    np.testing.assert_allclose(clf.var_, pooled, rtol=1e-12)
    np.testing.assert_allclose(clf.coef_, means / pooled, rtol=1e-12)
    np.testing.assert_allclose(
        clf.intercept_, np.log(counts / counts.sum()) - 0.5 * np.sum(means**2 / pooled, axis=1), rtol=1e-12
    )
    # Joint log-likelihood written out term by term.
    X_test = X[:7]
    expected = np.log(clf.class_prior_) - 0.5 * np.array(
        [np.sum((X_test - m) ** 2 / pooled + np.log(2 * np.pi * pooled), axis=1) for m in means]
    ).T
    np.testing.assert_allclose(clf.predict_joint_log_proba(X_test), expected, rtol=1e-10)


# --- partial_fit and weights ---------------------------------------------------------------------


@pytest.mark.parametrize("smoothing", ["absolute", "relative"])
def test_partial_fit_is_exact(smoothing):
    X, y = _blobs(n=500, seed=4)
    X = X + 1e3  # a large offset stresses the variance merge
    batch = PooledGaussianNB(smoothing=smoothing).fit(X, y)
    incremental = PooledGaussianNB(smoothing=smoothing)
    for chunk in np.array_split(np.arange(500), [7, 40, 41, 300]):
        incremental.partial_fit(X[chunk], y[chunk], classes=[0, 1, 2])
    for name in ["class_count_", "theta_", "var_per_class_", "var_", "coef_", "intercept_"]:
        np.testing.assert_allclose(getattr(incremental, name), getattr(batch, name), rtol=1e-10)
    np.testing.assert_allclose(incremental.epsilon_, batch.epsilon_, rtol=1e-10)


def test_partial_fit_with_a_class_missing_from_the_first_batch():
    X, y = _blobs(seed=5)
    first = y != 2
    clf = PooledGaussianNB().partial_fit(X[first], y[first], classes=[0, 1, 2])
    assert clf.intercept_[2] == -np.inf
    assert set(np.unique(clf.predict(X))) <= {0, 1}
    assert np.all(np.isfinite(clf.predict_log_proba(X)[:, :2]))
    clf.partial_fit(X[~first], y[~first])
    np.testing.assert_allclose(clf.var_, PooledGaussianNB().fit(X, y).var_, rtol=1e-10)


def test_partial_fit_rejects_new_classes_and_needs_classes_first():
    X, y = _blobs(seed=6)
    with pytest.raises(ValueError, match="classes must be passed"):
        PooledGaussianNB().partial_fit(X, y)
    with pytest.raises(ValueError, match=r"not in classes"):
        PooledGaussianNB().partial_fit(X, y, classes=[0, 1])
    clf = PooledGaussianNB().partial_fit(X, y, classes=[0, 1, 2])
    with pytest.raises(ValueError, match=r"not in classes"):
        clf.partial_fit(X[:3], np.array([0, 1, 7]))
    with pytest.raises(ValueError, match="differs from the classes"):
        clf.partial_fit(X, y, classes=[0, 1, 2, 3])
    with pytest.raises(ValueError, match="at least 2 classes"):
        PooledGaussianNB().partial_fit(X, np.zeros_like(y), classes=[0])
    # A rejected first batch leaves the estimator unfitted.
    clf = PooledGaussianNB()
    with pytest.raises(ValueError):
        clf.partial_fit(X, y, classes=[0, 1])
    with pytest.raises(NotFittedError):
        clf.predict(X)


def test_integer_weights_equal_repeated_rows():
    X, y = _blobs(n=60, seed=7)
    weights = np.random.RandomState(0).randint(0, 4, size=60)
    weighted = PooledGaussianNB().fit(X, y, sample_weight=weights)
    repeated = PooledGaussianNB().fit(np.repeat(X, weights, axis=0), np.repeat(y, weights))
    for name in ["class_count_", "theta_", "var_", "intercept_"]:
        np.testing.assert_allclose(getattr(weighted, name), getattr(repeated, name), rtol=1e-10)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**16), scale=st.floats(1e-3, 1e3))
def test_invariances(seed, scale):
    X, y = _blobs(n=80, d=3, seed=seed)
    clf = PooledGaussianNB(var_smoothing=0.0).fit(X, y)
    # Row order does not matter.
    order = np.random.RandomState(seed).permutation(80)
    shuffled = PooledGaussianNB(var_smoothing=0.0).fit(X[order], y[order])
    np.testing.assert_allclose(shuffled.predict_proba(X), clf.predict_proba(X), atol=1e-9)
    # Rescaling the features (no smoothing) leaves the posterior unchanged.
    scaled = PooledGaussianNB(var_smoothing=0.0).fit(X * scale, y)
    np.testing.assert_allclose(scaled.predict_proba(X * scale), clf.predict_proba(X), atol=1e-7)


def test_probabilities_are_consistent_and_stable_far_away():
    X, y = _blobs(seed=8)
    clf = PooledGaussianNB().fit(X, y)
    far = X[:5] * 1e4
    proba = clf.predict_proba(far)
    assert np.all(np.isfinite(clf.predict_log_proba(far)))
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_array_equal(clf.classes_[proba.argmax(axis=1)], clf.predict(far))
    binary = PooledGaussianNB().fit(X[y < 2], y[y < 2])
    jll = binary.predict_joint_log_proba(X)
    np.testing.assert_allclose(binary.decision_function(X), jll[:, 1] - jll[:, 0], rtol=1e-8, atol=1e-8)


def test_user_priors_shift_the_intercept_only():
    X, y = _blobs(seed=9)
    empirical = PooledGaussianNB().fit(X, y)
    priors = np.array([0.5, 0.3, 0.2])
    custom = PooledGaussianNB(priors=priors).fit(X, y)
    np.testing.assert_allclose(custom.var_, empirical.var_)
    np.testing.assert_allclose(
        custom.intercept_ - empirical.intercept_, np.log(priors) - np.log(empirical.class_prior_)
    )


def test_works_in_a_pipeline_and_grid_search():
    X, y = _blobs(seed=10)
    search = GridSearchCV(
        make_pipeline(StandardScaler(), PooledGaussianNB()),
        {"pooledgaussiannb__smoothing": ["absolute", "relative"]},
        cv=3,
    ).fit(X, y)
    assert search.best_score_ > 0.8


# --- bad and degenerate input --------------------------------------------------------------------


def test_one_class_raises():
    X, _ = _blobs(seed=11)
    with pytest.raises(ValueError, match="at least 2 classes"):
        PooledGaussianNB().fit(X, np.zeros(len(X)))


def test_constant_columns_need_smoothing():
    X, y = _blobs(seed=12)
    X[:, 2] = 5.0
    clf = PooledGaussianNB().fit(X, y)
    assert clf.var_[2] == pytest.approx(1e-9)
    assert np.all(np.isfinite(clf.predict_log_proba(X)))
    with pytest.raises(ValueError, match="var_smoothing"):
        PooledGaussianNB(var_smoothing=0.0).fit(X, y)
    with pytest.raises(ValueError, match="var_smoothing"):
        PooledGaussianNB(smoothing="relative").fit(np.ones((6, 2)), [0, 0, 0, 1, 1, 1])


def test_one_sample_per_class_is_rescued_by_pooling():
    # A singleton class has zero variance; the other class's variance is pooled in.
    X = np.array([[0.0, 1.0], [1.0, 3.0], [2.0, 2.0], [9.0, 9.0]])
    y = np.array([0, 0, 0, 1])
    clf = PooledGaussianNB(var_smoothing=0.0).fit(X, y)
    np.testing.assert_allclose(clf.var_, 0.75 * X[:3].var(axis=0))
    assert clf.predict([[8.0, 8.0]])[0] == 1


def test_more_features_than_samples():
    rng = np.random.RandomState(13)
    X = rng.standard_normal((10, 200))
    y = np.repeat([0, 1], 5)
    X[y == 1] += 1.0
    clf = PooledGaussianNB().fit(X, y)
    assert clf.coef_.shape == (2, 200)
    assert clf.score(X, y) == 1.0


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_non_finite_input_raises(bad):
    X, y = _blobs(seed=14)
    X[3, 1] = bad
    with pytest.raises(ValueError, match="X"):
        PooledGaussianNB().fit(X, y)
    clf = PooledGaussianNB().fit(*_blobs(seed=14))
    with pytest.raises(ValueError, match="X"):
        clf.predict(X)


@pytest.mark.parametrize(
    "params, match",
    [
        ({"priors": [0.5, 0.5]}, "one entry per class"),
        ({"priors": [0.5, 0.6, -0.1]}, "positive and sum to 1"),
        ({"priors": [0.2, 0.2, 0.2]}, "positive and sum to 1"),
    ],
)
def test_bad_priors(params, match):
    with pytest.raises(ValueError, match=match):
        PooledGaussianNB(**params).fit(*_blobs(seed=15))


@pytest.mark.parametrize(
    "params", [{"var_smoothing": -1.0}, {"smoothing": "scaled"}, {"var_smoothing": "small"}]
)
def test_invalid_parameters(params):
    with pytest.raises(InvalidParameterError):
        PooledGaussianNB(**params).fit(*_blobs(seed=16))


def test_bad_sample_weight():
    X, y = _blobs(seed=17)
    with pytest.raises(ValueError, match="sample_weight"):
        PooledGaussianNB().fit(X, y, sample_weight=np.ones(3))
    with pytest.raises(ValueError, match="sample_weight"):
        PooledGaussianNB().fit(X, y, sample_weight=-np.ones(len(y)))
    with pytest.raises(ValueError, match="sample_weight"):
        PooledGaussianNB().fit(X, y, sample_weight=np.zeros(len(y)))


def test_wrong_number_of_features_and_unfitted():
    X, y = _blobs(seed=18)
    with pytest.raises(NotFittedError):
        PooledGaussianNB().predict(X)
    clf = PooledGaussianNB().fit(X, y)
    with pytest.raises(ValueError, match="features"):
        clf.predict(X[:, :2])
    with pytest.raises(ValueError, match="features"):
        clf.partial_fit(X[:, :2], y)


def test_input_not_modified():
    X, y = _blobs(seed=19)
    X_copy, y_copy = X.copy(), y.copy()
    weights = np.ones(len(y))
    PooledGaussianNB(smoothing="relative").fit(X, y, sample_weight=weights)
    np.testing.assert_array_equal(X, X_copy)
    np.testing.assert_array_equal(y, y_copy)
    np.testing.assert_array_equal(weights, 1.0)
