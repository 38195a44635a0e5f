"""learning_curve_comparison: paired subsamples, the result's queries, bad input."""

import numpy as np
import pytest
from joblib import parallel_config
from threadpoolctl import threadpool_limits
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.dummy import DummyClassifier
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.utils._param_validation import InvalidParameterError

from skpapers.model_selection import LearningCurveComparison, learning_curve_comparison
from skpapers.model_selection._learning_curve_comparison import _allocation, _stratified_subsample
from skpapers.naive_bayes import PooledGaussianNB


class _RecordTraining(ClassifierMixin, BaseEstimator):
    """Predicts the majority class and remembers what it was trained on."""

    seen = []

    def fit(self, X, y):
        self.classes_, counts = np.unique(y, return_counts=True)
        self.majority_ = self.classes_[np.argmax(counts)]
        _RecordTraining.seen.append((X[:, 0].copy(), np.asarray(y).copy()))
        return self

    def predict(self, X):
        return np.full(X.shape[0], self.majority_)


def _data(n=400, seed=0, weights=(0.5, 0.5)):
    rng = np.random.RandomState(seed)
    y = rng.choice(len(weights), size=n, p=weights)
    X = rng.standard_normal((n, 3)) + y[:, None]
    X[:, 0] = np.arange(n)  # a row id, to see which rows were drawn
    return X, y


def test_shapes_and_error_matches_a_manual_computation():
    X, y = _data()
    X_test, y_test = _data(seed=1)
    dummy = DummyClassifier(strategy="constant", constant=1)
    result = learning_curve_comparison(
        {"dummy": dummy}, X, y, train_sizes=[10, 50], n_repeats=3, X_test=X_test, y_test=y_test,
        random_state=0,
    )
    assert result.scores.shape == (1, 2, 3)
    np.testing.assert_allclose(result.scores, np.mean(y_test != 1))
    np.testing.assert_array_equal(result.train_sizes, [10, 50])
    np.testing.assert_allclose(result.std, 0.0)


def test_estimators_share_stratified_subsamples_of_the_pool():
    _RecordTraining.seen = []
    X, y = _data(weights=(0.7, 0.3))
    result = learning_curve_comparison(
        [("a", _RecordTraining()), ("b", _RecordTraining())], X, y, train_sizes=[20, 40],
        n_repeats=2, test_size=100, random_state=0,
    )
    assert result.names == ["a", "b"]
    seen = _RecordTraining.seen
    assert len(seen) == 8
    # Pairs: both estimators train on exactly the same rows.
    for first, second in zip(seen[::2], seen[1::2]):
        np.testing.assert_array_equal(first[0], second[0])
    # Sizes, stratification (70/30 of the pool), no repeated rows, repeats differ.
    pool_share = np.mean(y == 1)  # the held-out split is stratified too
    for rows, labels in seen:
        assert len(np.unique(rows)) == len(rows) in (20, 40)
        assert abs(labels.mean() - pool_share) <= 1 / len(rows) + 0.01
    assert not np.array_equal(seen[0][0], seen[2][0])
    # The held-out test rows never appear in training.
    test_rows = set(range(400)) - set(np.concatenate([rows for rows, _ in seen]))
    assert len(test_rows) >= 100


def test_same_seed_same_result_and_n_jobs_does_not_change_it():
    X, y = _data()
    kwargs = dict(train_sizes=[8, 32, 128], n_repeats=3, random_state=0)
    estimators = {"NB": PooledGaussianNB(), "LR": LogisticRegression()}
    # Threads (and one BLAS thread each) keep the test fast; the tasks and their
    # seeds are the same with processes.
    with threadpool_limits(limits=1):
        serial = learning_curve_comparison(estimators, X, y, **kwargs)
        again = learning_curve_comparison(estimators, X, y, **kwargs)
        with parallel_config(backend="threading"):
            parallel = learning_curve_comparison(estimators, X, y, n_jobs=2, **kwargs)
    np.testing.assert_array_equal(serial.scores, again.scores)
    np.testing.assert_array_equal(serial.scores, parallel.scores)


def test_scorer_string_is_higher_is_better():
    X, y = _data()
    error = learning_curve_comparison({"NB": PooledGaussianNB()}, X, y, train_sizes=[50], random_state=0)
    accuracy = learning_curve_comparison(
        {"NB": PooledGaussianNB()}, X, y, train_sizes=[50], scoring="accuracy", random_state=0
    )
    np.testing.assert_allclose(accuracy.scores, 1 - error.scores)
    assert accuracy.greater_is_better and not error.greater_is_better
    level = float(accuracy.mean[0, 0])
    assert accuracy.samples_to_reach(level) == {"NB": 50}
    assert accuracy.samples_to_reach(level + 0.5) == {"NB": None}


def test_samples_to_reach_and_crossover_by_hand():
    scores = np.array(
        [
            [[0.30, 0.32], [0.20, 0.22], [0.15, 0.15], [0.15, 0.15], [0.15, 0.15]],  # fast, plateaus
            [[0.40, 0.40], [0.30, 0.30], [0.10, 0.30], [0.14, 0.14], [0.10, 0.10]],  # slow, better
        ]
    )
    curves = LearningCurveComparison(["gen", "dis"], np.array([5, 10, 20, 40, 80]), scores)
    np.testing.assert_allclose(curves.mean[0], [0.31, 0.21, 0.15, 0.15, 0.15])
    assert curves.samples_to_reach(0.15) == {"gen": 20, "dis": 40}
    assert curves.samples_to_reach(0.01) == {"gen": None, "dis": None}
    # dis is still behind at m=20 (0.20 vs 0.15) and leads from 40 on.
    assert curves.crossover() == 40
    assert curves.crossover("dis", "gen") == 40
    never = LearningCurveComparison(["a", "b"], np.array([1, 2]), np.array([[[0.1], [0.1]], [[0.2], [0.2]]]))
    assert never.crossover() is None
    # A flip that does not last is not a crossover.
    back = LearningCurveComparison(
        ["a", "b"], np.array([1, 2, 3]), np.array([[[0.1], [0.3], [0.1]], [[0.2], [0.2], [0.2]]])
    )
    assert back.crossover() is None
    with pytest.raises(ValueError, match="Unknown estimator"):
        curves.crossover("gen", "nope")
    with pytest.raises(ValueError, match="two different"):
        curves.crossover("gen", "gen")
    with pytest.raises(ValueError, match="shape"):
        LearningCurveComparison(["a"], np.array([1, 2]), np.zeros((1, 3, 2)))


def test_allocation_is_proportional_and_exact():
    counts = np.array([700, 200, 100])
    for size in [3, 10, 17, 999]:
        allocation = _allocation(counts, size)
        assert allocation.sum() == size
        assert np.all(np.abs(allocation - size * counts / counts.sum()) < 1)
    rng = np.random.RandomState(0)
    y_codes = np.repeat([0, 1, 2], counts)
    indices = _stratified_subsample(y_codes, counts, 17, rng)
    np.testing.assert_array_equal(np.bincount(y_codes[indices], minlength=3), _allocation(counts, 17))


def test_too_small_sizes_raise():
    X, y = _data(weights=(0.9, 0.1))
    with pytest.raises(ValueError, match="between the number of classes"):
        learning_curve_comparison({"NB": PooledGaussianNB()}, X, y, train_sizes=[1, 10])
    with pytest.raises(ValueError, match="too small for a stratified subsample"):
        learning_curve_comparison({"NB": PooledGaussianNB()}, X, y, train_sizes=[4, 40], random_state=0)
    # Without the requirement the single-class subsamples reach the estimator (which refuses them).
    with pytest.raises(ValueError, match="at least 2 classes"):
        learning_curve_comparison(
            {"NB": PooledGaussianNB()}, X, y, train_sizes=[4], require_all_classes=False, random_state=0
        )
    with pytest.raises(ValueError, match="size of the training pool"):
        learning_curve_comparison({"NB": PooledGaussianNB()}, X, y, train_sizes=[10_000])


@pytest.mark.parametrize(
    "estimators, error, match",
    [
        ({}, ValueError, "at least one"),
        ([PooledGaussianNB()], TypeError, "list of \\(name, estimator\\)"),
        ({"reg": LinearRegression()}, TypeError, "must be a classifier"),
        ([("a", PooledGaussianNB()), ("a", PooledGaussianNB())], ValueError, "distinct"),
        ("NB", InvalidParameterError, "estimators"),
    ],
)
def test_bad_estimators(estimators, error, match):
    X, y = _data()
    with pytest.raises(error, match=match):
        learning_curve_comparison(estimators, X, y, train_sizes=[20])


def test_bad_data_and_parameters():
    X, y = _data()
    nb = {"NB": PooledGaussianNB()}
    X_nan = X.copy()
    X_nan[0, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        learning_curve_comparison(nb, X_nan, y, train_sizes=[20])
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        learning_curve_comparison(nb, X, y[:-1], train_sizes=[20])
    with pytest.raises(ValueError, match="Unknown label type"):
        learning_curve_comparison(nb, X, y + 0.5, train_sizes=[20])
    with pytest.raises(ValueError, match="given together"):
        learning_curve_comparison(nb, X, y, train_sizes=[20], X_test=X)
    with pytest.raises(ValueError, match="X_test has 2 features"):
        learning_curve_comparison(nb, X, y, train_sizes=[20], X_test=X[:, :2], y_test=y)
    with pytest.raises(ValueError, match="integers"):
        learning_curve_comparison(nb, X, y, train_sizes=[20.5])
    with pytest.raises(InvalidParameterError, match="n_repeats"):
        learning_curve_comparison(nb, X, y, train_sizes=[20], n_repeats=0)
    with pytest.raises(InvalidParameterError, match="test_size"):
        learning_curve_comparison(nb, X, y, train_sizes=[20], test_size=1.5)
