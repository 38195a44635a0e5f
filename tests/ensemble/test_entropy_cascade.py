"""Entropy-adaptive cascades: cost arithmetic, the switching rule, the numpy reference, bad input."""

import math
import warnings

import numpy as np
import pytest
from scipy.stats import entropy as scipy_entropy
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import load_digits
from sklearn.linear_model import BayesianRidge, LinearRegression, LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor
from sklearn.utils._param_validation import InvalidParameterError

from skpapers.ensemble import EntropyCascadeClassifier, EntropyCascadeRegressor, cascade_cost, entropy_switch_schedule


def _reference_schedule(h_small, h_large, groups, window, threshold, min_run, source):
    """Row-by-row transcription of the spec's rule, one sequence at a time."""
    out = np.zeros(len(h_small), dtype=bool)
    for g in np.unique(groups):
        rows = np.flatnonzero(groups == g)
        active, run, history = False, 0, []
        for r in rows:
            out[r] = active
            run += 1
            history.append(h_large[r] if (active and source == "active") else h_small[r])
            desired = np.mean(history[-window:]) > threshold
            if desired != active and run >= min_run:
                active, run = desired, 0
    return out


def test_cascade_cost_reproduces_the_papers_savings():
    # LLaMA 3B/11B, 43% of tokens on the large model: 41.5% saved; Qwen 1.5B/14B, 25%: 67% saved.
    assert 1 - cascade_cost(0.43, 3, 11) == pytest.approx(0.415, abs=5e-4)
    assert 1 - cascade_cost(0.25, 1.5, 14) == pytest.approx(0.67, abs=5e-3)
    assert cascade_cost(0.25, 1.5, 14) == pytest.approx(0.25 + 0.75 * 1.5 / 14)
    assert cascade_cost(0.25, 1, 10, accounting="cascade") == pytest.approx(0.35)
    np.testing.assert_allclose(cascade_cost([0.0, 1.0], 1, 4), [0.25, 1.0])


def test_cascade_cost_bad_input():
    with pytest.raises(ValueError, match="large_fraction"):
        cascade_cost(1.2, 1, 10)
    with pytest.raises(ValueError, match="large_fraction"):
        cascade_cost(np.nan, 1, 10)
    with pytest.raises(InvalidParameterError, match="cost_small"):
        cascade_cost(0.5, 0, 10)
    with pytest.warns(UserWarning, match="cost_small"):
        cascade_cost(0.5, 10, 1)


def test_schedule_hand_example():
    h_small = np.array([0.0, 3.0, 0.0, 0.0, 0.0, 0.0])
    h_large = np.array([0.0, 0.0, 2.0, 0.0, 0.0, 0.0])
    # window 2, tau 1: after row 1 mean(0, 3) = 1.5 > 1 -> row 2 large; its entropy 2 keeps
    # mean(3, 2) = 2.5 -> row 3 large; mean(2, 0) = 1 is not > 1 -> row 4 small.
    got = entropy_switch_schedule(h_small, h_large, window=2, threshold=1.0)
    np.testing.assert_array_equal(got, [False, False, True, True, False, False])
    # min_run=3: the small model must first produce three rows (switch after row 2, mean(3, 0) = 1.5),
    # then the large model keeps rows 3-5 although the rolling entropy has fallen to 0.
    got = entropy_switch_schedule(h_small, h_large, window=2, threshold=1.0, min_run=3)
    np.testing.assert_array_equal(got, [False, False, False, True, True, True])
    # Limits: a negative threshold sends all rows but the first to the large model; inf none.
    assert entropy_switch_schedule(h_small, h_large, threshold=-1.0).tolist() == [False] + [True] * 5
    assert not entropy_switch_schedule(h_small, h_large, threshold=np.inf).any()


@pytest.mark.parametrize("window, min_run, source", [(1, 1, "active"), (5, 1, "active"), (3, 4, "active"),
                                                     (4, 2, "small")])
def test_schedule_matches_row_by_row_reference(window, min_run, source):
    rng = np.random.default_rng(window * 10 + min_run)
    lengths = rng.integers(1, 40, size=12)
    groups = np.repeat(rng.permutation(100)[:12], lengths)
    h_small, h_large = rng.exponential(1.0, size=(2, len(groups)))
    got = entropy_switch_schedule(h_small, h_large, groups=groups, window=window, threshold=1.0,
                                  min_run=min_run, entropy_source=source)
    expected = _reference_schedule(h_small, h_large, groups, window, 1.0, min_run, source)
    np.testing.assert_array_equal(got, expected)
    assert 0 < got.mean() < 1


def test_schedule_bad_input():
    h = np.ones(4)
    with pytest.raises(ValueError, match="contiguous"):
        entropy_switch_schedule(h, h, groups=[0, 1, 0, 1])
    with pytest.raises(ValueError, match="entropy_large"):
        entropy_switch_schedule(h, np.array([1.0, np.nan, 1.0, 1.0]))
    with pytest.raises(ValueError, match="entropy_large is required"):
        entropy_switch_schedule(h)
    with pytest.raises(InvalidParameterError, match="window"):
        entropy_switch_schedule(h, h, window=0)
    with pytest.raises(InvalidParameterError, match="min_run"):
        entropy_switch_schedule(h, h, min_run=0)
    with pytest.raises(InvalidParameterError, match="threshold"):
        entropy_switch_schedule(h, h, threshold=np.nan)


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return train_test_split(X / 16, y, test_size=0.5, stratify=y, random_state=0)


def test_pointwise_matches_numpy_reference(digits):
    X_train, X_test, y_train, y_test = digits
    small = LogisticRegression(max_iter=3000).fit(X_train, y_train)
    large = DecisionTreeClassifier(random_state=0).fit(X_train, y_train)
    cascade = EntropyCascadeClassifier(small, large, large_fraction=0.2, prefit=True).fit(X_train, y_train)
    # Reference: a few lines of numpy with scipy's entropy.
    h_train = scipy_entropy(small.predict_proba(X_train).T, base=2)
    tau = np.quantile(h_train, 0.8, method="inverted_cdf")
    assert cascade.threshold_ == pytest.approx(tau)
    h_test = scipy_entropy(small.predict_proba(X_test).T, base=2)
    escalate = h_test > tau
    expected = np.where(escalate[:, None], large.predict_proba(X_test), small.predict_proba(X_test))
    np.testing.assert_allclose(cascade.predict_proba(X_test), expected)
    np.testing.assert_array_equal(cascade.route(X_test), escalate)
    report = cascade.cost_report(X_test)
    assert report.large_fraction == pytest.approx(escalate.mean())
    assert report.relative_cost == pytest.approx(0.1 + escalate.mean())  # cascade accounting, cS/cL = 0.1
    assert report.accounting == "cascade" and report.n_rows == len(X_test)
    assert cascade.small_estimator_ is small  # prefit models are used, not cloned


def test_threshold_limits_give_each_model(digits):
    X_train, X_test, y_train, _ = digits
    large = DecisionTreeClassifier(random_state=0)
    always_large = EntropyCascadeClassifier(large_estimator=large, threshold=-1.0).fit(X_train, y_train)
    np.testing.assert_array_equal(always_large.predict(X_test), always_large.large_estimator_.predict(X_test))
    always_small = EntropyCascadeClassifier(large_estimator=large, threshold=np.inf).fit(X_train, y_train)
    np.testing.assert_array_equal(always_small.predict(X_test), always_small.small_estimator_.predict(X_test))
    assert always_small.cost_report(X_test).large_fraction == 0.0


def test_normalized_entropy(digits):
    X_train, X_test, y_train, _ = digits
    raw = EntropyCascadeClassifier(large_estimator=DecisionTreeClassifier(), threshold=0.5).fit(X_train, y_train)
    norm = EntropyCascadeClassifier(large_estimator=DecisionTreeClassifier(), threshold=0.5 / math.log2(10),
                                    normalize_entropy=True).fit(X_train, y_train)
    np.testing.assert_array_equal(raw.route(X_test), norm.route(X_test))


def _sequences(n_seq, length, seed):
    rng = np.random.default_rng(seed)
    n = n_seq * length
    flips = rng.random((n_seq, length)) < 0.05
    flips[:, 0] = False
    regime = (np.cumsum(flips, axis=1) % 2).ravel()
    X = rng.standard_normal((n, 4))
    X[regime == 1, :2] *= 0.25
    y = np.where(regime == 0, X[:, 0] + 0.5 * X[:, 1] > 0, X[:, 0] * X[:, 1] > 0).astype(int)
    return X, y, np.repeat(np.arange(n_seq), length)


def test_sequential_large_fraction_and_groups():
    X, y, groups = _sequences(30, 50, 0)
    cascade = EntropyCascadeClassifier(large_estimator=DecisionTreeClassifier(max_depth=6, random_state=0),
                                       mode="sequential", large_fraction=0.3).fit(X, y, groups=groups)
    assert cascade.train_large_fraction_ == pytest.approx(0.3, abs=0.03)
    use_large = cascade.route(X, groups)
    assert not use_large[groups != np.r_[-1, groups[:-1]]].any()  # first row of each sequence: small model
    # The routing equals the pure schedule on the two models' entropies.
    h_s = scipy_entropy(cascade.small_estimator_.predict_proba(X).T, base=2)
    h_l = scipy_entropy(np.clip(cascade.large_estimator_.predict_proba(X), 0, 1).T, base=2)
    np.testing.assert_array_equal(use_large, entropy_switch_schedule(h_s, h_l, groups, 5, cascade.threshold_))
    report = cascade.cost_report(X, groups)
    assert report.accounting == "active"
    assert report.relative_cost == pytest.approx(use_large.mean() + (1 - use_large.mean()) * 0.1)
    with pytest.raises(ValueError, match="contiguous"):
        cascade.predict(X, groups=np.tile([0, 1], len(X) // 2))


def test_validation_fraction_holds_out_rows(digits):
    X_train, _, y_train, _ = digits
    cascade = EntropyCascadeClassifier(large_estimator=DecisionTreeClassifier(), large_fraction=0.25,
                                       validation_fraction=0.3, random_state=0).fit(X_train, y_train)
    assert cascade.small_estimator_.n_iter_ is not None
    assert cascade.train_large_fraction_ == pytest.approx(0.25, abs=0.02)


def test_regressor_entropy_and_limits():
    rng = np.random.default_rng(0)
    X = rng.uniform(-3, 3, size=(300, 2))
    y = np.sin(2 * X[:, 0]) + 0.1 * rng.standard_normal(300)
    cascade = EntropyCascadeRegressor(large_estimator=DecisionTreeRegressor(random_state=0),
                                      large_fraction=0.4).fit(X, y)
    mean, std = cascade.small_estimator_.predict(X, return_std=True)
    h = 0.5 * np.log2(2 * np.pi * np.e * std**2)
    route = h > cascade.threshold_
    np.testing.assert_array_equal(cascade.route(X), route)
    np.testing.assert_allclose(cascade.predict(X), np.where(route, cascade.large_estimator_.predict(X), mean))


class _NaNClassifier(ClassifierMixin, BaseEstimator):
    def fit(self, X, y):
        self.classes_ = np.unique(y)
        return self

    def predict_proba(self, X):
        return np.full((len(X), len(self.classes_)), np.nan)

    def predict(self, X):
        return np.repeat(self.classes_[0], len(X))


def test_bad_input(digits):
    X_train, X_test, y_train, _ = digits
    small = LogisticRegression(max_iter=200).fit(X_train, y_train)
    mask = y_train < 5
    other = DecisionTreeClassifier().fit(X_train[mask], y_train[mask])
    with pytest.raises(ValueError, match="disagree on classes_"):
        EntropyCascadeClassifier(small, other, prefit=True).fit(X_train, y_train)
    with pytest.raises(ValueError, match="NaN"):
        EntropyCascadeClassifier(_NaNClassifier(), DecisionTreeClassifier()).fit(X_train, y_train)
    with pytest.raises(InvalidParameterError, match="large_fraction"):
        EntropyCascadeClassifier(large_fraction=1.5).fit(X_train, y_train)
    with pytest.raises(InvalidParameterError, match="threshold"):
        EntropyCascadeClassifier(threshold=np.nan).fit(X_train, y_train)
    with pytest.raises(InvalidParameterError, match="mode"):
        EntropyCascadeClassifier(mode="online").fit(X_train, y_train)
    with pytest.raises(ValueError, match="window must be 1"):
        EntropyCascadeClassifier(window=3).fit(X_train, y_train)
    with pytest.raises(InvalidParameterError, match="min_run"):
        EntropyCascadeClassifier(mode="sequential", min_run=0).fit(X_train, y_train)
    with pytest.warns(UserWarning, match="cost_small"):
        EntropyCascadeClassifier(large_estimator=DecisionTreeClassifier(), cost_small=20.0).fit(X_train, y_train)
    with pytest.raises(TypeError, match="return_std"):
        EntropyCascadeRegressor(LinearRegression()).fit(X_train, y_train)
    with pytest.raises(TypeError, match="entropy_source"):
        EntropyCascadeRegressor(BayesianRidge(), DecisionTreeRegressor(), mode="sequential").fit(X_train, y_train)
    X_nan = X_test.copy()
    X_nan[0, 0] = np.nan
    fitted = EntropyCascadeClassifier(small, DecisionTreeClassifier().fit(X_train, y_train), prefit=True)
    fitted.fit(X_train, y_train)
    with pytest.raises(ValueError, match="NaN"):
        fitted.predict(X_nan)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fitted.predict(X_test)


def test_groups_reach_predict_through_metadata_routing():
    from sklearn import config_context
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X, y, groups = _sequences(6, 40, 2)
    with config_context(enable_metadata_routing=True):
        cascade = EntropyCascadeClassifier(large_estimator=DecisionTreeClassifier(random_state=0),
                                           mode="sequential", threshold=0.5)
        cascade.set_fit_request(groups=True, sample_weight=False).set_predict_request(groups=True)
        pipe = make_pipeline(StandardScaler(), cascade).fit(X, y, groups=groups)
        routed = pipe.predict(X, groups=groups)
        # Each row alone is a sequence of its own: every row goes to the small model.
        single = pipe.predict(X, groups=np.arange(len(X)))
    Xs = pipe[0].transform(X)
    np.testing.assert_array_equal(routed, pipe[-1].predict(Xs, groups))
    np.testing.assert_array_equal(single, pipe[-1].small_estimator_.predict(Xs))
    assert not np.array_equal(routed, single)
